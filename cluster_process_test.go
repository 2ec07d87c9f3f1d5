package main

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app/pagetest"
	"github.com/parleychat/parley/app/servicetest"
)

// TestKilledInstancesPeopleReconnectElsewhereAndLoseNothing runs two
// Parley processes on one PostgreSQL schema and the machine's NATS (both
// required with PARLEY_SERVICES=1, else the test is skipped), with people
// on both in mid-conversation, and kills one with SIGKILL: no goodbye, no
// closing frames. Its people's pages reconnect to the other process, as a
// load balancer would send them, and catch up: every message that any
// page showed, or whose sender got a fresh form back, is on every page
// exactly once; and the survivor drops the dead one's people within 5 s.
func TestKilledInstancesPeopleReconnectElsewhereAndLoseNothing(t *testing.T) {
	db := servicetest.PostgresURL(t)
	env := []string{
		"NATS_URL=" + servicetest.NATSURL(t),
		"NATS_SUBJECT_PREFIX=" + servicetest.NATSPrefix(t),
		"MESSAGE_RATE_LIMIT=0",
	}
	logsA, logsB := &lockedBuffer{}, &lockedBuffer{}
	// One after the other: the second finds the schema migrated.
	baseA, procA := startCommand(t, db, logsA, nil, env)
	baseB, _ := startCommand(t, db, logsB, nil, env)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("A's log:\n%s\nB's log:\n%s", logsA, logsB)
		}
	})

	alice, carol, dave := signUp(t, baseA, "alice"), signUp(t, baseA, "carol"), signUp(t, baseA, "dave")
	bob := signUp(t, baseB, "bob")
	aliceA, carolA, daveA := alice.dial(baseA, -1), carol.dial(baseA, -1), dave.dial(baseA, -1)
	bobB := bob.dial(baseB, -1)
	everyone := []string{"alice", "bob", "carol", "dave"}
	for _, s := range []*liveSocket{aliceA, carolA, daveA, bobB} {
		s.waitPresence(everyone)
	}

	// Alice and Carol on A and Bob on B talk, each sending a message as soon
	// as the last one's fresh form came back, until each has sent perMember.
	const perMember = 12
	const killAfter = 4 // every talker has had this many acknowledged
	talkers := map[string]*talker{
		"alice": {name: "alice", sock: aliceA},
		"carol": {name: "carol", sock: carolA},
		"bob":   {name: "bob", sock: bobB},
	}
	var wg sync.WaitGroup
	for _, tk := range talkers {
		wg.Add(1)
		go func() { defer wg.Done(); tk.talk(perMember) }()
	}
	for _, tk := range talkers {
		tk.waitAcked(t, killAfter)
	}

	if err := procA.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	ackedBefore := 0
	for _, tk := range talkers {
		ackedBefore += tk.acknowledged()
	}
	procA.Wait()

	// Bob's page drops Dave, who does not come back, within 5 s, while
	// Alice and Carol come back on B.
	wg.Wait() // Alice and Carol stop at their broken sockets.
	carry := map[string]*liveSocket{}
	for _, p := range []struct {
		name string
		c    *client
		old  *liveSocket
	}{{"alice", alice, aliceA}, {"carol", carol, carolA}} {
		if !p.old.broken() {
			t.Fatalf("%s's socket on the killed A is still open", p.name)
		}
		page := showPage(p.old.snapshot())
		carry[p.name] = p.c.dial(baseB, page.newest())
	}
	bobB.waitPresenceBy(t, []string{"alice", "bob", "carol"}, killed.Add(5*time.Second))
	t.Logf("B dropped the killed A's people after %v", time.Since(killed).Round(time.Millisecond))

	// The conversation goes on, on B.
	talkers["alice"].sock, talkers["carol"].sock = carry["alice"], carry["carol"]
	for _, name := range []string{"alice", "carol"} {
		wg.Add(1)
		go func() { defer wg.Done(); talkers[name].talk(perMember) }()
	}
	wg.Wait()
	bob2 := talkers["bob"]
	bob2.talk(bob2.sent + 1) // a last word, after everything else
	last := bob2.texts[len(bob2.texts)-1]
	for _, s := range []*liveSocket{carry["alice"], carry["carol"], bobB} {
		s.waitText(last + "</p>")
	}

	// Everything any page received or any sender saw acknowledged.
	want := map[string]bool{}
	for _, tk := range talkers {
		for _, text := range tk.acked {
			want[text] = true
		}
	}
	for _, s := range []*liveSocket{aliceA, carolA, daveA, bobB, carry["alice"], carry["carol"]} {
		for _, text := range textPattern.FindAllStringSubmatch(strings.Join(s.snapshot(), ""), -1) {
			want[text[1]] = true
		}
	}
	if n := len(want); n < 3*killAfter {
		t.Fatalf("only %d messages in the conversation, want at least %d", n, 3*killAfter)
	}
	pages := map[string][]string{
		"bob's page on B":                          bobB.snapshot(),
		"alice's page, on A then reconnected to B": append(aliceA.snapshot(), carry["alice"].snapshot()...),
		"carol's page, on A then reconnected to B": append(carolA.snapshot(), carry["carol"].snapshot()...),
	}
	for name, frames := range pages {
		shown := map[string]int{}
		for _, text := range showPage(frames).texts {
			shown[text]++
		}
		for text := range want {
			if shown[text] != 1 {
				t.Errorf("%s shows %q %d times, want once", name, text, shown[text])
			}
		}
		for text, n := range shown {
			if !want[text] {
				t.Errorf("%s shows %q (%d times), which nobody sent", name, text, n)
			}
		}
	}
	t.Logf("%d messages, %d of them acknowledged before the kill", len(want), ackedBefore)
}

