// Package static embeds Parley's browser assets: the stylesheet, the vendored
// htmx and its ws extension (see vendor/VERSIONS and `make vendor`) and the
// favicon. The web layer serves FS under /static/; templates link to the
// files through Path, whose content-hash query lets the files be cached for
// good and still change on every deploy that changes them.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"maps"
	"slices"
)

//go:embed css vendor favicon.svg
var files embed.FS

// FS holds the embedded assets rooted at static/: "favicon.svg",
// "css/parley.css", "vendor/htmx.min.js", "vendor/ws.js", ...
var FS fs.FS = files

// Prefix is the URL path under which the web layer serves FS.
const Prefix = "/static/"

// hashLen is how many hex digits of the SHA-256 go into a Path's v= query.
const hashLen = 12

// hashes maps every embedded file's name to the hex SHA-256 of its content,
// computed once at start-up.
var hashes = func() map[string]string {
	m := make(map[string]string)
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[name] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		panic("static: hashing embedded files: " + err.Error())
	}
	return m
}()

// Path returns the public URL of the embedded file name (a path relative to
// static/, such as "vendor/htmx.min.js") with a content hash for
// cache-busting: "/static/vendor/htmx.min.js?v=d6fdc75f204e". It panics when
// name is not embedded: that is a programming error, caught by the tests that
// render the pages.
func Path(name string) string {
	h, ok := hashes[name]
	if !ok {
		panic("static: no embedded file " + name)
	}
	return Prefix + name + "?v=" + h[:hashLen]
}

// ContentHash returns the hex SHA-256 of the embedded file name's content
// (64 digits; a strong ETag, for instance) and whether name is embedded.
func ContentHash(name string) (string, bool) {
	h, ok := hashes[name]
	return h, ok
}

// Names lists every embedded file, sorted.
func Names() []string {
	return slices.Sorted(maps.Keys(hashes))
}
