package app_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app"
	"github.com/parleychat/parley/app/apptest"
)

// waitTimeout bounds every wait for something the server pushes.
const waitTimeout = 10 * time.Second

// testConfig is a fast configuration on a loopback port with its own
// SQLite file.
func testConfig(t *testing.T) app.Config { return apptest.Config(t) }

// startApp starts Parley and shuts it down when the test ends.
func startApp(t *testing.T, cfg app.Config) *app.App { return apptest.Start(t, cfg) }

// browser is an HTTP client that keeps cookies and does not follow
// redirects, so tests see each 303.
type browser struct {
	t    *testing.T
	base string
	http *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, http: &http.Client{
		Jar:           jar,
		Timeout:       waitTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// post sends a form as the site's own page would, with its Origin.
func (b *browser) post(path string, form url.Values) (int, string, http.Header) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	return b.do(req)
}

func (b *browser) get(path string) (int, string, http.Header) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) do(req *http.Request) (int, string, http.Header) {
	b.t.Helper()
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return resp.StatusCode, string(body), resp.Header
}

// register creates an account through the real form and keeps its cookie.
func (b *browser) register(name, password string) {
	b.t.Helper()
	status, body, hdr := b.post("/register", url.Values{"username": {name}, "password": {password}})
	if status != http.StatusSeeOther || hdr.Get("Location") != "/r/general" {
		b.t.Fatalf("register %q: got %d to %q, want 303 to /r/general; body: %.300s", name, status, hdr.Get("Location"), body)
	}
}

func (b *browser) cookie() string {
	b.t.Helper()
	u, _ := url.Parse(b.base)
	for _, c := range b.http.Jar.Cookies(u) {
		if c.Name == "parley_session" {
			return c.Name + "=" + c.Value
		}
	}
	return ""
}

// signedUp returns a browser signed in as a new account.
func signedUp(t *testing.T, a *app.App, name string) *browser {
	t.Helper()
	b := newBrowser(t, a.URL())
	b.register(name, "password-"+name)
	return b
}

// socket is a real websocket client whose frames a goroutine collects.
type socket struct {
	t    *testing.T
	conn *websocket.Conn

	mu     sync.Mutex
	frames []string
	closed *websocket.CloseError
	done   chan struct{}
	notify chan struct{}
}

// dial opens /ws with the browser's cookie and the site's Origin.
func (b *browser) dial(query string) *socket {
	b.t.Helper()
	s, resp, err := dialSocket(b.t, b.base, b.cookie(), b.base, query)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		b.t.Fatalf("dial /ws: %v (status %d)", err, status)
	}
	return s
}

func dialSocket(t *testing.T, base, cookie, origin, query string) (*socket, *http.Response, error) {
	t.Helper()
	hdr := http.Header{}
	if cookie != "" {
		hdr.Set("Cookie", cookie)
	}
	if origin != "" {
		hdr.Set("Origin", origin)
	}
	u := "ws" + strings.TrimPrefix(base, "http") + "/ws" + query
	d := websocket.Dialer{HandshakeTimeout: waitTimeout}
	conn, resp, err := d.Dial(u, hdr)
	if err != nil {
		return nil, resp, err
	}
	s := &socket{t: t, conn: conn, done: make(chan struct{}), notify: make(chan struct{}, 1)}
	go s.read()
	t.Cleanup(s.close)
	return s, resp, nil
}

func (s *socket) read() {
	defer close(s.done)
	for {
		_, data, err := s.conn.ReadMessage()
		s.mu.Lock()
		if err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				s.closed = ce
			}
			s.mu.Unlock()
			s.wake()
			return
		}
		s.frames = append(s.frames, string(data))
		s.mu.Unlock()
		s.wake()
	}
}

func (s *socket) wake() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// close ends the socket with a normal close frame and waits for its reader.
func (s *socket) close() {
	_ = s.conn.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	_ = s.conn.Close()
	<-s.done
}

