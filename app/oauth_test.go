package app_test

import (
	"database/sql"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/parleychat/parley/app"
	"github.com/parleychat/parley/app/oauth"
	"github.com/parleychat/parley/app/oauth/oauthtest"
)

// These tests run the whole OAuth dance through the real server: the app
// in-process on loopback, fake GitHub and OpenID Connect providers on
// loopback speaking the real protocol, and a cookie-keeping browser that
// steps through each redirect (or follows them, in one test).

// The sentences the person sees when a sign-in fails.
const (
	msgStateFailed   = "Sign-in failed: the request expired or was already used. Please try again."
	msgGitHubFailed  = "Signing in with GitHub failed. Please try again."
	msgGitHubDenied  = "GitHub sign-in was cancelled."
	msgGitHubNoCode  = "GitHub did not complete the sign-in. Please try again."
	msgOIDCFailed    = "Signing in with OpenID Connect failed. Please try again."
	msgTooManyOAuths = "Too many attempts"
)

// oauthFakes are the fake providers one app signs in at.
type oauthFakes struct {
	github *oauthtest.GitHub
	oidc   *oauthtest.OIDC
}

// withFakeProviders configures GitHub and OpenID Connect at new fakes.
func withFakeProviders(t *testing.T, cfg *app.Config) oauthFakes {
	t.Helper()
	f := oauthFakes{github: oauthtest.NewGitHub(t), oidc: oauthtest.NewOIDC(t)}
	cfg.OAuth.GitHub = f.github.Credentials()
	cfg.OAuth.GitHubEndpoints = f.github.Endpoints()
	cfg.OAuth.OIDC = f.oidc.Config()
	return f
}

// startOAuthApp starts Parley with GitHub and OpenID Connect at fakes.
func startOAuthApp(t *testing.T) (*app.App, app.Config, oauthFakes) {
	t.Helper()
	cfg := testConfig(t)
	fakes := withFakeProviders(t, &cfg)
	return startApp(t, cfg), cfg, fakes
}

// oauthBegin opens /auth/{provider} and returns where it redirects to.
func (b *browser) oauthBegin(provider string) *url.URL {
	b.t.Helper()
	status, body, hdr := b.get("/auth/" + provider)
	if status != http.StatusSeeOther && status != http.StatusFound {
		b.t.Fatalf("GET /auth/%s: got %d, want a redirect to the provider; body: %.300s", provider, status, body)
	}
	loc, err := url.Parse(hdr.Get("Location"))
	if err != nil || !loc.IsAbs() {
		b.t.Fatalf("GET /auth/%s: redirect to %q, want an absolute URL", provider, hdr.Get("Location"))
	}
	return loc
}

// oauthConsent begins a sign-in and consents at the provider: it returns
// the callback URL the provider sends the browser back to.
func (b *browser) oauthConsent(provider string) *url.URL {
	b.t.Helper()
	return oauthtest.Consent(b.t, b.oauthBegin(provider).String())
}

// open requests an absolute URL (a callback) with the browser's cookies.
func (b *browser) open(u *url.URL) (int, string, http.Header) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// oauthSignIn signs in with a provider and checks the landing on /r/general.
func (b *browser) oauthSignIn(provider string) {
	b.t.Helper()
	status, body, hdr := b.open(b.oauthConsent(provider))
	if status != http.StatusSeeOther || hdr.Get("Location") != "/r/general" {
		b.t.Fatalf("%s callback: got %d to %q, want 303 to /r/general; body: %.300s", provider, status, hdr.Get("Location"), body)
	}
	if b.cookie() == "" {
		b.t.Fatalf("%s sign-in set no session cookie", provider)
	}
}

// cookiesFor returns the cookies the browser would send to u.
func (b *browser) cookiesFor(u *url.URL) []*http.Cookie {
	return b.http.Jar.Cookies(u)
}

// chatPage fetches /r/general and fails unless it is the chat page.
func (b *browser) chatPage() string {
	b.t.Helper()
	status, body, hdr := b.get("/r/general")
	if status != http.StatusOK {
		b.t.Fatalf("GET /r/general: got %d to %q, want 200", status, hdr.Get("Location"))
	}
	return body
}

// withQuery returns a copy of u with its query changed by edit.
func withQuery(u *url.URL, edit func(q url.Values)) *url.URL {
	c := *u
	q := c.Query()
	edit(q)
	c.RawQuery = q.Encode()
	return &c
}

// storeCounts reads, from the app's database file, how many users,
// identities and sessions exist: "nothing created" cannot be seen from
// outside. SQLite in WAL mode lets this reader look beside the server.
func storeCounts(t *testing.T, cfg app.Config) (users, identities, sessions int) {
	t.Helper()
	db, err := sql.Open("sqlite", cfg.DatabaseURL+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatalf("open the app's database: %v", err)
	}
	defer db.Close()
	for _, c := range []struct {
		table string
		n     *int
	}{{"users", &users}, {"identities", &identities}, {"sessions", &sessions}} {
		if err := db.QueryRow("SELECT count(*) FROM " + c.table).Scan(c.n); err != nil {
			t.Fatalf("count %s: %v", c.table, err)
		}
	}
	return users, identities, sessions
}