// client is one person's browser: their cookies, for any instance.
type client struct {
	t      *testing.T
	cookie string
}

// signUp registers name on the instance at base.
func signUp(t *testing.T, base, name string) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.PostForm(base+"/register", url.Values{"username": {name}, "password": {"password-" + name}})
	if err != nil {
		t.Fatalf("register %s: %v", name, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register %s: %d, want 303", name, resp.StatusCode)
	}
	u, _ := url.Parse(base)
	var cookies []string
	for _, c := range jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	return &client{t: t, cookie: strings.Join(cookies, "; ")}
}

// dial opens the general room's socket on the instance at base, as the
// page does when it (re)connects there; shown is the newest message the
// page shows, -1 for a new page.
func (c *client) dial(base string, shown int64) *liveSocket {
	c.t.Helper()
	hdr := http.Header{"Origin": {base}, "Cookie": {c.cookie}}
	u := "ws" + strings.TrimPrefix(base, "http") + "/ws"
	if shown >= 0 {
		u += "?shown=" + strconv.FormatInt(shown, 10)
	}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, _, err := d.Dial(u, hdr)
	if err != nil {
		c.t.Fatalf("dial %s: %v", u, err)
	}
	s := &liveSocket{t: c.t, conn: conn, done: make(chan struct{}), changed: make(chan struct{})}
	go s.read()
	c.t.Cleanup(func() {
		conn.Close()
		<-s.done
	})
	return s
}

// liveSocket records every frame a socket receives. Several goroutines
// may wait on it at once: changed is closed, and replaced, at each frame.
type liveSocket struct {
	t       *testing.T
	conn    *websocket.Conn
	done    chan struct{}
	mu      sync.Mutex
	frames  []string
	changed chan struct{}
}

func (s *liveSocket) read() {
	defer close(s.done)
	for {
		_, data, err := s.conn.ReadMessage()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.frames = append(s.frames, string(data))
		close(s.changed)
		s.changed = make(chan struct{})
		s.mu.Unlock()
	}
}

func (s *liveSocket) snapshot() []string {
	frames, _ := s.watch()
	return frames
}

// watch returns the frames so far and a channel closed at the next one.
func (s *liveSocket) watch() ([]string, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.frames), s.changed
}

func (s *liveSocket) broken() bool {
	select {
	case <-s.done:
		return true
	case <-time.After(10 * time.Second):
		return false
	}
}

// waitFor waits until cond holds for the frames received, until deadline.
func (s *liveSocket) waitFor(t *testing.T, what string, deadline time.Time, cond func([]string) bool) {
	t.Helper()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		frames, changed := s.watch()
		if cond(frames) {
			return
		}
		select {
		case <-changed:
		case <-s.done:
			if !cond(s.snapshot()) {
				t.Fatalf("socket closed while waiting for %s", what)
			}
			return
		case <-timer.C:
			t.Fatalf("no %s by the deadline; last frames: %.600q", what, lastFrames(s.snapshot()))
		}
	}
}

func (s *liveSocket) waitPresence(names []string) {
	s.t.Helper()
	s.waitPresenceBy(s.t, names, time.Now().Add(10*time.Second))
}

