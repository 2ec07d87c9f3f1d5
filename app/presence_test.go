package app_test

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPresenceCountsPeopleNotSockets(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice, bob := signedUp(t, a, "alice"), signedUp(t, a, "bob")

	alice1 := alice.dial("")
	alice1.waitCount(1)
	alice1.waitText("alice joined the chat")

	bob1 := bob.dial("")
	bob1.waitCount(2)
	alice1.waitCount(2)
	alice1.waitText("bob joined the chat")

	alice2 := alice.dial("") // a second tab: still two people
	alice2.waitCount(2)
	for _, s := range []*socket{alice1, bob1} {
		if n := count(s.snapshot()); n != 2 {
			t.Errorf("after alice's second tab a socket shows %d, want 2", n)
		}
	}

	alice1.close() // alice still has a tab open
	bob1.close()
	alice2.waitCount(1)
	alice2.waitText("bob left the chat")
	if n := containing(alice2.snapshot(), "alice left the chat"); n != 0 {
		t.Errorf("alice closed one of two tabs and %d frames say she left, want 0", n)
	}
}

func TestVanishedPeerLeavesAfterPingDeadline(t *testing.T) {
	cfg := testConfig(t)
	cfg.Chat.PingInterval = 100 * time.Millisecond
	cfg.Chat.PongWait = 400 * time.Millisecond
	a := startApp(t, cfg)
	alice, bob := signedUp(t, a, "alice"), signedUp(t, a, "bob")

	watcher := alice.dial("")
	proxy := newCuttableProxy(t, a.Addr())
	vanishing := newBrowser(t, "http://"+proxy.addr())
	vanishing.http.Jar = bob.http.Jar // bob's session, through the proxy
	ws := vanishing.dialVia(a.URL(), bob.cookie())
	ws.waitCount(2)
	watcher.waitCount(2)

	// The network drops: no FIN, no close frame, nothing arrives any more.
	proxy.cut()
	watcher.waitCount(1)
	watcher.waitText("bob left the chat")
}

// cuttableProxy forwards TCP to the server until cut, then silently drops
// every byte in both directions while keeping the connections open, like a
// laptop that lost its network.
type cuttableProxy struct {
	t  *testing.T
	ln net.Listener

	mu    sync.Mutex
	isCut bool
	conns []net.Conn
	wg    sync.WaitGroup
}

func newCuttableProxy(t *testing.T, target string) *cuttableProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttableProxy{t: t, ln: ln}
	p.wg.Add(1)
	go p.accept(target)
	t.Cleanup(p.close)
	return p
}

func (p *cuttableProxy) addr() string { return p.ln.Addr().String() }

func (p *cuttableProxy) accept(target string) {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(server, client)
		go p.pipe(client, server)
	}
}

// pipe copies until the proxy closes; after cut it reads and discards.
func (p *cuttableProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		p.mu.Lock()
		cut := p.isCut
		p.mu.Unlock()
		if !cut {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
	}
}

func (p *cuttableProxy) cut() {
	p.mu.Lock()
	p.isCut = true
	p.mu.Unlock()
}