func (s *socket) send(text string) {
	s.t.Helper()
	s.sendRaw(websocket.TextMessage, []byte(`{"message":`+strconv.Quote(text)+`,"HEADERS":{"HX-Request":"true"}}`))
}

func (s *socket) sendRaw(kind int, data []byte) {
	s.t.Helper()
	if err := s.conn.WriteMessage(kind, data); err != nil {
		s.t.Fatalf("send: %v", err)
	}
}

// snapshot returns the frames received so far.
func (s *socket) snapshot() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.frames...)
}

// waitUntil waits until cond holds for the frames received so far.
func (s *socket) waitUntil(what string, cond func(frames []string) bool) {
	s.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		frames := s.snapshot()
		if cond(frames) {
			return
		}
		select {
		case <-s.notify:
		case <-s.done:
			if cond(s.snapshot()) {
				return
			}
			s.t.Fatalf("socket closed while waiting for %s; frames: %q", what, tail(s.snapshot()))
		case <-deadline:
			s.t.Fatalf("timed out waiting for %s; last frames: %q", what, tail(s.snapshot()))
		}
	}
}

var countPattern = regexp.MustCompile(`id="num-users"[^>]*>(\d+) users? online<`)

// count returns the last "N users online" the socket received, or -1.
func count(frames []string) int {
	for i := len(frames) - 1; i >= 0; i-- {
		if m := countPattern.FindStringSubmatch(frames[i]); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	return -1
}

// waitCount waits until the socket shows n users online.
func (s *socket) waitCount(n int) {
	s.t.Helper()
	s.waitUntil(strconv.Itoa(n)+" online", func(f []string) bool { return count(f) == n })
}

// waitText waits until some frame contains text.
func (s *socket) waitText(text string) {
	s.t.Helper()
	s.waitUntil(strconv.Quote(text), func(f []string) bool { return containing(f, text) > 0 })
}

// waitClose waits for the server's close frame and returns its code.
func (s *socket) waitClose() int {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(waitTimeout):
		s.t.Fatalf("socket still open, want it closed by the server")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed == nil {
		return websocket.CloseAbnormalClosure
	}
	return s.closed.Code
}

// containing counts the frames that contain text.
// waitNotice waits for a join or leave notice that names name, alone or
// among others whose arrivals or departures were coalesced with it ("carol
// and alice joined the chat").
func (s *socket) waitNotice(name string, joined bool) {
	s.t.Helper()
	verb := " left the chat"
	if joined {
		verb = " joined the chat"
	}
	s.waitUntil(strconv.Quote(name+verb), func(frames []string) bool {
		for _, f := range frames {
			for _, m := range noticePattern.FindAllStringSubmatch(f, -1) {
				names, ok := strings.CutSuffix(m[1], verb)
				if ok && slices.Contains(noticeSeparator.Split(names, -1), name) {
					return true
				}
			}
		}
		return false
	})
}

// noticePattern finds the text of each join and leave notice in a frame.
var noticePattern = regexp.MustCompile(`<p class="notice">([^<]*)</p>`)

// noticeSeparator separates the names of one notice.
var noticeSeparator = regexp.MustCompile(`, | and `)

// containing counts the occurrences of text in frames: a frame may batch
// several fragments.
func containing(frames []string, text string) int {
	n := 0
	for _, f := range frames {
		n += strings.Count(f, text)
	}
	return n
}

func tail(frames []string) []string {
	if len(frames) > 5 {
		return frames[len(frames)-5:]
	}
	return frames
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// dialVia opens /ws through another address (a proxy) while presenting
// the site's own Origin, as a browser on that site would.
func (b *browser) dialVia(origin, cookie string) *socket {
	b.t.Helper()
	s, resp, err := dialSocket(b.t, b.base, cookie, origin, "")
	if err != nil {
		b.t.Fatalf("dial /ws via %s: %v (response %v)", b.base, err, resp)
	}
	return s
}
