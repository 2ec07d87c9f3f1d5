package app_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

var articleID = regexp.MustCompile(`<article class="message" id="msg-(\d+)"`)

// p99 is the 99th percentile of the durations.
func p99(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)*99)/100]
}

// relay sends texts from one socket and waits until the other shows the
// last; it returns how long that took. The batch stays well under the
// send queue (32 fan-outs), so that a reader that keeps up is never dropped.
func relay(from, to *socket, texts ...string) time.Duration {
	start := time.Now()
	for _, text := range texts {
		from.send(text)
	}
	to.waitText(texts[len(texts)-1] + "</p>")
	return time.Since(start)
}

// dialUnread opens a socket that never reads, with a small receive buffer
// so that the kernel stops taking its frames soon.
func dialUnread(t *testing.T, b *browser) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{
		HandshakeTimeout: waitTimeout,
		NetDialContext: (&net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
			})
			return errors.Join(err, serr)
		}}).DialContext,
	}
	hdr := http.Header{"Origin": {b.base}, "Cookie": {b.cookie()}}
	conn, _, err := d.Dial("ws"+strings.TrimPrefix(b.base, "http")+"/ws", hdr)
	if err != nil {
		t.Fatalf("dial the socket that never reads: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestSocketThatNeverReadsIsDroppedAndCatchesUp(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice, bob, slow := signedUp(t, a, "alice"), signedUp(t, a, "bob"), signedUp(t, a, "slowpoke")
	as, bs := alice.dial(""), bob.dial("")
	bs.waitCount(2)
	padding := strings.Repeat("p", 980)
	batch := func(what string, i int) []string {
		texts := make([]string, 8)
		for j := range texts {
			texts[j] = fmt.Sprintf("%s %d %s", what, i*len(texts)+j, padding)
		}
		return texts
	}

	var before []time.Duration
	for i := range 50 {
		before = append(before, relay(as, bs, batch("before", i)...))
	}

	unread := dialUnread(t, slow)
	bs.waitCount(3)
	// Chat on until the server gives up on the socket that never reads:
	// its queue fills once the kernel's buffers are full, and it leaves.
	var during []time.Duration
	last := ""
	for i := 0; count(bs.snapshot()) != 2; i++ {
		if i == 2500 {
			t.Fatalf("2500 batches (20000 messages) sent and the socket that never reads is still in the room")
		}
		texts := batch("during", i)
		last = texts[len(texts)-1]
		during = append(during, relay(as, bs, texts...))
	}
	// Logged, not asserted: a threshold in milliseconds would flake on a
	// busy machine. What is asserted is that every batch arrived, and
	// that alice and bob stay in the room below.
	t.Logf("p99 of 8 messages from alice to bob: %v before, %v while a socket never read (%d batches until it was dropped)",
		p99(before), p99(during), len(during))
	bs.waitText("slowpoke left the chat")

	// Alice and bob were never dropped: they still chat.
	relay(bs, as, "still chatting")

	// The socket that never read now reads: what the kernel held, then
	// the server's close with 1013, which makes htmx reconnect.
	_ = unread.SetReadDeadline(time.Now().Add(waitTimeout))
	var shown int64
	code := 0
	for {
		_, data, err := unread.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				code = ce.Code
			} else {
				t.Fatalf("read the dropped socket: %v, want a close frame", err)
			}
			break
		}
		for _, m := range articleID.FindAllStringSubmatch(string(data), -1) {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			shown = max(shown, id)
		}
	}
	if code != websocket.CloseTryAgainLater {
		t.Errorf("the socket that never read was closed with %d, want 1013", code)
	}

	// Reconnecting with what it showed, it catches up on the newest.
	s := slow.dial("?shown=" + strconv.FormatInt(shown, 10))
	s.waitText(last[:strings.Index(last, " p")] + " ")
	as.send("after the reconnect")
	s.waitText("after the reconnect</p>")
	for _, f := range s.snapshot() {
		seen := map[string]bool{}
		for _, m := range articleID.FindAllStringSubmatch(f, -1) {
			if seen[m[1]] {
				t.Errorf("message %s shown twice in one frame after the reconnect", m[1])
			}
			seen[m[1]] = true
		}
	}
}