// loginCounts maps each OAuth user's display name to its login count.
func loginCounts(t *testing.T, cfg app.Config) map[string]int {
	t.Helper()
	db, err := sql.Open("sqlite", cfg.DatabaseURL+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatalf("open the app's database: %v", err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT display_name, provider, login_count FROM users WHERE provider != ''")
	if err != nil {
		t.Fatalf("read users: %v", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var name, provider string
		var n int
		if err := rows.Scan(&name, &provider, &n); err != nil {
			t.Fatal(err)
		}
		counts[provider+":"+name] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return counts
}

// Markup of the signed-in person and of message authors.
var (
	meGitHubOctocat = regexp.MustCompile(`<span class="me-name">\s*octocat\s*<span class="badge"[^>]*>GitHub</span>\s*</span>`)
	meLocalOctocat  = regexp.MustCompile(`<span class="me-name">\s*octocat\s*</span>`)
	authorOctocat   = regexp.MustCompile(`<span class="author">octocat</span>\s*(<span class="badge"[^>]*>([^<]*)</span>)?`)
	articlePattern  = regexp.MustCompile(`(?s)<article class="message".*?</article>`)
	providerLinks   = regexp.MustCompile(`<a [^>]*href="/auth/([^"]+)"[^>]*>Continue with ([^<]+)</a>`)
)

// authorBadge returns the badge beside "octocat" in the message whose text
// is text, "" when it has none; it fails when no such message is in html.
func authorBadge(t *testing.T, html, text string) string {
	t.Helper()
	for _, article := range articlePattern.FindAllString(html, -1) {
		if !strings.Contains(article, ">"+text+"<") {
			continue
		}
		m := authorOctocat.FindStringSubmatch(article)
		if m == nil {
			t.Fatalf("message %q is not by octocat: %s", text, article)
		}
		return m[2]
	}
	t.Fatalf("no message %q in %.500s", text, html)
	return ""
}

func TestOAuthGitHubSignInFollowingRedirects(t *testing.T) {
	a, cfg, _ := startOAuthApp(t)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// A browser: keeps cookies and follows every redirect, to the provider
	// and back, as a person clicking "Continue with GitHub" would.
	client := &http.Client{Jar: jar, Timeout: waitTimeout}
	resp, err := client.Get(a.URL() + "/auth/github")
	if err != nil {
		t.Fatalf("sign in with GitHub: %v", err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/r/general" {
		t.Fatalf("sign-in ended on %s with %d, want /r/general with 200", resp.Request.URL, resp.StatusCode)
	}
	body := string(page)
	if !meGitHubOctocat.MatchString(body) {
		t.Errorf("chat page does not show octocat with a GitHub badge: %.2000s", body)
	}
	if !strings.Contains(body, `src="https://avatars.example.test/u/4242"`) {
		t.Errorf("chat page lacks the GitHub avatar")
	}
	base, _ := url.Parse(a.URL())
	var session bool
	for _, c := range jar.Cookies(base) {
		session = session || c.Name == "parley_session"
	}
	if !session {
		t.Errorf("no session cookie after the sign-in")
	}
	if users, identities, sessions := storeCounts(t, cfg); users != 1 || identities != 1 || sessions != 1 {
		t.Errorf("after one sign-in: %d users, %d identities, %d sessions, want 1 each", users, identities, sessions)
	}
}

func TestOAuthBeginRedirectsWithStateAndPKCE(t *testing.T) {
	a, _, fakes := startOAuthApp(t)
	b := newBrowser(t, a.URL())
	status, _, hdr := b.get("/auth/github")
	if status != http.StatusSeeOther {
		t.Fatalf("GET /auth/github: got %d, want 303", status)
	}
	if cc := hdr.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	loc, err := url.Parse(hdr.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := loc.Scheme+"://"+loc.Host+loc.Path, fakes.github.URL()+"/login/oauth/authorize"; got != want {
		t.Errorf("redirect to %s, want %s", got, want)
	}
	q := loc.Query()
	state := q.Get("state")
	checks := []struct{ name, got, want string }{
		{"client_id", q.Get("client_id"), oauthtest.ClientID},
		{"redirect_uri", q.Get("redirect_uri"), a.URL() + "/auth/github/callback"},
		{"code_challenge_method", q.Get("code_challenge_method"), "S256"},
		{"scope", q.Get("scope"), "user:email"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if len(q.Get("code_challenge")) < 43 {
		t.Errorf("code_challenge %q, want an S256 challenge", q.Get("code_challenge"))
	}
	if len(state) < 43 {
		t.Errorf("state %q is shorter than 32 random bytes in base64", state)
	}

	// The state is bound to this browser by a short-lived cookie.
	var bound *http.Cookie
	for _, line := range hdr.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(line); err == nil && c.Value == state {
			bound = c
		}
	}
	if bound == nil {
		t.Fatalf("no cookie binds the state to the browser; Set-Cookie: %q", hdr.Values("Set-Cookie"))
	}
	if !bound.HttpOnly || bound.SameSite != http.SameSiteLaxMode || bound.Secure || bound.Path != "/auth/" {
		t.Errorf("state cookie %+v, want HttpOnly, SameSite=Lax, not Secure on http, Path=/auth/", bound)
	}
	if bound.MaxAge <= 0 || bound.MaxAge > 15*60 {
		t.Errorf("state cookie Max-Age %d, want a few minutes", bound.MaxAge)
	}
	if b.cookie() != "" {
		t.Errorf("beginning a sign-in set a session cookie")
	}

	// Every sign-in has its own state.
	if again := b.oauthBegin("github").Query().Get("state"); again == state {
		t.Errorf("two sign-ins got the same state %q", state)
	}
}

func TestOAuthStateCookieSecureOnHTTPS(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := testConfig(t)
	withFakeProviders(t, &cfg)
	cfg.Addr = addr
	cfg.BaseURL = "https://" + addr // TLS ends at a proxy; the app speaks http
	a := startApp(t, cfg)
	b := newBrowser(t, "http://"+a.Addr())
	_, _, hdr := b.get("/auth/github")
	loc, err := url.Parse(hdr.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := loc.Query().Get("redirect_uri"), "https://"+addr+"/auth/github/callback"; got != want {
		t.Errorf("redirect_uri %q, want %q", got, want)
	}
	var secure bool
	for _, line := range hdr.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(line); err == nil && c.Value == loc.Query().Get("state") {
			secure = c.Secure
		}
	}
	if !secure {
		t.Errorf("state cookie is not Secure with an https BASE_URL; Set-Cookie: %q", hdr.Values("Set-Cookie"))
	}
}

func TestOAuthFirstSignInCreatesUserSecondReusesIt(t *testing.T) {
	a, cfg, fakes := startOAuthApp(t)

	first := newBrowser(t, a.URL())
	first.oauthSignIn("github")
	if body := first.chatPage(); !meGitHubOctocat.MatchString(body) {
		t.Errorf("chat page does not show octocat with a GitHub badge")
	}
	s1 := first.dial("")
	s1.waitCount(1)

	// The same GitHub account in another browser is the same person: two
	// sockets of one user count once.
	second := newBrowser(t, a.URL())
	second.oauthSignIn("github")
	s2 := second.dial("")
	s2.waitCount(1)
	s1.waitCount(1)
	if counts := loginCounts(t, cfg); len(counts) != 1 || counts["github:octocat"] != 2 {
		t.Errorf("after two sign-ins: users %v, want github:octocat with login count 2", counts)
	}

	// Another GitHub account is another person.
	u := oauthtest.DefaultGitHubUser()
	u.ID, u.Login = 777, "hubot"
	fakes.github.SetUser(u)
	third := newBrowser(t, a.URL())
	third.oauthSignIn("github")
	s3 := third.dial("")
	s3.waitCount(2)
	s1.waitCount(2)

	// Messages from both sessions of octocat show the same author.
	s1.send("from the first browser")
	s2.send("from the second browser")
	s3.waitText("from the first browser")
	s3.waitText("from the second browser")
	page := third.chatPage()
	for _, text := range []string{"from the first browser", "from the second browser"} {
		if badge := authorBadge(t, page, text); badge != "GitHub" {
			t.Errorf("message %q: badge %q, want GitHub", text, badge)
		}
	}
	if users, identities, _ := storeCounts(t, cfg); users != 2 || identities != 2 {
		t.Errorf("%d users and %d identities, want 2 each", users, identities)
	}
}

func TestOAuthOIDCSignIn(t *testing.T) {
	a, cfg, _ := startOAuthApp(t)
	b := newBrowser(t, a.URL())
	begin := b.oauthBegin("oidc")
	if begin.Query().Get("nonce") == "" || begin.Query().Get("code_challenge_method") != "S256" {
		t.Errorf("OIDC authorization URL %s lacks a nonce or PKCE", begin)
	}
	if got, want := begin.Query().Get("redirect_uri"), a.URL()+"/auth/oidc/callback"; got != want {
		t.Errorf("redirect_uri %q, want %q", got, want)
	}
	status, _, hdr := b.open(oauthtest.Consent(t, begin.String()))
	if status != http.StatusSeeOther || hdr.Get("Location") != "/r/general" {
		t.Fatalf("OIDC callback: got %d to %q, want 303 to /r/general", status, hdr.Get("Location"))
	}
	body := b.chatPage()
	if !regexp.MustCompile(`<span class="me-name">\s*ada\s*<span class="badge"`).MatchString(body) {
		t.Errorf("chat page does not show ada with a provider badge")
	}
	if !strings.Contains(body, `src="https://id.example.test/ada.png"`) {
		t.Errorf("chat page lacks the OIDC picture")
	}
	if counts := loginCounts(t, cfg); counts["oidc:ada"] != 1 {
		t.Errorf("users %v, want oidc:ada with login count 1", counts)
	}
}

func TestOAuthSameEmailAtTwoProvidersIsTwoPeople(t *testing.T) {
	a, cfg, fakes := startOAuthApp(t)
	u := oauthtest.DefaultGitHubUser()
	u.Login = "ada"
	u.Emails = []oauthtest.GitHubEmail{{Email: oauthtest.DefaultOIDCUser().Email, Primary: true, Verified: true}}
	fakes.github.SetUser(u)

	viaGitHub := newBrowser(t, a.URL())
	viaGitHub.oauthSignIn("github")
	viaOIDC := newBrowser(t, a.URL())
	viaOIDC.oauthSignIn("oidc")
	s1, s2 := viaGitHub.dial(""), viaOIDC.dial("")
	s1.waitCount(2)
	s2.waitCount(2)
	if users, identities, _ := storeCounts(t, cfg); users != 2 || identities != 2 {
		t.Errorf("one email at two providers made %d users and %d identities, want 2 each", users, identities)
	}
}

func TestOAuthNameCollidingWithLocalUserIsDistinguishable(t *testing.T) {
	a, _, _ := startOAuthApp(t)
	local := signedUp(t, a, "octocat")
	hub := newBrowser(t, a.URL())
	hub.oauthSignIn("github") // GitHub login "octocat"

	if body := hub.chatPage(); !meGitHubOctocat.MatchString(body) {
		t.Errorf("GitHub octocat's page does not show the GitHub badge")
	}
	if body := local.chatPage(); !meLocalOctocat.MatchString(body) {
		t.Errorf("local octocat's page does not show a plain octocat")
	}

	ls := local.dial("")
	ls.waitCount(1)
	hs := hub.dial("")
	ls.waitCount(2) // two people, whatever their names
	hs.waitCount(2)
	// Join notices are plain text: the provider is named there.
	ls.waitText("octocat (GitHub) joined the chat")
	hs.send("hello from GitHub")
	ls.send("hello from here")
	for _, s := range []*socket{ls, hs} {
		s.waitText("hello from GitHub")
		s.waitText("hello from here")
	}

	// Over the websocket, as fragments.
	for _, s := range []*socket{ls, hs} {
		frames := strings.Join(s.snapshot(), "\n")
		if badge := authorBadge(t, frames, "hello from GitHub"); badge != "GitHub" {
			t.Errorf("fragment of the GitHub user's message: badge %q, want GitHub", badge)
		}
		if badge := authorBadge(t, frames, "hello from here"); badge != "" {
			t.Errorf("fragment of the local user's message: badge %q, want none", badge)
		}
	}
	// And in the history on the page.
	page := local.chatPage()
	if badge := authorBadge(t, page, "hello from GitHub"); badge != "GitHub" {
		t.Errorf("page: GitHub user's message has badge %q, want GitHub", badge)
	}
	if badge := authorBadge(t, page, "hello from here"); badge != "" {
		t.Errorf("page: local user's message has badge %q, want none", badge)
	}
}

func TestOAuthFailuresEndOnLoginPage(t *testing.T) {
	type fixture struct {
		app   *app.App
		fakes oauthFakes
	}
	tests := []struct {
		name       string
		provider   string
		setup      func(f oauthFakes)
		callback   func(t *testing.T, f fixture, b *browser) (*browser, *url.URL)
		wantStatus int
		wantMsg    string
	}{
		{
			name: "tampered state", provider: "github",
			callback: func(t *testing.T, f fixture, b *browser) (*browser, *url.URL) {
				return b, withQuery(b.oauthConsent("github"), func(q url.Values) {
					s := []byte(q.Get("state"))
					s[0] ^= 1
					q.Set("state", string(s))
				})
			},
			wantStatus: http.StatusBadRequest, wantMsg: msgStateFailed,
		},
		{
			name: "missing state", provider: "github",
			callback: func(t *testing.T, f fixture, b *browser) (*browser, *url.URL) {
				return b, withQuery(b.oauthConsent("github"), func(q url.Values) { q.Del("state") })
			},
			wantStatus: http.StatusBadRequest, wantMsg: msgStateFailed,
		},
		{
			name: "state given twice", provider: "github",
			callback: func(t *testing.T, f fixture, b *browser) (*browser, *url.URL) {
				return b, withQuery(b.oauthConsent("github"), func(q url.Values) { q.Add("state", q.Get("state")) })
			},
			wantStatus: http.StatusBadRequest, wantMsg: msgStateFailed,
		},
		{
			// Login CSRF: someone else's callback URL opened in this browser.
			name: "missing cookie", provider: "github",
			callback: func(t *testing.T, f fixture, b *browser) (*browser, *url.URL) {
				return newBrowser(t, f.app.URL()), b.oauthConsent("github")
			},
			wantStatus: http.StatusBadRequest, wantMsg: msgStateFailed,
		},
		{
			name: "state of another provider", provider: "github",
			callback: func(t *testing.T, f fixture, b *browser) (*browser, *url.URL) {
				back := b.oauthConsent("github")
				back.Path = "/auth/oidc/callback"
				return b, back
			},
			wantStatus: http.StatusBadRequest, wantMsg: msgStateFailed,
		},
		{
			name: "missing code", provider: "github",
			callback: func(t *testing.T, f fixture, b *browser) (*browser, *url.URL) {
				return b, withQuery(b.oauthConsent("github"), func(q url.Values) { q.Del("code") })
			},
			wantStatus: http.StatusBadRequest, wantMsg: msgGitHubNoCode,
		},
		{
			name: "provider error", provider: "github",
			callback: func(t *testing.T, f fixture, b *browser) (*browser, *url.URL) {
				return b, withQuery(b.oauthConsent("github"), func(q url.Values) {
					q.Del("code")
					q.Set("error", "server_error")
					q.Set("error_description", "<script>alert(1)</script>")
				})
			},
			wantStatus: http.StatusBadRequest, wantMsg: msgGitHubNoCode,
		},
		{
			name: "access denied", provider: "github",
			setup:      func(f oauthFakes) { f.github.DenyConsent() },
			wantStatus: http.StatusForbidden, wantMsg: msgGitHubDenied,
		},
		{
			name: "token endpoint fails", provider: "github",
			setup:      func(f oauthFakes) { f.github.FailTokenEndpoint() },
			wantStatus: http.StatusUnauthorized, wantMsg: msgGitHubFailed,
		},
		{
			name: "OIDC token endpoint fails", provider: "oidc",
			setup:      func(f oauthFakes) { f.oidc.FailTokenEndpoint() },
			wantStatus: http.StatusUnauthorized, wantMsg: msgOIDCFailed,
		},
		{
			name: "ID token with a bad signature", provider: "oidc",
			setup:      func(f oauthFakes) { f.oidc.SignWithWrongKey() },
			wantStatus: http.StatusUnauthorized, wantMsg: msgOIDCFailed,
		},
		{
			name: "expired ID token", provider: "oidc",
			setup:      func(f oauthFakes) { f.oidc.IssueExpiredTokens() },
			wantStatus: http.StatusUnauthorized, wantMsg: msgOIDCFailed,
		},
		{
			name: "ID token for another client", provider: "oidc",
			setup:      func(f oauthFakes) { f.oidc.SetAudience("someone-else") },
			wantStatus: http.StatusUnauthorized, wantMsg: msgOIDCFailed,
		},
		{
			name: "ID token with a forged nonce", provider: "oidc",
			setup:      func(f oauthFakes) { f.oidc.ForgeNonce() },
			wantStatus: http.StatusUnauthorized, wantMsg: msgOIDCFailed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, cfg, fakes := startOAuthApp(t)
			if tt.setup != nil {
				tt.setup(fakes)
			}
			b := newBrowser(t, a.URL())
			var back *url.URL
			if tt.callback != nil {
				b, back = tt.callback(t, fixture{a, fakes}, b)
			} else {
				back = b.oauthConsent(tt.provider)
			}
			status, body, hdr := b.open(back)
			if status != tt.wantStatus {
				t.Errorf("callback: got %d, want %d; body: %.300s", status, tt.wantStatus, body)
			}
			if !containsAll(body, `action="/login"`, "Continue with GitHub", tt.wantMsg) {
				t.Errorf("callback did not show the sign-in page with %q: %.1500s", tt.wantMsg, body)
			}
			if strings.Contains(body, "<script>alert") {
				t.Errorf("the provider's error text reached the page")
			}
			for _, line := range hdr.Values("Set-Cookie") {
				if strings.HasPrefix(line, "parley_session=") {
					t.Errorf("failed sign-in set a session cookie: %q", line)
				}
			}
			if b.cookie() != "" {
				t.Errorf("failed sign-in left a session cookie")
			}
			// The states the callback named serve no second callback. (A
			// sign-in it did not name, as when its state was tampered
			// with or left out, keeps its own cookie for its own callback.)
			for _, c := range b.cookiesFor(back) {
				if slices.Contains(back.Query()["state"], c.Value) {
					t.Errorf("the state cookie outlived its callback: %v", c)
				}
			}
			if status, _, hdr := b.get("/r/general"); status != http.StatusSeeOther || hdr.Get("Location") != "/login" {
				t.Errorf("GET /r/general after a failed sign-in: got %d to %q, want 303 to /login", status, hdr.Get("Location"))
			}
			if users, identities, sessions := storeCounts(t, cfg); users+identities+sessions != 0 {
				t.Errorf("failed sign-in stored %d users, %d identities, %d sessions, want none", users, identities, sessions)
			}
		})
	}
}

func TestOAuthReplayedCallbackFails(t *testing.T) {
	a, cfg, _ := startOAuthApp(t)
	b := newBrowser(t, a.URL())
	back := b.oauthConsent("github")
	stateCookies := b.cookiesFor(back)
	if len(stateCookies) == 0 {
		t.Fatalf("no cookie binds the state to the browser")
	}
	if status, _, hdr := b.open(back); status != http.StatusSeeOther || hdr.Get("Location") != "/r/general" {
		t.Fatalf("callback: got %d to %q, want 303 to /r/general", status, hdr.Get("Location"))
	}
	session := b.cookie()

	// The same browser, once more.
	status, body, hdr := b.open(back)
	if status != http.StatusBadRequest || !strings.Contains(body, msgStateFailed) {
		t.Errorf("replay in the same browser: got %d, want 400 with %q", status, msgStateFailed)
	}
	if strings.Contains(strings.Join(hdr.Values("Set-Cookie"), "\n"), "parley_session=") || b.cookie() != session {
		t.Errorf("replay changed the session cookie")
	}

	// Someone holding both the callback URL and the state cookie: the
	// state was used once and is gone from the server.
	thief := newBrowser(t, a.URL())
	thief.http.Jar.SetCookies(back, stateCookies)
	status, body, _ = thief.open(back)
	if status != http.StatusBadRequest || !strings.Contains(body, msgStateFailed) {
		t.Errorf("replay with the state cookie: got %d, want 400 with %q", status, msgStateFailed)
	}
	if thief.cookie() != "" {
		t.Errorf("replay signed someone in")
	}
	if counts := loginCounts(t, cfg); counts["github:octocat"] != 1 {
		t.Errorf("users %v, want github:octocat with login count 1", counts)
	}
	if _, _, sessions := storeCounts(t, cfg); sessions != 1 {
		t.Errorf("%d sessions, want 1", sessions)
	}
}

func TestOAuthForeignCallbackDoesNotBurnTheState(t *testing.T) {
	a, cfg, _ := startOAuthApp(t)
	owner := newBrowser(t, a.URL())
	back := owner.oauthConsent("github")

	// A victim lured to the owner's callback URL is not signed in as the
	// owner, and the owner's sign-in still works.
	victim := newBrowser(t, a.URL())
	if status, _, _ := victim.open(back); status != http.StatusBadRequest || victim.cookie() != "" {
		t.Fatalf("callback without the state cookie: got %d (session %q), want 400 and no session", status, victim.cookie())
	}
	if status, _, hdr := owner.open(back); status != http.StatusSeeOther || hdr.Get("Location") != "/r/general" {
		t.Errorf("owner's callback after the foreign one: got %d to %q, want 303 to /r/general", status, hdr.Get("Location"))
	}
	if counts := loginCounts(t, cfg); counts["github:octocat"] != 1 {
		t.Errorf("users %v, want github:octocat with login count 1", counts)
	}
}

// TestOAuthTwoSignInsAtOnce: a sign-in begun in one tab still works after
// another one was begun in a second tab of the same browser, and so does
// the second.
func TestOAuthTwoSignInsAtOnce(t *testing.T) {
	a, cfg, _ := startOAuthApp(t)
	b := newBrowser(t, a.URL())
	first, second := b.oauthConsent("github"), b.oauthConsent("oidc")
	for _, back := range []*url.URL{first, second} {
		if status, body, hdr := b.open(back); status != http.StatusSeeOther || hdr.Get("Location") != "/r/general" {
			t.Errorf("callback %s: got %d to %q, want 303 to /r/general; body: %.300s", back.Path, status, hdr.Get("Location"), body)
		}
	}
	if counts := loginCounts(t, cfg); len(counts) != 2 {
		t.Errorf("users %v, want one signed in with GitHub and one with OpenID Connect", counts)
	}
	for _, c := range b.cookiesFor(first) {
		if c.Value == first.Query().Get("state") || c.Value == second.Query().Get("state") {
			t.Errorf("a state cookie is left after both callbacks: %v", c)
		}
	}
}

func TestOAuthFailedThenSuccessfulSignIn(t *testing.T) {
	a, cfg, _ := startOAuthApp(t)
	b := newBrowser(t, a.URL())
	tampered := withQuery(b.oauthConsent("github"), func(q url.Values) { q.Set("state", "x"+q.Get("state")) })
	if status, _, _ := b.open(tampered); status != http.StatusBadRequest {
		t.Fatalf("tampered callback: got %d, want 400", status)
	}
	b.oauthSignIn("github")
	if counts := loginCounts(t, cfg); counts["github:octocat"] != 1 {
		t.Errorf("users %v, want github:octocat with login count 1: the failure created nothing", counts)
	}
}

func TestOAuthLoginPageListsConfiguredProviders(t *testing.T) {
	tests := []struct {
		name      string
		configure func(t *testing.T, cfg *app.Config)
		want      []string // "name=Label", in order
	}{
		{"none", func(*testing.T, *app.Config) {}, nil},
		{"GitHub only", func(t *testing.T, cfg *app.Config) {
			gh := oauthtest.NewGitHub(t)
			cfg.OAuth.GitHub, cfg.OAuth.GitHubEndpoints = gh.Credentials(), gh.Endpoints()
		}, []string{"github=GitHub"}},
		{"every provider", func(t *testing.T, cfg *app.Config) {
			withFakeProviders(t, cfg)
			cfg.OAuth.OIDC.Name = "Keycloak"
			cfg.OAuth.Google = oauth.Credentials{ClientID: "google-id", ClientSecret: "google-secret"}
			cfg.OAuth.GitLab = oauth.Credentials{ClientID: "gitlab-id", ClientSecret: "gitlab-secret"}
		}, []string{"github=GitHub", "google=Google", "gitlab=GitLab", "oidc=Keycloak"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			tt.configure(t, &cfg)
			a := startApp(t, cfg)
			status, body, _ := newBrowser(t, a.URL()).get("/login")
			if status != http.StatusOK {
				t.Fatalf("GET /login: got %d", status)
			}
			var got []string
			for _, m := range providerLinks.FindAllStringSubmatch(body, -1) {
				got = append(got, m[1]+"="+m[2])
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("provider links %q, want %q", got, tt.want)
			}
			if n := strings.Count(body, "Continue with"); n != len(tt.want) {
				t.Errorf("%d \"Continue with\" on the page, want %d", n, len(tt.want))
			}
		})
	}
}

func TestOAuthGoogleAndGitLabRedirectToTheirProviders(t *testing.T) {
	cfg := testConfig(t)
	cfg.OAuth.Google = oauth.Credentials{ClientID: "google-id", ClientSecret: "google-secret"}
	cfg.OAuth.GitLab = oauth.Credentials{ClientID: "gitlab-id", ClientSecret: "gitlab-secret"}
	a := startApp(t, cfg)
	b := newBrowser(t, a.URL())
	for _, tt := range []struct{ provider, endpoint, clientID, scope string }{
		{"google", "https://accounts.google.com/o/oauth2/auth", "google-id", "profile email"},
		{"gitlab", "https://gitlab.com/oauth/authorize", "gitlab-id", "read_user"},
	} {
		loc := b.oauthBegin(tt.provider) // no request reaches the provider
		q := loc.Query()
		if got := loc.Scheme + "://" + loc.Host + loc.Path; got != tt.endpoint {
			t.Errorf("%s: redirect to %s, want %s", tt.provider, got, tt.endpoint)
		}
		if q.Get("client_id") != tt.clientID || q.Get("redirect_uri") != a.URL()+"/auth/"+tt.provider+"/callback" {
			t.Errorf("%s: client_id %q, redirect_uri %q", tt.provider, q.Get("client_id"), q.Get("redirect_uri"))
		}
		if q.Get("scope") != tt.scope || q.Get("code_challenge_method") != "S256" || len(q.Get("state")) < 43 {
			t.Errorf("%s: scope %q, PKCE %q, state %q", tt.provider, q.Get("scope"), q.Get("code_challenge_method"), q.Get("state"))
		}
	}
}

func TestOAuthUnknownProvidersAre404(t *testing.T) {
	cfg := testConfig(t)
	gh := oauthtest.NewGitHub(t)
	cfg.OAuth.GitHub, cfg.OAuth.GitHubEndpoints = gh.Credentials(), gh.Endpoints()
	a := startApp(t, cfg)
	bare := startApp(t, testConfig(t))
	for _, tt := range []struct {
		app  *app.App
		path string
	}{
		{a, "/auth/unknown"},
		{a, "/auth/unknown/callback?state=x&code=y"},
		{a, "/auth/google"},
		{a, "/auth/google/callback?state=x&code=y"},
		{a, "/auth/oidc"},
		{bare, "/auth/github"},
		{bare, "/auth/github/callback?state=x&code=y"},
	} {
		b := newBrowser(t, tt.app.URL())
		status, body, hdr := b.get(tt.path)
		if status != http.StatusNotFound {
			t.Errorf("GET %s: got %d, want 404", tt.path, status)
		}
		if strings.Contains(body, "Continue with") && tt.app == bare {
			t.Errorf("GET %s: page offers a provider", tt.path)
		}
		if len(hdr.Values("Set-Cookie")) != 0 {
			t.Errorf("GET %s set cookies: %q", tt.path, hdr.Values("Set-Cookie"))
		}
	}
}

func TestOAuthBeginIsRateLimited(t *testing.T) {
	cfg := testConfig(t)
	withFakeProviders(t, &cfg)
	cfg.AuthRateLimit = 2
	a := startApp(t, cfg)
	b := newBrowser(t, a.URL())
	b.oauthBegin("github")
	b.oauthBegin("oidc")
	status, body, hdr := b.get("/auth/github")
	if status != http.StatusTooManyRequests || !strings.Contains(body, msgTooManyOAuths) {
		t.Errorf("third sign-in: got %d to %q, want 429 with an explanation", status, hdr.Get("Location"))
	}
	// One limiter for every way of signing in.
	if status, _, _ := b.post("/login", url.Values{"username": {"x"}, "password": {"wrongwrong"}}); status != http.StatusTooManyRequests {
		t.Errorf("password sign-in after the OAuth attempts: got %d, want 429", status)
	}
}

func TestOAuthHalfConfiguredProviderStopsLoadConfig(t *testing.T) {
	tests := []struct {
		vars    map[string]string
		wantVar string
	}{
		{map[string]string{"GITHUB_CLIENT_ID": "id"}, "GITHUB_CLIENT_SECRET"},
		{map[string]string{"GITHUB_CLIENT_SECRET": "secret"}, "GITHUB_CLIENT_ID"},
		{map[string]string{"GOOGLE_CLIENT_ID": "id"}, "GOOGLE_CLIENT_SECRET"},
		{map[string]string{"GITLAB_CLIENT_SECRET": "secret"}, "GITLAB_CLIENT_ID"},
		{map[string]string{"OIDC_ISSUER": "https://id.example.com"}, "OIDC_CLIENT_ID"},
		{map[string]string{"OIDC_ISSUER": "https://id.example.com", "OIDC_CLIENT_ID": "id"}, "OIDC_CLIENT_SECRET"},
		{map[string]string{"OIDC_CLIENT_ID": "id", "OIDC_CLIENT_SECRET": "secret"}, "OIDC_ISSUER"},
		{map[string]string{"OIDC_NAME": "Keycloak"}, "OIDC_ISSUER"},
		{oidcVars("id.example.com"), "OIDC_ISSUER"},
		{oidcVars("http://id.example.com"), "OIDC_ISSUER"},
		{oidcVars("https://id.example.com/realms/x?x=1"), "OIDC_ISSUER"},
		{oidcVars("ftp://id.example.com"), "OIDC_ISSUER"},
	}
	for _, tt := range tests {
		t.Run(tt.wantVar, func(t *testing.T) {
			_, err := app.LoadConfig(nil, mapEnv(tt.vars))
			if err == nil {
				t.Fatalf("LoadConfig(%v) succeeded, want an error naming %s", tt.vars, tt.wantVar)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.wantVar) || strings.Contains(msg, "\n") {
				t.Errorf("LoadConfig(%v): error %q does not name %s on one line", tt.vars, msg, tt.wantVar)
			}
			if strings.Contains(err.Error(), "secret") && tt.vars["GITHUB_CLIENT_SECRET"] == "secret" {
				t.Errorf("error %q repeats the secret", err)
			}
		})
	}
}

func TestOAuthLoadConfigReadsProviders(t *testing.T) {
	vars := oidcVars("https://id.example.com/realms/parley")
	vars["OIDC_NAME"] = "Keycloak"
	vars["GITHUB_CLIENT_ID"], vars["GITHUB_CLIENT_SECRET"] = "gh-id", "gh-secret"
	vars["GITLAB_CLIENT_ID"], vars["GITLAB_CLIENT_SECRET"] = "gl-id", "gl-secret"
	vars["BASE_URL"] = "https://chat.example.com"
	cfg, err := app.LoadConfig(nil, mapEnv(vars))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	want := oauth.Config{
		BaseURL: "https://chat.example.com",
		GitHub:  oauth.Credentials{ClientID: "gh-id", ClientSecret: "gh-secret"},
		GitLab:  oauth.Credentials{ClientID: "gl-id", ClientSecret: "gl-secret"},
		OIDC:    oauth.OIDCConfig{Issuer: "https://id.example.com/realms/parley", ClientID: "oidc-id", ClientSecret: "oidc-secret", Name: "Keycloak"},
	}
	got := cfg.OAuth
	if got.BaseURL != want.BaseURL || got.GitHub != want.GitHub || got.GitLab != want.GitLab || got.Google != want.Google || got.OIDC != want.OIDC {
		t.Errorf("OAuth config %+v, want %+v", got, want)
	}
}

func TestOAuthUnreachableIssuerStopsStart(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	cfg := testConfig(t)
	cfg.OAuth.OIDC = oauth.OIDCConfig{Issuer: gone.URL, ClientID: "id", ClientSecret: "secret"}
	a, err := app.Start(t.Context(), cfg)
	if err == nil {
		a.Shutdown(t.Context())
		t.Fatalf("Start with an unreachable OIDC issuer succeeded")
	}
	if msg := err.Error(); !strings.Contains(msg, "OIDC_ISSUER") {
		t.Errorf("error %q does not name OIDC_ISSUER", msg)
	}
}

// oidcVars is a complete OIDC configuration with the given issuer.
func oidcVars(issuer string) map[string]string {
	return map[string]string{"OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": "oidc-id", "OIDC_CLIENT_SECRET": "oidc-secret"}
}

// mapEnv looks variables up in a map, like os.Getenv.
func mapEnv(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}
