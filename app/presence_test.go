package app_test

import (
	"net"
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
