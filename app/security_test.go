package app_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/parleychat/parley/app"
)

// crossSiteAttacks are the ways a request from another site shows itself:
// old browsers send only Origin, new ones Sec-Fetch-Site as well (or
// instead); a sibling subdomain is same-site but not same-origin, and a
// sandboxed frame sends Origin: null.
var crossSiteAttacks = []struct {
	name    string
	headers map[string]string
}{
	{"Origin of another site", map[string]string{"Origin": "https://evil.example"}},
	{"Sec-Fetch-Site cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}},
	{"both", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}},
	{"a sibling subdomain", map[string]string{"Origin": "http://evil.localhost", "Sec-Fetch-Site": "same-site"}},
	{"Origin null", map[string]string{"Origin": "null"}},
}

// postFrom sends a form with the headers of an attack and returns the
// answer.
func (b *browser) postFrom(headers map[string]string, path string, form url.Values) (int, string, http.Header) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return b.do(req)
}

// csrfWorld is what a cross-site test attacks: a running Parley, an
// admin, alice (a victim with a message) and bob.
type csrfWorld struct {
	t                 *testing.T
	app               *app.App
	admin, alice, bob *browser
	messageID         int64
}

func newCSRFWorld(t *testing.T) *csrfWorld {
	t.Helper()
	cfg := testConfig(t)
	a := startApp(t, cfg)
	w := &csrfWorld{t: t, app: a, admin: signedUpAdmin(t, a, cfg, "boss"),
		alice: signedUp(t, a, "alice"), bob: signedUp(t, a, "bob")}
	s := w.alice.dial("")
	s.send("alice was here")
	s.waitText("alice was here</p>")
	s.close()
	_, page, _ := w.alice.get("/r/general")
	w.messageID = messageID(t, page, "alice was here")
	return w
}

// sendsFreely reports whether b's message goes out, rather than the
// muted error.
func (w *csrfWorld) sendsFreely(b *browser, text string) bool {
	w.t.Helper()
	s := b.dial("")
	defer s.close()
	s.send(text)
	s.waitUntil(text+" or muted", func(f []string) bool {
		return containing(f, text+"</p>") > 0 || containing(f, "You are muted") > 0
	})
	return containing(s.snapshot(), text+"</p>") > 0
}

