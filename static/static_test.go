package static_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parleychat/parley/static"
)

// embedded walks static.FS and returns every file's name.
func embedded(t *testing.T) []string {
	t.Helper()
	var names []string
	err := fs.WalkDir(static.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, name)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(static.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExpectedFilesEmbedded(t *testing.T) {
	names := embedded(t)
	for _, want := range []string{"favicon.svg", "css/parley.css", "vendor/htmx.min.js", "vendor/ws.js", "vendor/VERSIONS"} {
		if !slices.Contains(names, want) {
			t.Errorf("%s is not embedded (have %v)", want, names)
		}
	}
	if got := static.Names(); !slices.Equal(got, names) {
		t.Errorf("Names() = %v, want %v", got, names)
	}
}

var pathRE = regexp.MustCompile(`^/static/(.+)\?v=([0-9a-f]{8,64})$`)

func TestEveryFileHasPath(t *testing.T) {
	for _, name := range embedded(t) {
		p := static.Path(name)
		m := pathRE.FindStringSubmatch(p)
		if m == nil || m[1] != name {
			t.Errorf("Path(%q) = %q, want /static/%s?v=<hex>", name, p, name)
			continue
		}
		sum := sha256.Sum256(read(t, name))
		full := hex.EncodeToString(sum[:])
		if !strings.HasPrefix(full, m[2]) {
			t.Errorf("Path(%q) hash %s is not a prefix of the content's sha256 %s", name, m[2], full)
		}
		if h, ok := static.ContentHash(name); !ok || h != full {
			t.Errorf("ContentHash(%q) = %q, %v; want %q, true", name, h, ok, full)
		}
	}
}

func TestPathUnknownPanics(t *testing.T) {
	for _, name := range []string{"", "nope.js", "vendor", "vendor/htmx.js", "/vendor/htmx.min.js", "static/favicon.svg"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Path(%q) did not panic", name)
				}
			}()
			_ = static.Path(name)
		}()
		if h, ok := static.ContentHash(name); ok || h != "" {
			t.Errorf("ContentHash(%q) = %q, %v; want \"\", false", name, h, ok)
		}
	}
}

// vendored is one line of vendor/VERSIONS.
type vendored struct{ pkg, version, source, sha256 string }

func versions(t *testing.T) map[string]vendored {
	t.Helper()
	m := make(map[string]vendored)
	sc := bufio.NewScanner(bytes.NewReader(read(t, "vendor/VERSIONS")))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 5 {
			t.Fatalf("VERSIONS: want file, package, version, source, sha256: %q", line)
		}
		m[f[0]] = vendored{f[1], f[2], f[3], f[4]}
	}
	return m
}

// patch returns the patch number of a 2.0.x version, or -1.
func patch(version string) int {
	rest, ok := strings.CutPrefix(version, "2.0.")
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(rest)
	if err != nil {
		return -1
	}
	return n
}

func TestVendoredVersions(t *testing.T) {
	v := versions(t)

	// VERSIONS lists every vendored file with its real checksum.
	for _, name := range embedded(t) {
		file, ok := strings.CutPrefix(name, "vendor/")
		if !ok || file == "VERSIONS" {
			continue
		}
		e, ok := v[file]
		if !ok {
			t.Errorf("vendor/VERSIONS does not list %s", file)
			continue
		}
		if h, _ := static.ContentHash(name); h != e.sha256 {
			t.Errorf("vendor/VERSIONS: %s sha256 %s, the embedded file's is %s (run `make vendor`)", file, e.sha256, h)
		}
	}
	for file := range v {
		if _, ok := static.ContentHash("vendor/" + file); !ok {
			t.Errorf("vendor/VERSIONS lists %s, which is not embedded", file)
		}
	}

	// htmx 2.0.x: the version inside the file, and the one VERSIONS names.
	htmx := v["htmx.min.js"]
	if htmx.pkg != "htmx.org" || patch(htmx.version) < 0 {
		t.Errorf("vendor/VERSIONS: htmx.min.js is %s %s, want htmx.org 2.0.x", htmx.pkg, htmx.version)
	}
	m := regexp.MustCompile(`\bversion\s*:\s*["'](\d+\.\d+\.\d+)["']`).FindSubmatch(read(t, "vendor/htmx.min.js"))
	if m == nil {
		t.Fatal("vendor/htmx.min.js carries no version string")
	}
	if got := string(m[1]); patch(got) < 0 || got != htmx.version {
		t.Errorf("vendor/htmx.min.js is htmx %s, want 2.0.x matching VERSIONS (%s)", got, htmx.version)
	}

	// The ws extension: 2.0.4 or later 2.0.x (2.0.4 stops sockets of removed
	// elements reconnecting). Its files carry no version: check it registers
	// the "ws" extension and trust VERSIONS, whose checksum matched above.
	ws := v["ws.js"]
	if ws.pkg != "htmx-ext-ws" || patch(ws.version) < 4 {
		t.Errorf("vendor/VERSIONS: ws.js is %s %s, want htmx-ext-ws 2.0.4 or later 2.0.x", ws.pkg, ws.version)
	}
	if !regexp.MustCompile(`defineExtension\(\s*["']ws["']`).Match(read(t, "vendor/ws.js")) {
		t.Error(`vendor/ws.js does not define the "ws" htmx extension`)
	}
}

