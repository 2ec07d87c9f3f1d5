package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fasthttp/websocket"
)

func TestRegisterSignsInAndShowsChat(t *testing.T) {
	a := startApp(t, testConfig(t))
	b := signedUp(t, a, "alice")

	status, body, _ := b.get("/r/general")
	if status != http.StatusOK {
		t.Fatalf("GET /r/general: got %d, want 200", status)
	}
	for _, want := range []string{`id="num-users"`, `id="messages"`, `id="chat-form"`, `ws-send`, `name="message"`, ">alice", "Sign out"} {
		if !strings.Contains(body, want) {
			t.Errorf("chat page lacks %q", want)
		}
	}
	if status, _, hdr := b.get("/"); status != http.StatusSeeOther || hdr.Get("Location") != "/r/general" {
		t.Errorf("GET / signed in: got %d to %q, want 303 to /r/general", status, hdr.Get("Location"))
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	a := startApp(t, testConfig(t))
	b := newBrowser(t, a.URL())
	_, _, hdr := b.post("/register", url.Values{"username": {"alice"}, "password": {"password1"}})
	cookie := hdr.Get("Set-Cookie")
	for _, want := range []string{"parley_session=", "HttpOnly", "SameSite=Lax", "path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("Set-Cookie %q lacks %q", cookie, want)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("Set-Cookie %q is Secure on a plain-http BASE_URL; browsers would drop it", cookie)
	}
}

func TestSignIn(t *testing.T) {
	a := startApp(t, testConfig(t))
	signedUp(t, a, "alice") // password "password-alice"

	tests := []struct {
		name, username, password string
		wantStatus               int
		wantBody                 string
	}{
		{"right password", "alice", "password-alice", http.StatusSeeOther, ""},
		{"name in other case", "ALICE", "password-alice", http.StatusSeeOther, ""},
		{"wrong password", "alice", "password-bob", http.StatusUnauthorized, "Invalid username or password"},
		{"unknown user", "nobody", "password-alice", http.StatusUnauthorized, "Invalid username or password"},
		{"empty fields", "", "", http.StatusUnauthorized, "Invalid username or password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBrowser(t, a.URL())
			status, body, hdr := b.post("/login", url.Values{"username": {tt.username}, "password": {tt.password}})
			if status != tt.wantStatus {
				t.Fatalf("POST /login: got %d, want %d", status, tt.wantStatus)
			}
			if !strings.Contains(body, tt.wantBody) {
				t.Errorf("body lacks %q", tt.wantBody)
			}
			if tt.wantStatus == http.StatusSeeOther {
				if hdr.Get("Location") != "/r/general" || b.cookie() == "" {
					t.Errorf("got redirect to %q with cookie %q, want /r/general with a session", hdr.Get("Location"), b.cookie())
				}
			} else if b.cookie() != "" {
				t.Errorf("failed sign-in set a session cookie")
			}
		})
	}
}

func TestRegisterRefusesBadInput(t *testing.T) {
	a := startApp(t, testConfig(t))
	signedUp(t, a, "alice")

	tests := []struct {
		name, username, password string
		wantStatus               int
		wantBody                 string
	}{
		{"name taken", "alice", "password1", http.StatusConflict, "already taken"},
		{"name taken in other case", "ALICE", "password1", http.StatusConflict, "already taken"},
		{"name too short", "al", "password1", http.StatusUnprocessableEntity, "3 to 32"},
		{"name too long", strings.Repeat("a", 33), "password1", http.StatusUnprocessableEntity, "3 to 32"},
		{"name with space", "al ice", "password1", http.StatusUnprocessableEntity, "only letters"},
		{"name with markup", "<b>bob</b>", "password1", http.StatusUnprocessableEntity, "only letters"},
		{"name not ascii", "bøb", "password1", http.StatusUnprocessableEntity, "only letters"},
		{"empty name", "", "password1", http.StatusUnprocessableEntity, "3 to 32"},
		{"short password", "bob", "short", http.StatusUnprocessableEntity, "at least 8"},
		{"password over 72 bytes", "bob", strings.Repeat("p", 73), http.StatusUnprocessableEntity, "at most 72"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBrowser(t, a.URL())
			status, body, _ := b.post("/register", url.Values{"username": {tt.username}, "password": {tt.password}})
			if status != tt.wantStatus {
				t.Fatalf("POST /register: got %d, want %d", status, tt.wantStatus)
			}
			if !strings.Contains(body, tt.wantBody) {
				t.Errorf("body lacks %q", tt.wantBody)
			}
			if !strings.Contains(body, `name="username"`) {
				t.Errorf("the form is not shown again")
			}
			if b.cookie() != "" {
				t.Errorf("refused registration set a session cookie")
			}
		})
	}
}

func TestSignOutRevokesSession(t *testing.T) {
	a := startApp(t, testConfig(t))
	b := signedUp(t, a, "alice")
	stolen := b.cookie()

	status, _, hdr := b.post("/logout", nil)
	if status != http.StatusSeeOther || hdr.Get("Location") != "/login" {
		t.Fatalf("POST /logout: got %d to %q, want 303 to /login", status, hdr.Get("Location"))
	}
	// The old cookie value, replayed, no longer signs anyone in.
	replay := newBrowser(t, a.URL())
	req, _ := http.NewRequest(http.MethodGet, a.URL()+"/r/general", nil)
	req.Header.Set("Cookie", stolen)
	if status, _, hdr := replay.do(req); status != http.StatusSeeOther || hdr.Get("Location") != "/login" {
		t.Errorf("GET /r/general with the signed-out cookie: got %d to %q, want 303 to /login", status, hdr.Get("Location"))
	}
	if _, resp, err := dialSocket(t, a.URL(), stolen, a.URL(), ""); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("dial /ws with the signed-out cookie: got err %v, want 401", err)
	}
}