func (s *liveSocket) waitPresenceBy(t *testing.T, names []string, deadline time.Time) {
	t.Helper()
	s.waitFor(t, fmt.Sprintf("%d online %q", len(names), names), deadline, func(f []string) bool {
		n, list := presence(t, f)
		return n == len(names) && slices.Equal(list, names)
	})
}

func (s *liveSocket) waitText(text string) {
	s.t.Helper()
	s.waitFor(s.t, fmt.Sprintf("%q", text), time.Now().Add(10*time.Second), func(f []string) bool {
		return strings.Contains(strings.Join(f, ""), text)
	})
}

func lastFrames(frames []string) []string {
	if len(frames) > 3 {
		return frames[len(frames)-3:]
	}
	return frames
}

var (
	countPattern = regexp.MustCompile(`id="num-users"[^>]*>(\d+) users? online<`)
	// A message's text, as the talkers write them ("alice 7").
	textPattern    = regexp.MustCompile(`<p class="text">([a-z]+ \d+)</p>`)
	articlePattern = regexp.MustCompile(`(?s)<article class="message" id="msg-(\d+)">.*?</article>`)
	// The fresh form a sender gets once their message is stored.
	freshFormPattern = regexp.MustCompile(`<div id="chat-error"[^>]*hx-swap-oob="true"[^>]*></div>`)
)

// presence is the count and online list a page shows once htmx has
// applied frames; it fails the test on a frame htmx could not apply.
func presence(t *testing.T, frames []string) (int, []string) {
	t.Helper()
	p := pagetest.NewPresence()
	if err := p.ApplyAll(frames); err != nil {
		t.Fatal(err)
	}
	return p.Count, p.Names()
}

// page is the message list a browser shows after applying frames as htmx
// does: a #messages sent out of band replaces the list, a beforeend one
// appends to it.
type page struct {
	ids   []int64
	texts []string
}

func showPage(frames []string) page {
	var p page
	for _, f := range frames {
		switch {
		case strings.Contains(f, `<div id="messages"`):
			p = page{}
		case strings.Contains(f, `hx-swap-oob="beforeend:#messages"`):
		default:
			continue
		}
		for _, m := range articlePattern.FindAllStringSubmatch(f, -1) {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			p.ids = append(p.ids, id)
			if tm := textPattern.FindStringSubmatch(m[0]); tm != nil {
				p.texts = append(p.texts, tm[1])
			}
		}
	}
	return p
}

// newest is the ID of the newest message the page shows, 0 for none.
func (p page) newest() int64 {
	if len(p.ids) == 0 {
		return 0
	}
	return slices.Max(p.ids)
}

// talker sends numbered messages, one at a time: the next once the last
// one's fresh form came back, as a person typing does.
type talker struct {
	name  string
	sock  *liveSocket
	sent  int      // messages sent, acknowledged or not
	texts []string // every text sent
	acked []string // the texts whose fresh form came back

	mu     sync.Mutex
	nacked int
}

// talk sends until n messages were sent or the socket breaks. It runs on
// its own goroutine, so it reports nothing through t.
func (tk *talker) talk(n int) {
	forms := func() int { return len(freshFormPattern.FindAllString(strings.Join(tk.sock.snapshot(), ""), -1)) }
	for tk.sent < n {
		before := forms()
		text := fmt.Sprintf("%s %d", tk.name, tk.sent+1)
		frame := `{"message":` + strconv.Quote(text) + `,"HEADERS":{"HX-Request":"true"}}`
		tk.sent++
		tk.texts = append(tk.texts, text)
		if err := tk.sock.conn.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
			return
		}
		timeout := time.After(10 * time.Second)
		for {
			_, changed := tk.sock.watch()
			if forms() > before {
				break
			}
			select {
			case <-changed:
				continue
			case <-tk.sock.done:
				if forms() > before {
					tk.ack(text)
				}
				return
			case <-timeout:
				return
			}
		}
		tk.ack(text)
		time.Sleep(15 * time.Millisecond)
	}
}

func (tk *talker) ack(text string) {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	tk.acked = append(tk.acked, text)
	tk.nacked++
}

// acknowledged is how many of the talker's messages were acknowledged.
func (tk *talker) acknowledged() int {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	return tk.nacked
}

// waitAcked waits until n of the talker's messages were acknowledged.
func (tk *talker) waitAcked(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := tk.acknowledged()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d messages acknowledged after 20 s, want %d", tk.name, got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
