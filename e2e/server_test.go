package e2e

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/app"
	"github.com/parleychat/parley/app/apptest"
)

// password is every test user's password.
const password = "correct horse battery"

// server is a Parley running in the test process on loopback, with its own
// database file, so that it can be restarted on the same address.
type server struct {
	t   *testing.T
	cfg app.Config
	app *app.App
	log *syncBuffer
}

// startParley starts Parley on 127.0.0.1 with a fresh database. baseURL
// is the URL browsers use; empty means the listener's own address. The
// server's log is shown if the test fails.
func startParley(t *testing.T, baseURL string) *server {
	t.Helper()
	return startParleyWith(t, baseURL, func(*app.Config) {})
}

// startParleyWith is startParley with the configuration changed by edit.
func startParleyWith(t *testing.T, baseURL string, edit func(*app.Config)) *server {
	t.Helper()
	s := &server{t: t, log: new(syncBuffer)}
	cfg := apptest.Config(t)
	cfg.BaseURL = baseURL
	edit(&cfg)
	cfg.Logger = slog.New(slog.NewTextHandler(s.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.cfg = cfg
	s.start()
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})
	return s
}

func (s *server) start() {
	s.t.Helper()
	a, err := app.Start(context.Background(), s.cfg)
	if err != nil {
		s.t.Fatalf("start Parley: %v", err)
	}
	s.app = a
	// A restart listens on the same address and keeps the public URL.
	s.cfg.Addr, s.cfg.BaseURL = a.Addr(), a.URL()
}

// stop shuts the server down: sockets are closed with 1012, so that pages
// reconnect to the next one.
func (s *server) stop() {
	s.t.Helper()
	if s.app == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.app.Shutdown(ctx); err != nil {
		s.t.Errorf("shut Parley down: %v", err)
	}
	s.app = nil
}

// restart stops the server and starts a new one on the same address with
// the same database.
func (s *server) restart() {
	s.t.Helper()
	s.stop()
	s.start()
}

// URL is where browsers load pages: exactly the public URL, or the
// websocket's Origin check refuses them.
func (s *server) URL() string { return s.cfg.BaseURL }

// direct is the server's own address, which a Go client may use even when
// browsers go through a gate.
func (s *server) direct() string { return "http://" + s.cfg.Addr }

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// httpUser is a client that is not a browser: net/http with a cookie jar.
type httpUser struct {
	t      *testing.T
	base   string
	client *http.Client
}

// newHTTPUser makes a client for base that does not follow redirects, so
// that a test sees each response.
func newHTTPUser(t *testing.T, base string) *httpUser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &httpUser{t: t, base: base, client: &http.Client{
		Jar:     jar,
		Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// response is what a request returned, body read.
type response struct {
	status int
	header http.Header
	body   string
}

func (u *httpUser) do(method, path string, form url.Values) response {
	u.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u.base+path, body)
	if err != nil {
		u.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := u.client.Do(req)
	if err != nil {
		u.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		u.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

// register creates an account over plain HTTP and keeps its session cookie.
func (u *httpUser) register(name string) {
	u.t.Helper()
	res := u.do(http.MethodPost, "/register", url.Values{"username": {name}, "password": {password}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/r/general" {
		u.t.Fatalf("register %s: status %d, Location %q, want 303 to /r/general\n%s",
			name, res.status, res.header.Get("Location"), res.body)
	}
}

// cookieHeader is the Cookie header the jar holds for base.
func (u *httpUser) cookieHeader() string {
	base, err := url.Parse(u.base)
	if err != nil {
		u.t.Fatal(err)
	}
	var parts []string
	for _, c := range u.client.Jar.Cookies(base) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// gate is a TCP proxy in front of the server that can refuse new
// connections while letting open ones live. Browsers load pages from the
// gate, so while it is shut they cannot reconnect, and a Go client using
// the server's own address can post a message that the pages must then
// catch up with: without the gate, whether a page or the Go client gets
// to the restarted server first would be down to the pages' random backoff.
type gate struct {
	t       *testing.T
	ln      net.Listener
	mu      sync.Mutex
	backend string
	shut    bool
	conns   map[net.Conn]struct{}
	wg      sync.WaitGroup
}

func newGate(t *testing.T) *gate {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{t: t, ln: ln, shut: true, conns: make(map[net.Conn]struct{})}
	g.wg.Add(1)
	go g.accept()
	t.Cleanup(g.close)
	return g
}

// URL is the gate's address, the public URL of the server behind it.
func (g *gate) URL() string { return "http://" + g.ln.Addr().String() }

// open lets new connections through to backend (host:port).
func (g *gate) open(backend string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.backend, g.shut = backend, false
}

// refuse closes every new connection at once, as a server that is down
// would; connections already open stay.
func (g *gate) refuse() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.shut = true
}

// dropAll cuts every connection open through the gate, as a network
// that drops would, and keeps letting new ones through.
func (g *gate) dropAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for c := range g.conns {
		c.Close()
		delete(g.conns, c)
	}
}

func (g *gate) accept() {
	defer g.wg.Done()
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		g.mu.Lock()
		backend, shut := g.backend, g.shut
		g.mu.Unlock()
		if shut {
			c.Close()
			continue
		}
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			g.pipe(c, backend)
		}()
	}
}

// pipe copies between a client and the backend until either side closes.
func (g *gate) pipe(c net.Conn, backend string) {
	b, err := net.DialTimeout("tcp", backend, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	if !g.track(c, b) {
		return
	}
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src) // ends with an error when the other side resets: no matter
		done <- struct{}{}
	}
	go cp(b, c)
	go cp(c, b)
	<-done
	g.untrack(c, b) // closing both ends the other copy too
	<-done
}

func (g *gate) track(conns ...net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conns == nil { // closed
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	for _, c := range conns {
		g.conns[c] = struct{}{}
	}
	return true
}

// untrack closes both ends, which also ends the other copy.
func (g *gate) untrack(conns ...net.Conn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(g.conns, c)
	}
}

func (g *gate) close() {
	g.ln.Close()
	g.mu.Lock()
	for c := range g.conns {
		c.Close()
	}
	g.conns = nil
	g.mu.Unlock()
	g.wg.Wait()
}

// tail returns the end of s, at most n bytes.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