// cdnHosts are hosts that serve packages to browsers; no embedded file names one.
var cdnHosts = []string{
	"unpkg.com", "jsdelivr.net", "cdnjs.cloudflare.com", "ajax.googleapis.com",
	"code.jquery.com", "esm.sh", "skypack.dev", "jspm.io", "fonts.googleapis.com",
	"fonts.gstatic.com", "//cdn.",
}

// remoteLoad matches what makes a browser fetch another origin's URL: an
// attribute (src, href, xlink:href), a CSS url() or @import, a dynamic or
// static import, importScripts, fetch, XHR open, WebSocket, EventSource,
// followed by an absolute or protocol-relative URL. URLs elsewhere (the SVG
// namespace, documentation links in comments) load nothing.
var remoteLoad = regexp.MustCompile(`(?i)(?:\bsrc\s*=|\bhref\s*=|\burl\(|@import|\bimport\s*\(|\bimport\s+|\bfrom\s*|\bimportScripts\s*\(|\bfetch\s*\(|\bWebSocket\s*\(|\bEventSource\s*\(|\.open\s*\(\s*["'][a-z]+["']\s*,)\s*["'(]?\s*(?:[a-z][a-z0-9+.-]*:)?//`)

func TestNoRemoteLoads(t *testing.T) {
	for _, bad := range []string{
		`<script src="https://unpkg.com/htmx.org@2.0.11">`,
		`@import url("//fonts.example/a.css");`,
		`body{background:url(https://example.com/a.png)}`,
		`import("https://example.com/x.js")`,
		`fetch('//example.com/a')`,
		`new WebSocket("wss://example.com/ws")`,
		`<image xlink:href="http://example.com/a.png"/>`,
		`x.open("GET","https://example.com/")`,
	} {
		if !remoteLoad.MatchString(bad) {
			t.Errorf("remoteLoad misses %s", bad)
		}
	}
	for _, name := range embedded(t) {
		b := read(t, name)
		lower := strings.ToLower(string(b))
		for _, h := range cdnHosts {
			if strings.Contains(lower, h) {
				t.Errorf("%s names the CDN %s", name, h)
			}
		}
		if loc := remoteLoad.FindIndex(b); loc != nil {
			end := min(loc[1]+40, len(b))
			t.Errorf("%s loads a remote URL: %q", name, b[loc[0]:end])
		}
	}
}

func TestFaviconIsPlainSVG(t *testing.T) {
	b := read(t, "favicon.svg")
	var root struct {
		XMLName xml.Name
	}
	if err := xml.Unmarshal(b, &root); err != nil {
		t.Fatalf("favicon.svg: %v", err)
	}
	if root.XMLName.Local != "svg" || root.XMLName.Space != "http://www.w3.org/2000/svg" {
		t.Errorf("favicon.svg root is %v, want svg in the SVG namespace", root.XMLName)
	}
	// Served under a CSP without inline script or style: keep to attributes.
	if m := regexp.MustCompile(`(?i)<script|<style|<foreignobject|\sstyle\s*=|\son[a-z]+\s*=`).Find(b); m != nil {
		t.Errorf("favicon.svg contains %q", m)
	}
	if len(b) > 2048 {
		t.Errorf("favicon.svg is %d bytes, want a small hand-written mark", len(b))
	}
}