func (p *cuttableProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func TestChatPageCountsTheReaderAsOnline(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice, bob := signedUp(t, a, "alice"), signedUp(t, a, "bob")
	if _, page, _ := alice.get("/r/general"); !strings.Contains(page, ">1 user online<") {
		t.Errorf("first person's page: want 1 user online (herself), not 0")
	}
	alice.dial("").waitCount(1)
	if _, page, _ := bob.get("/r/general"); !strings.Contains(page, ">2 users online<") {
		t.Errorf("second person's page: want 2 users online")
	}
	if _, page, _ := alice.get("/r/general"); !strings.Contains(page, ">1 user online<") {
		t.Errorf("second tab of a person already online: want 1 user online, not 2")
	}
}

// noticeFragment is the notices a flush appends to #messages, which go
// beside the presence fragments in a socket's frames.
var noticeFragment = regexp.MustCompile(`<div hx-swap-oob="beforeend:#messages">(<p class="notice">[^<]*</p>)+</div>`)

// presenceOnly is what a frame carries besides notices.
func presenceOnly(frame string) string { return noticeFragment.ReplaceAllString(frame, "") }

// TestPresenceSendsOnlyWhatChanged: in a room of 300, people arriving
// beyond the first 100 names cost each socket the count and "and N more",
// nothing of the list; one arriving among the first 100 costs each socket
// one <li> and the removal of the name it pushes out.
func TestPresenceSendsOnlyWhatChanged(t *testing.T) {
	a := startApp(t, testConfig(t))
	const room, beyond = 300, 30
	var sockets []*socket
	for i := range room {
		sockets = append(sockets, signedUp(t, a, fmt.Sprintf("m%03d", i)).dial(""))
	}
	for _, s := range sockets {
		s.waitCount(room)
	}
	marks := make([]int, len(sockets))
	for i, s := range sockets {
		marks[i] = len(s.snapshot())
	}

	// Thirty arrivals, one by one, all sorting after the m's.
	observer := sockets[0]
	for i := range beyond {
		signedUp(t, a, fmt.Sprintf("z%03d", i)).dial("")
		observer.waitCount(room + i + 1)
	}
	countAlone := len(`<span id="num-users" hx-swap-oob="innerHTML">330 users online</span>`)
	for i, s := range sockets {
		s.waitCount(room + beyond)
		frames := s.snapshot()
		bytes := 0
		for _, f := range frames[marks[i]:] {
			rest := presenceOnly(f)
			bytes += len(rest)
			if personItem.MatchString(rest) || strings.Contains(rest, `id="online-users"`) || strings.Contains(rest, "delete:") {
				t.Fatalf("socket %d got part of the list for an arrival beyond the first 100: %.300q", i, rest)
			}
			if !onlyTally.MatchString(rest) {
				t.Fatalf("socket %d got more than the count and 'and N more': %.300q", i, rest)
			}
		}
		if limit := beyond * 2 * countAlone; bytes > limit {
			t.Errorf("socket %d got %d bytes of presence for %d arrivals, want at most %d (twice the count alone each)", i, bytes, beyond, limit)
		}
		shown := shownPresence(t, frames)
		if names := shown.Names(); len(names) != 100 || names[0] != "m000" || names[99] != "m099" || shown.More != "and 230 more" {
			t.Fatalf("socket %d lists %d people, %q to %q, %q; want m000 to m099 and 230 more", i, len(names), names[0], names[len(names)-1], shown.More)
		}
		marks[i] = len(frames)
	}

	// One arrival among the first 100: "a000" goes first, m099 drops out.
	signedUp(t, a, "a000").dial("")
	for i, s := range sockets {
		s.waitCount(room + beyond + 1)
		frames := s.snapshot()
		shown := shownPresence(t, frames)
		if names := shown.Names(); len(names) != 100 || names[0] != "a000" || names[99] != "m098" || shown.More != "and 231 more" {
			t.Fatalf("socket %d lists %d people, %q to %q, %q; want a000 to m098 and 231 more", i, len(names), names[0], names[len(names)-1], shown.More)
		}
		changed := strings.Join(frames[marks[i]:], "")
		if got := len(personItem.FindAllString(changed, -1)); got != 1 {
			t.Errorf("socket %d got %d <li> for one arrival among the first 100, want 1: %.500q", i, got, changed)
		}
		if got := strings.Count(changed, `hx-swap-oob="delete:#online-`); got != 1 {
			t.Errorf("socket %d got %d removals for the name pushed out, want 1: %.500q", i, got, changed)
		}
	}
}

// personItem is the <li> of a person in the online list.
var personItem = regexp.MustCompile(`<li id="online-\d+"`)

// onlyTally matches frames of nothing but count and "and N more" swaps.
var onlyTally = regexp.MustCompile(`^(<span id="num-users" hx-swap-oob="innerHTML">[^<]*</span>|<li id="online-more" hx-swap-oob="true"( hidden)?>[^<]*</li>)*$`)