func TestIdleConnectionsDoNotStopPages(t *testing.T) {
	const idle = 500
	a := startApp(t, testConfig(t))
	alice := signedUp(t, a, "alice")
	conns := make([]net.Conn, 0, idle)
	for range idle {
		c, err := net.Dial("tcp", a.Addr())
		if err != nil {
			t.Fatalf("open idle connection %d: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// A connection that says nothing has cost the server only its
	// goroutine; pages, the socket and /healthz go on.
	anonymous := newBrowser(t, a.URL())
	for _, path := range []string{"/healthz", "/login", "/r/general", "/rooms"} {
		b := alice
		if path == "/login" {
			b = anonymous
		}
		start := time.Now()
		if status, _, _ := b.get(path); status != http.StatusOK {
			t.Errorf("GET %s with %d idle connections open: %d, want 200", path, idle, status)
		}
		t.Logf("GET %s with %d idle connections: %v", path, idle, time.Since(start))
	}
	s := alice.dial("")
	s.waitCount(1)
	s.send("fine")
	s.waitText("fine</p>")
}

// hostileRoom starts Parley with the default message rate limit and
// returns a bystander's socket and a second person's browser.
func hostileRoom(t *testing.T) (bystander *socket, attacker *browser) {
	t.Helper()
	cfg := testConfig(t)
	cfg.Chat.MessageRateLimit = 20 // the default, which apptest turns off
	a := startApp(t, cfg)
	bystander = signedUp(t, a, "bystander").dial("")
	attacker = signedUp(t, a, "mallory")
	return bystander, attacker
}

// stillWorks checks the bystander's socket and the server after an
// attack: the bystander's own message comes back to it.
func stillWorks(t *testing.T, bystander *socket, attacker *browser, text string) {
	t.Helper()
	bystander.send(text)
	bystander.waitText(text + "</p>")
	if status, _, _ := attacker.get("/healthz"); status != http.StatusOK {
		t.Errorf("GET /healthz after the attack: %d, want 200", status)
	}
}

func TestHostileFrames(t *testing.T) {
	t.Run("one MiB frame closes that socket with 1009", func(t *testing.T) {
		bystander, mallory := hostileRoom(t)
		s := mallory.dial("")
		s.waitCount(2)
		// The server stops reading at its limit and closes, possibly
		// before the whole frame is written: the write error is expected.
		_ = s.conn.WriteMessage(websocket.TextMessage, []byte(`{"message":"`+strings.Repeat("a", 1<<20)+`"}`))
		if code := s.waitClose(); code != websocket.CloseMessageTooBig {
			t.Errorf("close code %d, want 1009 (message too big)", code)
		}
		bystander.waitCount(1)
		stillWorks(t, bystander, mallory, "after the big frame")
	})

	t.Run("fragmented frames are one message", func(t *testing.T) {
		bystander, mallory := hostileRoom(t)
		s := mallory.dial("")
		s.waitCount(2)
		w, err := s.conn.NextWriter(websocket.TextMessage)
		if err != nil {
			t.Fatal(err)
		}
		// Each Write below is flushed as its own frame: a text frame
		// without FIN, then continuation frames.
		for _, part := range []string{`{"mess`, `age":"in`, ` pieces"`, `}`} {
			if _, err := io.WriteString(w, part); err != nil {
				t.Fatal(err)
			}
			if f, ok := w.(interface{ Flush() error }); ok {
				_ = f.Flush()
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		bystander.waitText("in pieces</p>")
		s.waitText(`id="chat-form"`)
	})

	t.Run("fragments over the limit close that socket with 1009", func(t *testing.T) {
		bystander, mallory := hostileRoom(t)
		s := mallory.dial("")
		s.waitCount(2)
		w, err := s.conn.NextWriter(websocket.TextMessage)
		if err != nil {
			t.Fatal(err)
		}
		// 64 KiB in 1 KiB fragments, over the server's 8 KiB limit.
		for range 64 {
			if _, err := w.Write([]byte(strings.Repeat("b", 1024))); err != nil {
				break
			}
		}
		_ = w.Close()
		if code := s.waitClose(); code != websocket.CloseMessageTooBig {
			t.Errorf("close code %d, want 1009", code)
		}
		stillWorks(t, bystander, mallory, "after the fragments")
	})

	t.Run("ping flood", func(t *testing.T) {
		bystander, mallory := hostileRoom(t)
		s := mallory.dial("")
		s.waitCount(2)
		deadline := time.Now().Add(waitTimeout)
		for i := range 10000 {
			if err := s.conn.WriteControl(websocket.PingMessage, []byte(strconv.Itoa(i)), deadline); err != nil {
				t.Fatalf("ping %d: %v", i, err)
			}
		}
		stillWorks(t, bystander, mallory, "after the ping flood")
		// The flooder's own socket still works too: pings are answered,
		// not punished.
		s.send("pinged enough")
		bystander.waitText("pinged enough</p>")
	})

	t.Run("invalid UTF-8 is refused", func(t *testing.T) {
		bystander, mallory := hostileRoom(t)
		s := mallory.dial("")
		s.waitCount(2)
		s.sendRaw(websocket.TextMessage, []byte("{\"message\":\"mojibake \xff\xfe here\"}"))
		s.waitText("could not be read")
		stillWorks(t, bystander, mallory, "after the bad bytes")
		if n := containing(bystander.snapshot(), "mojibake"); n != 0 {
			t.Errorf("the message with invalid UTF-8 reached the bystander %d times, want it refused", n)
		}
		if _, page, _ := mallory.get("/r/general"); strings.Contains(page, "mojibake") {
			t.Errorf("the message with invalid UTF-8 was stored")
		}
	})

	t.Run("10000 messages a second are limited", func(t *testing.T) {
		bystander, mallory := hostileRoom(t)
		s := mallory.dial("")
		s.waitCount(2)
		start := time.Now()
		for i := range 10000 {
			s.send(fmt.Sprintf("flood %d.", i))
		}
		t.Logf("10000 messages written in %v", time.Since(start))
		s.waitText("too fast")
		stillWorks(t, bystander, mallory, "heard over the flood")
		_, page, _ := mallory.get("/r/general")
		// The limit is a token bucket: 20 at once, then one more every half
		// second (20 per 10 s) while the flood is still being read.
		limit := 20 + int(time.Since(start)/(500*time.Millisecond))
		if n := strings.Count(page, "flood "); n > limit {
			t.Errorf("%d flood messages stored in %v, want at most the limit of %d (20, and 2 a second since)", n, time.Since(start), limit)
		}
		if n := strings.Count(page, "flood "); n == 0 {
			t.Errorf("no flood message stored: the limit should let the first 20 through")
		}
	})
}

// rawRequest writes a request on its own connection while reading the
// answer. The server answers once its header buffer is full and closes
// without reading the rest; writing and reading at once lets the client
// see that answer, as a browser would, before its write fails.
func rawRequest(t *testing.T, addr, request string) (*http.Response, error) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(waitTimeout))
	go func() { _, _ = io.WriteString(conn, request) }()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return resp, nil
}

func TestHugeRequestHeadersAreRefused(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice := signedUp(t, a, "alice")
	var many strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&many, "X-Many-%d: %s\r\n", i, strings.Repeat("z", 100))
	}
	for _, tc := range []struct {
		name    string
		headers string
	}{
		{"100 KiB header", "X-Padding: " + strings.Repeat("x", 100<<10) + "\r\n"},
		{"100 KiB of cookies", "Cookie: a=" + strings.Repeat("y;b=", 25<<10) + "\r\n"},
		{"a thousand headers", many.String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := rawRequest(t, a.Addr(), "GET /login HTTP/1.1\r\nHost: "+a.Addr()+"\r\n"+tc.headers+"\r\n")
			if err != nil {
				t.Fatalf("GET /login: %v, want an answer", err)
			}
			if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
				t.Errorf("status %d, want 431 Request Header Fields Too Large", resp.StatusCode)
			}
			if status, _, _ := alice.get("/r/general"); status != http.StatusOK {
				t.Errorf("GET /r/general afterwards: %d, want 200", status)
			}
		})
	}
}

// TestHugeRequestLineIsRefusedNotReset: a client that sends its whole
// request before it reads, in pieces as a slower link or a buffered
// writer does (the websocket dialer writes 4 KiB at a time), gets the 431,
// not a connection reset in the middle of its request.
func TestHugeRequestLineIsRefusedNotReset(t *testing.T) {
	a := startApp(t, testConfig(t))
	conn, err := net.Dial("tcp", a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(waitTimeout))
	request := "GET /ws?room=general&shown=" + strings.Repeat("%15", 4000) + " HTTP/1.1\r\nHost: " + a.Addr() + "\r\n" +
		"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
	for piece := range slices.Chunk([]byte(request), 1024) {
		if _, err := conn.Write(piece); err != nil {
			t.Fatalf("send the request: %v, want the server to read it all before it answers", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%v, want a 431 answer", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d, want 431", resp.StatusCode)
	}
}
