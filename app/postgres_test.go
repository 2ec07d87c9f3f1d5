package app_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app"
	"github.com/parleychat/parley/app/apptest"
	"github.com/parleychat/parley/app/servicetest"
)

// These tests run real Parleys on one PostgreSQL schema (a fresh one per
// test, from PARLEY_TEST_POSTGRES_URL; without it they skip, or fail under
// PARLEY_SERVICES=1). What they share is the store: accounts, sessions,
// OAuth sign-ins in progress and history. Live fan-out between instances
// is NATS's work and not tested here.

// postgresConfig is testConfig on a PostgreSQL schema that every call
// with the same databaseURL shares.
func postgresConfig(t *testing.T, databaseURL string) app.Config {
	t.Helper()
	cfg := testConfig(t)
	cfg.DatabaseURL = databaseURL
	return cfg
}

// shutdown stops an instance now, as a deploy does; the test's own
// cleanup then finds it stopped.
func shutdown(t *testing.T, a *app.App) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Shutdown(ctx); err != nil {
		t.Fatalf("shut down: %v", err)
	}
}

var messageIDPattern = regexp.MustCompile(`<article class="message" id="msg-(\d+)"`)

// messageIDs lists the IDs of the messages a page or frame shows, in order.
func messageIDs(html string) []int64 {
	var ids []int64
	for _, m := range messageIDPattern.FindAllStringSubmatch(html, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
	}
	return ids
}

func TestPostgresHistorySurvivesRestart(t *testing.T) {
	db := servicetest.PostgresURL(t)
	first := startApp(t, postgresConfig(t, db))
	alice := signedUp(t, first, "alice")
	s := alice.dial("")
	s.send("stored in PostgreSQL")
	s.waitText("stored in PostgreSQL</p>")
	_, page, _ := alice.get("/r/general")
	before := messageIDs(page)
	if len(before) != 1 {
		t.Fatalf("page before the restart shows messages %v, want one", before)
	}
	s.close()
	shutdown(t, first)

	// A new instance on the same database: the same account, password and
	// history; message IDs go on from the database's.
	second := startApp(t, postgresConfig(t, db))
	again := newBrowser(t, second.URL())
	status, _, hdr := again.post("/login", url.Values{"username": {"ALICE"}, "password": {"password-alice"}})
	if status != http.StatusSeeOther || hdr.Get("Location") != "/r/general" {
		t.Fatalf("sign in after the restart: got %d to %q, want 303 to /r/general", status, hdr.Get("Location"))
	}
	page = again.chatPage()
	if !strings.Contains(page, "stored in PostgreSQL") {
		t.Errorf("page after the restart lacks the message sent before it")
	}
	if got := messageIDs(page); len(got) != 1 || got[0] != before[0] {
		t.Errorf("page after the restart shows messages %v, want %v", got, before)
	}
	next := again.dial("")
	next.send("after the restart")
	next.waitText("after the restart</p>")
	_, page, _ = again.get("/r/general")
	if got := messageIDs(page); len(got) != 2 || got[0] != before[0] || got[1] <= before[0] {
		t.Errorf("page shows messages %v, want %d then a greater ID", got, before[0])
	}
	// Registering the name again, in another case, is refused on the new
	// instance too.
	dup := newBrowser(t, second.URL())
	if status, body, _ := dup.post("/register", url.Values{"username": {"Alice"}, "password": {"password-other"}}); status == http.StatusSeeOther || !strings.Contains(body, "taken") {
		t.Errorf("register Alice after the restart: got %d, want the form again saying the name is taken; body %.300s", status, body)
	}
}

// balancer is a load balancer without sticky sessions in front of several
// instances: each request goes to the instance the test points it at.
// Instances behind it share its URL as BASE_URL, as in production.
type balancer struct {
	ln     net.Listener
	target atomic.Pointer[url.URL]
}

