package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// procClient is one person using a Parley process: a cookie jar and, once
// dialled, a socket whose every frame a goroutine keeps.
type procClient struct {
	t    *testing.T
	base string
	http *http.Client

	conn   *websocket.Conn
	mu     sync.Mutex
	frames []string
	done   chan struct{}
	notify chan struct{}
}

func newProcClient(t *testing.T, base string) *procClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &procClient{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// post sends a form with the site's Origin, as its own page would.
func (c *procClient) post(path string, form url.Values) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (c *procClient) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (c *procClient) register(name string) {
	c.t.Helper()
	if status, body := c.post("/register", url.Values{"username": {name}, "password": {"password-" + name}}); status != http.StatusSeeOther {
		c.t.Fatalf("register %s: %d %.200s, want 303", name, status, body)
	}
}

// dial opens the socket of the room general and starts keeping its frames.
func (c *procClient) dial() {
	c.t.Helper()
	u, _ := url.Parse(c.base)
	hdr := http.Header{"Origin": {c.base}}
	for _, ck := range c.http.Jar.Cookies(u) {
		hdr.Add("Cookie", ck.Name+"="+ck.Value)
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(c.base, "http")+"/ws", hdr)
	if err != nil {
		c.t.Fatalf("dial: %v", err)
	}
	c.conn, c.done, c.notify = conn, make(chan struct{}), make(chan struct{}, 1)
	go func() {
		defer close(c.done)
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			c.mu.Lock()
			c.frames = append(c.frames, string(data))
			c.mu.Unlock()
			select {
			case c.notify <- struct{}{}:
			default:
			}
		}
	}()
	c.t.Cleanup(func() { conn.Close(); <-c.done })
}

func (c *procClient) send(text string) error {
	return c.conn.WriteMessage(websocket.TextMessage, []byte(`{"message":`+strconv.Quote(text)+`,"HEADERS":{"HX-Request":"true"}}`))
}

func (c *procClient) snapshot() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.frames...)
}

// waitFrame waits for a frame after the first skip ones that contains
// one of texts, and returns its index and which text it held.
func (c *procClient) waitFrame(skip int, texts ...string) (int, string) {
	c.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		frames := c.snapshot()
		for i := skip; i < len(frames); i++ {
			for _, text := range texts {
				if strings.Contains(frames[i], text) {
					return i, text
				}
			}
		}
		select {
		case <-c.notify:
		case <-c.done:
			c.t.Fatalf("socket closed while waiting for %q", texts)
		case <-deadline:
			c.t.Fatalf("timed out waiting for %q", texts)
		}
	}
}

var earlierLink = regexp.MustCompile(`hx-get="(/r/general/messages\?before=\d+)"`)

// history reads every message of the room general, from its page and then
// every "Load earlier messages" page before it.
func (c *procClient) history() string {
	c.t.Helper()
	status, page := c.get("/r/general")
	if status != http.StatusOK {
		c.t.Fatalf("GET /r/general: %d, want 200", status)
	}
	all := page
	for {
		m := earlierLink.FindStringSubmatch(page)
		if m == nil {
			return all
		}
		if status, page = c.get(m[1]); status != http.StatusOK {
			c.t.Fatalf("GET %s: %d, want 200", m[1], status)
		}
		all += page
	}
}

// crashToken names message n of sender i; the trailing dot keeps one
// token from being a prefix of another.
func crashToken(i, n int) string { return fmt.Sprintf("crash-%d-%d.", i, n) }

var crashTokenPattern = regexp.MustCompile(`crash-\d+-\d+\.`)