func TestSignInRotatesSessionID(t *testing.T) {
	a := startApp(t, testConfig(t))
	b := signedUp(t, a, "alice")
	first := b.cookie()
	status, _, _ := b.post("/login", url.Values{"username": {"alice"}, "password": {"password-alice"}})
	if status != http.StatusSeeOther {
		t.Fatalf("sign in again: got %d, want 303", status)
	}
	if second := b.cookie(); second == first || second == "" {
		t.Errorf("session cookie after a new sign-in: got %q, want a new ID", second)
	}
	replay := newBrowser(t, a.URL())
	req, _ := http.NewRequest(http.MethodGet, a.URL()+"/r/general", nil)
	req.Header.Set("Cookie", first)
	if status, _, _ := replay.do(req); status != http.StatusSeeOther {
		t.Errorf("GET /r/general with the replaced session: got %d, want 303 to /login", status)
	}
}

func TestChatRequiresSignIn(t *testing.T) {
	a := startApp(t, testConfig(t))
	b := newBrowser(t, a.URL())
	for path, want := range map[string]string{
		"/": "/login", "/chat": "/login", "/r/general": "/login",
		"/rooms": "/login?next=%2Frooms", "/r/random": "/login?next=%2Fr%2Frandom",
	} {
		if status, _, hdr := b.get(path); status != http.StatusSeeOther || hdr.Get("Location") != want {
			t.Errorf("GET %s signed out: got %d to %q, want 303 to %s", path, status, hdr.Get("Location"), want)
		}
	}
	status, body, _ := b.get("/login")
	if status != http.StatusOK {
		t.Fatalf("GET /login: got %d", status)
	}
	for _, want := range []string{`name="username"`, `name="password"`, ">Username<", ">Password<", ">Sign in<", `href="/register"`} {
		if !strings.Contains(body, want) {
			t.Errorf("login page lacks %q", want)
		}
	}
}

func TestClosedRegistration(t *testing.T) {
	cfg := testConfig(t)
	cfg.RegistrationOpen = false
	a := startApp(t, cfg)
	b := newBrowser(t, a.URL())
	if status, _, _ := b.get("/register"); status != http.StatusNotFound {
		t.Errorf("GET /register: got %d, want 404", status)
	}
	if status, _, _ := b.post("/register", url.Values{"username": {"alice"}, "password": {"password1"}}); status != http.StatusNotFound {
		t.Errorf("POST /register: got %d, want 404", status)
	}
	if _, body, _ := b.get("/login"); strings.Contains(body, `href="/register"`) {
		t.Errorf("login page links to /register while registration is closed")
	}
}

func TestAuthRateLimit(t *testing.T) {
	cfg := testConfig(t)
	cfg.AuthRateLimit = 3
	a := startApp(t, cfg)
	b := newBrowser(t, a.URL())
	for i := range 3 {
		if status, _, _ := b.post("/login", url.Values{"username": {"x"}, "password": {"wrongwrong"}}); status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: got %d, want 401", i+1, status)
		}
	}
	status, body, _ := b.post("/login", url.Values{"username": {"x"}, "password": {"wrongwrong"}})
	if status != http.StatusTooManyRequests || !strings.Contains(body, "Too many attempts") {
		t.Errorf("4th attempt: got %d, want 429 with an explanation", status)
	}
	if status, _, _ := b.post("/register", url.Values{"username": {"bob"}, "password": {"password1"}}); status != http.StatusTooManyRequests {
		t.Errorf("registration after the limit: got %d, want 429", status)
	}
}

func TestSignOutClosesOnlyThatSessionsSockets(t *testing.T) {
	a := startApp(t, testConfig(t))
	laptop := signedUp(t, a, "alice")
	phone := newBrowser(t, a.URL())
	if status, _, _ := phone.post("/login", url.Values{"username": {"alice"}, "password": {"password-alice"}}); status != http.StatusSeeOther {
		t.Fatalf("sign in on the phone: got %d", status)
	}
	bob := signedUp(t, a, "bob")
	laptopTab, phoneTab, bobTab := laptop.dial(""), phone.dial(""), bob.dial("")
	bobTab.waitCount(2)

	if status, _, _ := laptop.post("/logout", nil); status != http.StatusSeeOther {
		t.Fatalf("POST /logout: got %d, want 303", status)
	}
	laptopTab.waitText("You have signed out")
	if code := laptopTab.waitClose(); code != websocket.CloseNormalClosure {
		t.Errorf("signed-out tab: close code %d, want 1000 so that it does not reconnect", code)
	}
	// Alice is still online on her phone, whose session goes on.
	phoneTab.send("still here on the phone")
	bobTab.waitText("still here on the phone</p>")
	if n := count(bobTab.snapshot()); n != 2 {
		t.Errorf("bob sees %d online, want 2: alice's phone is still connected", n)
	}
}