func TestCrossSiteRequestsAreRefused(t *testing.T) {
	type route struct {
		path string
		// prepare sets the state up (same-site) and returns the browser
		// whose cookies the forged request carries, and its form.
		prepare func(w *csrfWorld, n int) (*browser, url.Values)
		// unchanged fails the test when the forged request had an effect.
		unchanged func(w *csrfWorld, n int, victim *browser, hdr http.Header)
	}
	routes := []route{
		{"/login",
			func(w *csrfWorld, n int) (*browser, url.Values) {
				return newBrowser(w.t, w.app.URL()), url.Values{"username": {"alice"}, "password": {"password-alice"}}
			},
			func(w *csrfWorld, n int, victim *browser, hdr http.Header) {
				if c := victim.cookie(); c != "" || strings.Contains(hdr.Get("Set-Cookie"), "parley_session=") {
					w.t.Errorf("a forged sign-in set a session cookie: %q", hdr.Get("Set-Cookie"))
				}
			}},
		{"/register",
			func(w *csrfWorld, n int) (*browser, url.Values) {
				return newBrowser(w.t, w.app.URL()), url.Values{"username": {"forged" + strconv.Itoa(n)}, "password": {"password-forged"}}
			},
			func(w *csrfWorld, n int, victim *browser, hdr http.Header) {
				b := newBrowser(w.t, w.app.URL())
				if status, _, _ := b.post("/login", url.Values{"username": {"forged" + strconv.Itoa(n)}, "password": {"password-forged"}}); status != http.StatusUnauthorized {
					w.t.Errorf("signing in as the forged account: %d, want 401 (no such account)", status)
				}
			}},
		{"/logout",
			func(w *csrfWorld, n int) (*browser, url.Values) { return w.alice, nil },
			func(w *csrfWorld, n int, victim *browser, hdr http.Header) {
				if status, _, _ := w.alice.get("/r/general"); status != http.StatusOK {
					w.t.Errorf("alice's session after a forged sign-out: GET /r/general %d, want 200", status)
				}
			}},
		{"/rooms",
			func(w *csrfWorld, n int) (*browser, url.Values) {
				return w.alice, url.Values{"name": {"forged-" + strconv.Itoa(n)}}
			},
			func(w *csrfWorld, n int, victim *browser, hdr http.Header) {
				if status, _, _ := w.alice.get("/r/forged-" + strconv.Itoa(n)); status != http.StatusNotFound {
					w.t.Errorf("the forged room: GET %d, want 404 (never created)", status)
				}
			}},
		{"/messages/{id}/delete",
			func(w *csrfWorld, n int) (*browser, url.Values) { return w.alice, nil },
			func(w *csrfWorld, n int, victim *browser, hdr http.Header) {
				if _, page, _ := w.bob.get("/r/general"); !strings.Contains(page, "alice was here</p>") {
					w.t.Errorf("alice's message is gone after a forged delete")
				}
			}},
		{"/admin/mute",
			func(w *csrfWorld, n int) (*browser, url.Values) {
				return w.admin, url.Values{"user": {"alice"}, "minutes": {"60"}}
			},
			func(w *csrfWorld, n int, victim *browser, hdr http.Header) {
				if !w.sendsFreely(w.alice, "free "+strconv.Itoa(n)) {
					w.t.Errorf("alice is muted after a forged mute")
				}
			}},
		{"/admin/unmute",
			func(w *csrfWorld, n int) (*browser, url.Values) {
				if n == 0 {
					if status, body, _ := w.admin.post("/admin/mute", url.Values{"user": {"alice"}, "minutes": {"60"}}); status >= 400 {
						w.t.Fatalf("mute alice: %d %.200s", status, body)
					}
				}
				return w.admin, url.Values{"user": {"alice"}}
			},
			func(w *csrfWorld, n int, victim *browser, hdr http.Header) {
				if w.sendsFreely(w.alice, "unmuted "+strconv.Itoa(n)) {
					w.t.Errorf("alice is no longer muted after a forged unmute")
				}
			}},
		{"/admin/ban",
			func(w *csrfWorld, n int) (*browser, url.Values) { return w.admin, url.Values{"user": {"alice"}} },
			func(w *csrfWorld, n int, victim *browser, hdr http.Header) {
				if status, _, _ := w.alice.get("/r/general"); status != http.StatusOK {
					w.t.Errorf("alice's session after a forged ban: GET /r/general %d, want 200", status)
				}
			}},
		{"/admin/unban",
			func(w *csrfWorld, n int) (*browser, url.Values) {
				if n == 0 {
					if status, body, _ := w.admin.post("/admin/ban", url.Values{"user": {"bob"}}); status >= 400 {
						w.t.Fatalf("ban bob: %d %.200s", status, body)
					}
				}
				return w.admin, url.Values{"user": {"bob"}}
			},
			func(w *csrfWorld, n int, victim *browser, hdr http.Header) {
				b := newBrowser(w.t, w.app.URL())
				if status, _, _ := b.post("/login", url.Values{"username": {"bob"}, "password": {"password-bob"}}); status != http.StatusForbidden {
					w.t.Errorf("bob signing in after a forged unban: %d, want 403 (still banned)", status)
				}
			}},
	}
	for _, r := range routes {
		t.Run(r.path, func(t *testing.T) {
			w := newCSRFWorld(t)
			path := strings.Replace(r.path, "{id}", strconv.FormatInt(w.messageID, 10), 1)
			for n, attack := range crossSiteAttacks {
				victim, form := r.prepare(w, n)
				status, body, hdr := victim.postFrom(attack.headers, path, form)
				if status != http.StatusForbidden || !strings.Contains(body, "Cross-site request refused") {
					t.Errorf("%s: POST %s: %d, want 403 Cross-site request refused; body %.200s", attack.name, path, status, body)
				}
				r.unchanged(w, n, victim, hdr)
			}
			// The same request from the site itself works, so the 403s
			// above were the cross-site check, not a broken request.
			victim, form := r.prepare(w, len(crossSiteAttacks))
			if status, body, _ := victim.post(path, form); status >= 400 {
				t.Errorf("same-site POST %s: %d, want it accepted; body %.200s", path, status, body)
			}
		})
	}
}

