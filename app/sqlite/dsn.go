package sqlite

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// target is the database a DATABASE_URL names, ready to become a driver DSN.
type target struct {
	// path is the part of a SQLite "file:" URI before its query.
	path string
	// query holds the URI parameters the operator gave, such as mode=ro.
	query url.Values
	// memory is true for an in-memory database, which lives and dies with
	// a single connection.
	memory bool
}

// parseDatabaseURL understands the values DATABASE_URL may hold:
//
//	parley.db, /var/lib/parley.db   a plain file path
//	file:parley.db, file:/abs.db    a SQLite URI, query parameters kept
//	sqlite:parley.db                the same as file:
//	sqlite:///abs/parley.db         the same as file:/abs/parley.db
//	:memory:, file::memory:         an in-memory database
//
// Any other scheme (postgres://, mysql://, ...) is an error: this build
// stores its data only in SQLite. The error names the scheme but never
// repeats the URL, which may hold a password.
func parseDatabaseURL(raw string) (target, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return target{}, errors.New("empty database URL")
	}
	scheme, rest, ok := splitScheme(raw)
	if !ok {
		return plainPath(raw), nil
	}
	switch strings.ToLower(scheme) {
	case "file":
		return fileURI(rest)
	case "sqlite", "sqlite3":
		return fileURI(strings.TrimPrefix(rest, "//"))
	}
	return target{}, fmt.Errorf("unsupported database URL scheme %q: only SQLite is supported by this build (use file:PATH)", scheme)
}

// splitScheme splits "scheme:rest". A single letter before the colon is a
// Windows drive ("C:\parley.db"), not a scheme.
func splitScheme(raw string) (scheme, rest string, ok bool) {
	scheme, rest, found := strings.Cut(raw, ":")
	if !found || len(scheme) < 2 || !isScheme(scheme) {
		return "", "", false
	}
	return scheme, rest, true
}

// isScheme reports whether s has the syntax of a URL scheme (RFC 3986).
func isScheme(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// plainPath turns a file path into the path of a SQLite URI, escaping the
// characters a URI gives a meaning to.
func plainPath(path string) target {
	if path == ":memory:" {
		return target{path: path, memory: true}
	}
	path = filepath.ToSlash(filepath.Clean(path))
	if filepath.VolumeName(path) != "" {
		path = "/" + path // file:/C:/parley.db
	}
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return target{path: escaped}
}

// fileURI parses what follows "file:" in a SQLite URI.
func fileURI(rest string) (target, error) {
	rest, _, _ = strings.Cut(rest, "#")
	path, rawQuery, _ := strings.Cut(rest, "?")
	if path == "" {
		return target{}, errors.New("database URL names no file")
	}
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return target{}, fmt.Errorf("database URL query: %w", err)
	}
	memory := path == ":memory:" || query.Get("mode") == "memory"
	return target{path: path, query: query, memory: memory}, nil
}

// dsn is the driver's data source name for the target with params added.
// A _pragma in params is added to the operator's; any other key in params
// replaces the operator's value.
func (t target) dsn(params url.Values) string {
	query := url.Values{}
	for key, values := range t.query {
		query[key] = append([]string(nil), values...)
	}
	for key, values := range params {
		if key == "_pragma" {
			query[key] = append(query[key], values...)
			continue
		}
		query[key] = values
	}
	return "file:" + t.path + "?" + query.Encode()
}