// newBalancer listens on loopback; point it at an instance with to.
func newBalancer(t *testing.T) *balancer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lb := &balancer{ln: ln}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(lb.target.Load())
		r.Out.Host = r.In.Host // as nginx's proxy_set_header Host $host
	}}
	srv := &http.Server{Handler: proxy}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return lb
}

// url is the balancer's public URL.
func (lb *balancer) url() string { return "http://" + lb.ln.Addr().String() }

// to sends the next requests to a.
func (lb *balancer) to(a *app.App) {
	lb.target.Store(&url.URL{Scheme: "http", Host: a.Addr()})
}

// behind starts an instance on db whose public URL is the balancer's.
func (lb *balancer) behind(t *testing.T, db string, edit func(*app.Config)) *app.App {
	t.Helper()
	cfg := postgresConfig(t, db)
	cfg.BaseURL = lb.url()
	if edit != nil {
		edit(&cfg)
	}
	return apptest.Start(t, cfg)
}

// TestPostgresSignInOnAValidOnB signs up through a balancer on instance A
// and carries on on instance B: B's page and websocket accept A's session
// cookie, B serves what A stored, a page that A served catches up from B,
// and signing out on B ends the session on A.
func TestPostgresSignInOnAValidOnB(t *testing.T) {
	db := servicetest.PostgresURL(t)
	lb := newBalancer(t)
	a, b := lb.behind(t, db, nil), lb.behind(t, db, nil)

	lb.to(a)
	alice := newBrowser(t, lb.url())
	alice.register("alice", "password-alice")
	onA := alice.dial("")
	onA.send("sent on A")
	onA.waitText("sent on A</p>")
	_, pageA, _ := alice.get("/r/general")
	shownA := shownThrough(t, pageA)

	lb.to(b)
	pageB := alice.chatPage() // a 200, not a redirect to /login
	if !strings.Contains(pageB, "alice") || !strings.Contains(pageB, "sent on A") {
		t.Errorf("B's page lacks alice or the message sent on A: %.1000s", pageB)
	}
	onB := alice.dial("")
	onB.waitCount(1)
	onB.send("sent on B")
	onB.waitText("sent on B</p>")

	// A's page reconnects, through the balancer, to B: B sends it the
	// list it lacks, read from what A and B stored, each message once.
	_, pageB, _ = alice.get("/r/general")
	want := messageIDs(pageB)
	if len(want) != 2 {
		t.Fatalf("B's page shows messages %v, want the one sent on A and the one sent on B", want)
	}
	caughtUp := alice.dial("?room=general&shown=" + shownA)
	caughtUp.waitText("sent on B</p>")
	var got []int64
	for _, f := range caughtUp.snapshot() {
		if strings.Contains(f, "sent on B</p>") {
			got = messageIDs(f)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("catch-up on B lists messages %v, want %v", got, want)
	}

	// A reads what B stored. (A's live view of the room, kept in memory,
	// learns of B's messages only through NATS, which is not set up here:
	// the page of older messages reads the store.)
	lb.to(a)
	_, older, _ := alice.get("/r/general?before=" + strconv.FormatInt(want[1]+1, 10))
	if got := messageIDs(older); !slices.Equal(got, want) || !strings.Contains(older, "sent on B") {
		t.Errorf("A's page of messages before %d lists %v, want %v", want[1]+1, got, want)
	}

	// Signing out on B revokes the session everywhere.
	session := alice.cookie()
	lb.to(b)
	if status, _, hdr := alice.post("/logout", nil); status != http.StatusSeeOther || hdr.Get("Location") != "/login" {
		t.Fatalf("POST /logout on B: got %d to %q, want 303 to /login", status, hdr.Get("Location"))
	}
	lb.to(a)
	stolen := newBrowser(t, lb.url())
	req, _ := http.NewRequest(http.MethodGet, lb.url()+"/r/general", nil)
	req.Header.Set("Cookie", session)
	if status, _, hdr := stolen.do(req); status != http.StatusSeeOther || hdr.Get("Location") != "/login" {
		t.Errorf("GET /r/general on A with the session signed out on B: got %d to %q, want 303 to /login", status, hdr.Get("Location"))
	}
	if _, resp, err := dialSocket(t, lb.url(), session, lb.url(), ""); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("dial A's /ws with the session signed out on B: got err %v, want 401", err)
	}
}