func TestEveryPageHasSecurityHeaders(t *testing.T) {
	cfg := testConfig(t)
	a := startApp(t, cfg)
	admin := signedUpAdmin(t, a, cfg, "boss")
	anonymous := newBrowser(t, a.URL())
	pages := []struct {
		who  *browser
		path string
	}{
		{anonymous, "/"}, {anonymous, "/login"}, {anonymous, "/register"}, {anonymous, "/chat"},
		{anonymous, "/r/general"}, {anonymous, "/healthz"}, {anonymous, "/readyz"},
		{anonymous, "/static/vendor/htmx.min.js"}, {anonymous, "/no/such/page"}, {anonymous, "/auth/nope"},
		{admin, "/"}, {admin, "/r/general"}, {admin, "/rooms"}, {admin, "/admin"}, {admin, "/r/nope"},
		{admin, "/r/general/messages?before=1"}, {admin, "/r/general/messages?before=x"},
		// Refused websocket upgrades: the page of a plain GET, and of a
		// room that does not exist.
		{anonymous, "/ws"}, {admin, "/ws?room=nope"},
	}
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "same-origin",
	}
	for _, p := range pages {
		status, _, hdr := p.who.get(p.path)
		csp := hdr.Get("Content-Security-Policy")
		for _, part := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, part) {
				t.Errorf("GET %s (%d): Content-Security-Policy %q lacks %q", p.path, status, csp, part)
			}
		}
		if strings.Contains(csp, "unsafe-") {
			t.Errorf("GET %s: Content-Security-Policy %q allows something unsafe", p.path, csp)
		}
		for name, value := range want {
			if got := hdr.Get(name); got != value {
				t.Errorf("GET %s (%d): %s %q, want %q", p.path, status, name, got, value)
			}
		}
	}
	// A refused cross-site request is a page too.
	_, _, hdr := admin.postFrom(map[string]string{"Origin": "https://evil.example"}, "/rooms", url.Values{"name": {"x"}})
	if hdr.Get("X-Frame-Options") != "DENY" || !strings.Contains(hdr.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("the 403 page of a cross-site request lacks the security headers: %v", hdr)
	}
}

func TestCookiesOnHTTPSAreSecure(t *testing.T) {
	cfg := testConfig(t)
	// The server listens on plain http here, as behind a TLS-terminating
	// proxy; BASE_URL says the public side is https.
	cfg.BaseURL = "https://chat.example"
	a := startApp(t, cfg)
	b := newBrowser(t, "http://"+a.Addr())
	// The browser is on https://chat.example, the origin BASE_URL trusts.
	status, _, hdr := b.postFrom(map[string]string{"Origin": "https://chat.example"}, "/register",
		url.Values{"username": {"alice"}, "password": {"password1"}})
	if status != http.StatusSeeOther {
		t.Fatalf("register: %d, want 303", status)
	}
	cookie := hdr.Get("Set-Cookie")
	for _, part := range []string{"parley_session=", "HttpOnly", "SameSite=Lax", "secure"} {
		if !strings.Contains(strings.ToLower(cookie), strings.ToLower(part)) {
			t.Errorf("Set-Cookie %q on an https BASE_URL lacks %q", cookie, part)
		}
	}
	if got := hdr.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("Strict-Transport-Security %q on an https BASE_URL, want a max-age", got)
	}
}

func TestLookAlikeUsernamesCannotBeRegistered(t *testing.T) {
	a := startApp(t, testConfig(t))
	signedUp(t, a, "alice")
	for _, tc := range []struct {
		name   string
		status int
	}{
		{"Alice", http.StatusConflict},
		{"ALICE", http.StatusConflict},
		{"aLiCe", http.StatusConflict},
		{"\u0430lice", http.StatusUnprocessableEntity},  // Cyrillic a
		{"al\u0456ce", http.StatusUnprocessableEntity},  // Cyrillic i
		{"\uff41lice", http.StatusUnprocessableEntity},  // fullwidth a
		{"alice\u200b", http.StatusUnprocessableEntity}, // zero-width space
		{"ali\u0307ce", http.StatusUnprocessableEntity}, // combining dot
		{"al\u0131ce", http.StatusUnprocessableEntity},  // dotless i
		{"\u212alice", http.StatusUnprocessableEntity},  // Kelvin sign, lowercases to k
	} {
		b := newBrowser(t, a.URL())
		status, body, _ := b.post("/register", url.Values{"username": {tc.name}, "password": {"password-look"}})
		if status != tc.status {
			t.Errorf("register %q beside alice: %d, want %d; body %.200s", tc.name, status, tc.status, body)
		}
	}
}

func TestSignInNeverRedirectsOffSite(t *testing.T) {
	a := startApp(t, testConfig(t))
	signedUp(t, a, "alice")
	for _, next := range []string{"//evil.example", "https://evil.example/", "/\\evil.example", "/r/../../evil",
		"/r/general/../../x", "/r//evil.example", "javascript:alert(1)", "/r/general\r\nLocation: https://evil.example"} {
		b := newBrowser(t, a.URL())
		status, _, hdr := b.post("/login", url.Values{"username": {"alice"}, "password": {"password-alice"}, "next": {next}})
		if status != http.StatusSeeOther || hdr.Get("Location") != "/r/general" {
			t.Errorf("sign in with next=%q: %d to %q, want 303 to /r/general", next, status, hdr.Get("Location"))
		}
	}
}