// TestSIGKILLLosesNothingAcknowledged kills Parley with SIGKILL while five
// people send as fast as they can. Whatever any socket was shown, and
// every message whose sender got the fresh form (the server pushes it
// only after storing the message), must be in the history after a
// restart.
func TestSIGKILLLosesNothingAcknowledged(t *testing.T) {
	const senders = 5
	db := "file:" + filepath.Join(t.TempDir(), "parley.db")
	base, proc := startProcessWith(t, db, os.Stderr, "MESSAGE_RATE_LIMIT=0")

	clients := make([]*procClient, senders)
	for i := range clients {
		c := newProcClient(t, base)
		c.register(fmt.Sprintf("sender%d", i))
		c.dial()
		clients[i] = c
	}
	for _, c := range clients {
		c.waitFrame(0, strconv.Itoa(senders)+" users online")
	}

	sent := make([]int, senders)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Send until the connection breaks: the kill ends it.
			for n := 1; ; n++ {
				if c.send(crashToken(i, n)) != nil {
					return
				}
				sent[i] = n
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := proc.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = proc.Wait()
	wg.Wait()
	for _, c := range clients {
		c.conn.Close()
		<-c.done
	}

	shown := map[string]bool{}
	acked := make([]int, senders)
	for i, c := range clients {
		for _, f := range c.snapshot() {
			for _, tok := range crashTokenPattern.FindAllString(f, -1) {
				shown[tok] = true
			}
			acked[i] += strings.Count(f, `id="chat-form"`)
		}
	}
	if len(shown) == 0 {
		t.Fatalf("no socket was shown any message before the kill: the test proved nothing")
	}

	base, _ = startProcessWith(t, db, os.Stderr)
	reader := newProcClient(t, base)
	reader.register("reader")
	history := reader.history()
	stored := len(crashTokenPattern.FindAllString(history, -1))
	t.Logf("sent %v, fresh forms %v, %d distinct messages shown, %d in the history after the restart", sent, acked, len(shown), stored)

	for tok := range shown {
		if !strings.Contains(history, tok) {
			t.Errorf("message %q was shown on a socket before the kill, but is not in the history after the restart", tok)
		}
	}
	// The sender's reader stores its messages one after the other and
	// offers a fresh form after each (a newer one may replace one not yet
	// written): k forms mean the first k messages at least were stored.
	for i, k := range acked {
		for n := 1; n <= k; n++ {
			if !strings.Contains(history, crashToken(i, n)) {
				t.Errorf("sender %d got %d fresh forms, but its message %d is not in the history after the restart", i, k, n)
				break
			}
		}
	}
}

// TestFullDiskRefusesSendsKeepsReadsAndRecovers puts the database on a
// small tmpfs and fills it: senders get a clear error fragment, pages
// still load, and once space is back sending works again without a
// restart, with every acknowledged message kept.
func TestFullDiskRefusesSendsKeepsReadsAndRecovers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs for the database")
	}
	disk := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(disk, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", disk).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (%v: %s): no small disk to fill", err, strings.TrimSpace(string(out)))
	}
	// Registered before the process starts, so it runs after the
	// process's own cleanup has stopped it.
	t.Cleanup(func() {
		if out, err := exec.Command("umount", disk).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", disk, err, out)
		}
	})

	base, _ := startProcessWith(t, "file:"+filepath.Join(disk, "parley.db"), os.Stderr, "MESSAGE_RATE_LIMIT=0")
	c := newProcClient(t, base)
	c.register("alice")
	c.dial()
	c.waitFrame(0, "1 user online")
	if err := c.send("before the disk filled"); err != nil {
		t.Fatal(err)
	}
	next, _ := c.waitFrame(0, `id="chat-form"`)

	filler := filepath.Join(disk, "filler")
	fill(t, filler)

	const refused = "Your message could not be saved"
	padding := strings.Repeat("x", 900)
	var acked []string
	for n := 1; ; n++ {
		if n > 3000 {
			t.Fatalf("3000 messages stored on a full disk, none refused")
		}
		text := fmt.Sprintf("full-%d.%s", n, padding)
		if err := c.send(text); err != nil {
			t.Fatal(err)
		}
		i, got := c.waitFrame(next+1, `id="chat-form"`, refused)
		next = i
		if got == refused {
			t.Logf("message %d refused once the disk was full", n)
			break
		}
		acked = append(acked, text)
	}

	// Reads go on: the page, with what was stored before.
	if status, page := c.get("/r/general"); status != http.StatusOK || !strings.Contains(page, "before the disk filled") {
		t.Errorf("GET /r/general on a full disk: %d, want 200 with the earlier message", status)
	}
	if status, _ := c.get("/healthz"); status != http.StatusOK {
		t.Errorf("GET /healthz on a full disk: %d, want 200", status)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := c.send("after space came back"); err != nil {
		t.Fatal(err)
	}
	if _, got := c.waitFrame(next+1, "after space came back", refused); got == refused {
		t.Fatalf("sending still refused after the space came back")
	}
	history := c.history()
	if !strings.Contains(history, "after space came back") {
		t.Errorf("the message sent after the space came back is not in the history")
	}
	for _, text := range acked {
		if !strings.Contains(history, text[:strings.Index(text, ".")+1]) {
			t.Errorf("message %.12s was acknowledged with a fresh form on the filling disk, but is not in the history", text)
		}
	}
}

// fill writes to path until the file system has no space left.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill the disk: %v, want ENOSPC", err)
			}
			return
		}
	}
}