// TestPostgresOAuthStartsOnAFinishesOnB begins a GitHub sign-in on
// instance A and comes back from GitHub to instance B, which finds the
// state A kept and signs the person in; the same callback replayed on A
// fails, since the state was used once.
func TestPostgresOAuthStartsOnAFinishesOnB(t *testing.T) {
	db := servicetest.PostgresURL(t)
	lb := newBalancer(t)
	var fakes oauthFakes
	a := lb.behind(t, db, func(cfg *app.Config) { fakes = withFakeProviders(t, cfg) })
	b := lb.behind(t, db, func(cfg *app.Config) {
		cfg.OAuth.GitHub = fakes.github.Credentials()
		cfg.OAuth.GitHubEndpoints = fakes.github.Endpoints()
	})

	lb.to(a)
	octo := newBrowser(t, lb.url())
	back := octo.oauthConsent("github")
	if got, want := back.Scheme+"://"+back.Host, lb.url(); got != want {
		t.Fatalf("GitHub sends the browser back to %s, want the balancer %s", got, want)
	}

	lb.to(b)
	status, body, hdr := octo.open(back)
	if status != http.StatusSeeOther || hdr.Get("Location") != "/r/general" {
		t.Fatalf("callback on B: got %d to %q, want 303 to /r/general; body: %.300s", status, hdr.Get("Location"), body)
	}
	if page := octo.chatPage(); !meGitHubOctocat.MatchString(page) {
		t.Errorf("B's page does not show octocat signed in with GitHub: %.1000s", page)
	}
	lb.to(a)
	if page := octo.chatPage(); !meGitHubOctocat.MatchString(page) {
		t.Errorf("A's page does not show octocat signed in with GitHub: %.1000s", page)
	}
	session := octo.cookie()

	status, body, _ = octo.open(back)
	if status != http.StatusBadRequest || !strings.Contains(body, msgStateFailed) {
		t.Errorf("callback replayed on A: got %d, want 400 with %q", status, msgStateFailed)
	}
	if octo.cookie() != session {
		t.Errorf("the replayed callback changed the session cookie")
	}
}

// TestPostgresNULInMessageRefused sends a message holding a NUL character,
// which PostgreSQL cannot keep in text: the sender is told it could not be
// read (as on SQLite), not that saving failed, and the socket goes on.
func TestPostgresNULInMessageRefused(t *testing.T) {
	a := startApp(t, postgresConfig(t, servicetest.PostgresURL(t)))
	alice := signedUp(t, a, "alice")
	s := alice.dial("")
	// As JSON escapes it; strconv.Quote's \x00 would not be JSON at all.
	s.sendRaw(websocket.TextMessage, []byte(`{"message":"a\u0000b","HEADERS":{"HX-Request":"true"}}`))
	s.waitText("could not be read")
	s.send("plain text")
	s.waitText("plain text</p>")
	if n := containing(s.snapshot(), "could not be saved"); n != 0 {
		t.Errorf("the NUL message reached the store: %d save errors", n)
	}
	if _, page, _ := alice.get("/r/general"); len(messageIDs(page)) != 1 {
		t.Errorf("page shows messages %v, want only the plain one", messageIDs(page))
	}
}

// TestPostgresModeration runs the deletion and ban scenarios on a Parley
// whose store is PostgreSQL: what the admin sees, what the others see
// live, and the refused sign-in.
func TestPostgresModeration(t *testing.T) {
	t.Run("DeleteMessageByAdmin", func(t *testing.T) {
		deleteMessageByAdmin(t, postgresConfig(t, servicetest.PostgresURL(t)))
	})
	t.Run("BanClosesSocketsAndRefusesSignIn", func(t *testing.T) {
		banClosesSocketsAndRefusesSignIn(t, postgresConfig(t, servicetest.PostgresURL(t)))
	})
}
