package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleychat/parley/static"
)

func TestSocketGuard(t *testing.T) {
	a := startApp(t, testConfig(t))
	b := signedUp(t, a, "alice")

	tests := []struct {
		name, cookie, origin string
		wantStatus           int
	}{
		{"no session", "", a.URL(), http.StatusUnauthorized},
		{"forged session", "parley_session=forged", a.URL(), http.StatusUnauthorized},
		{"foreign origin", b.cookie(), "https://evil.example", http.StatusForbidden},
		{"foreign origin, no session", "", "https://evil.example", http.StatusForbidden},
		{"no origin", b.cookie(), "", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, resp, err := dialSocket(t, a.URL(), tt.cookie, tt.origin, "")
			if err == nil {
				t.Fatalf("dial succeeded, want %d before the upgrade", tt.wantStatus)
			}
			if resp == nil || resp.StatusCode != tt.wantStatus {
				t.Fatalf("dial: got %v, want status %d", resp, tt.wantStatus)
			}
		})
	}
	// And the real thing works.
	s := b.dial("")
	s.waitCount(1)
}

func TestCrossSiteFormsRefused(t *testing.T) {
	a := startApp(t, testConfig(t))
	b := signedUp(t, a, "alice")

	tests := []struct {
		name, path string
		header     map[string]string
	}{
		{"logout from another site", "/logout", map[string]string{"Origin": "https://evil.example"}},
		{"logout, fetch metadata cross-site", "/logout", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"login from another site", "/login", map[string]string{"Origin": "https://evil.example"}},
		{"register from another site", "/register", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
		{"room from another site", "/rooms", map[string]string{"Origin": "https://evil.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"username": {"mallory"}, "password": {"password1"}, "name": {"mallory-room"}}
			req, _ := http.NewRequest(http.MethodPost, a.URL()+tt.path, stringsReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			if status, _, _ := b.do(req); status != http.StatusForbidden {
				t.Errorf("got %d, want 403", status)
			}
		})
	}
	// The session survived the forged sign-out, and no room was created.
	if _, page, _ := b.get("/rooms"); strings.Contains(page, "mallory-room") {
		t.Errorf("a cross-site POST /rooms created a room")
	}
	if status, _, _ := b.get("/r/general"); status != http.StatusOK {
		t.Errorf("GET /r/general after refused cross-site logout: got %d, want 200", status)
	}
	// Same-origin browsers' requests pass.
	req, _ := http.NewRequest(http.MethodPost, a.URL()+"/logout", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if status, _, _ := b.do(req); status != http.StatusSeeOther {
		t.Errorf("same-origin logout: got %d, want 303", status)
	}
}

func TestPlainRoutes(t *testing.T) {
	a := startApp(t, testConfig(t))
	b := newBrowser(t, a.URL())
	if status, body, _ := b.get("/healthz"); status != http.StatusOK || body != "ok\n" {
		t.Errorf("GET /healthz: got %d %q, want 200 ok", status, body)
	}
	status, body, hdr := b.get("/no/such/page")
	if status != http.StatusNotFound || !containsAll(body, "Not Found", "<html") {
		t.Errorf("GET unknown path: got %d, want a 404 page", status)
	}
	if csp := hdr.Get("Content-Security-Policy"); csp == "" {
		t.Errorf("404 page has no Content-Security-Policy")
	}
	if status, _, _ := b.get("/ws"); status != http.StatusUpgradeRequired {
		t.Errorf("GET /ws without upgrade: got %d, want 426", status)
	}
}

func TestStaticAssetsAreCached(t *testing.T) {
	a := startApp(t, testConfig(t))
	b := newBrowser(t, a.URL())
	path := static.Path("css/parley.css")
	status, body, hdr := b.get(path)
	if status != http.StatusOK || !strings.Contains(body, "#num-users") && !strings.Contains(body, ".num-users") {
		t.Fatalf("GET %s: got %d, want the stylesheet", path, status)
	}
	if got := hdr.Get("Content-Type"); !strings.HasPrefix(got, "text/css") {
		t.Errorf("Content-Type: got %q, want text/css", got)
	}
	if got := hdr.Get("Cache-Control"); !strings.Contains(got, "immutable") {
		t.Errorf("Cache-Control of a hashed URL: got %q, want it cached for good", got)
	}
	req, _ := http.NewRequest(http.MethodGet, a.URL()+path, nil)
	req.Header.Set("If-None-Match", hdr.Get("ETag"))
	if status, _, _ := b.do(req); status != http.StatusNotModified {
		t.Errorf("conditional GET: got %d, want 304", status)
	}
	if status, _, hdr := b.get("/static/css/parley.css"); status != http.StatusOK || strings.Contains(hdr.Get("Cache-Control"), "immutable") {
		t.Errorf("GET without the hash: got %d with %q, want 200 cached briefly", status, hdr.Get("Cache-Control"))
	}
	for _, p := range []string{"/static/nope.js", "/static/../main.go", "/static/vendor/"} {
		if status, _, _ := b.get(p); status != http.StatusNotFound {
			t.Errorf("GET %s: got %d, want 404", p, status)
		}
	}
}
