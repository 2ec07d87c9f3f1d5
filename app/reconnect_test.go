package app_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app"
)

// shownThrough reads the message ID a page hands its socket in ws-connect.
func shownThrough(t *testing.T, page string) string {
	t.Helper()
	_, after, ok := strings.Cut(page, `ws-connect="/ws?room=general&amp;shown=`)
	if !ok {
		t.Fatalf("chat page has no ws-connect with shown=")
	}
	id, _, _ := strings.Cut(after, `"`)
	return id
}

func TestFirstConnectSendsNoHistoryThePageHas(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice := signedUp(t, a, "alice")
	poster := alice.dial("")
	for i := range 3 {
		poster.send(fmt.Sprintf("before %d", i))
	}
	poster.waitText("before 2</p>")

	_, page, _ := alice.get("/r/general")
	s := alice.dial("?shown=" + shownThrough(t, page))
	s.waitCount(1)
	poster.send("after")
	s.waitText("after</p>")
	if n := containing(s.snapshot(), "before 0"); n != 0 {
		t.Errorf("a socket whose page is up to date got the history %d times, want 0", n)
	}
}

func TestReconnectCatchesUpWithoutDuplicates(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice, bob := signedUp(t, a, "alice"), signedUp(t, a, "bob")
	_, page, _ := alice.get("/r/general") // alice's page, before any message
	shown := shownThrough(t, page)

	bobSocket := bob.dial("")
	for i := range 60 { // more than the 50 a page shows
		// One at a time, as a person types: a burst faster than a socket's
		// queue drains would drop it as too slow, which is another test.
		bobSocket.send(fmt.Sprintf("missed %02d", i))
		bobSocket.waitText(fmt.Sprintf("missed %02d</p>", i))
	}

	// Alice's page reconnects with the URL it loaded with.
	s := alice.dial("?shown=" + shown)
	s.waitText("missed 59")
	history := s.snapshot()[0]
	if !strings.Contains(history, `id="messages"`) || !strings.Contains(history, `hx-swap-oob="true"`) {
		t.Fatalf("catch-up frame does not replace #messages: %.200q", history)
	}
	if got := strings.Count(history, `class="message"`); got != 50 {
		t.Errorf("catch-up shows %d messages, want the last 50", got)
	}
	if strings.Contains(history, "missed 09<") || !strings.Contains(history, "missed 10<") {
		t.Errorf("catch-up is not the last 50 messages")
	}
	bobSocket.send("live")
	s.waitText("live</p>")
	for i := range 60 {
		if n := containing(s.snapshot(), fmt.Sprintf("missed %02d<", i)); n > 1 {
			t.Errorf("message %d arrived %d times, want at most once", i, n)
		}
	}
}

func TestShutdownClosesSocketsWithServiceRestart(t *testing.T) {
	cfg := testConfig(t)
	a, err := app.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	sockets := make([]*socket, 3)
	for i := range sockets {
		sockets[i] = signedUp(t, a, "user"+strconv.Itoa(i)).dial("")
		sockets[i].waitCount(i + 1)
	}
	sockets[0].send("said before the restart")
	sockets[2].waitText("said before the restart</p>")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := a.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("shutdown took %v, want a few seconds at most", took)
	}
	for i, s := range sockets {
		if code := s.waitClose(); code != websocket.CloseServiceRestart {
			t.Errorf("socket %d: close code %d, want 1012 so that htmx reconnects", i, code)
		}
	}

	// The same database serves the next instance: accounts and messages survive.
	cfg.Addr = a.Addr()
	next := startApp(t, cfg)
	b := newBrowser(t, next.URL())
	status, _, _ := b.post("/login", map[string][]string{"username": {"user0"}, "password": {"password-user0"}})
	if status != 303 {
		t.Fatalf("sign in after restart: got %d, want 303", status)
	}
	if _, page, _ := b.get("/r/general"); !strings.Contains(page, "said before the restart</p>") {
		t.Errorf("the chat page after a restart lacks the message sent before it")
	}
}

func TestConnectStormConverges(t *testing.T) {
	const people, tabsEach = 100, 3 // 300 sockets
	a := startApp(t, testConfig(t))
	browsers := make([]*browser, people)
	for i := range browsers {
		browsers[i] = signedUp(t, a, fmt.Sprintf("storm%03d", i))
	}
	sockets := make([]*socket, 0, people*tabsEach)
	for range tabsEach {
		for _, b := range browsers {
			sockets = append(sockets, b.dial(""))
		}
	}
	for _, s := range sockets {
		s.waitCount(people)
	}
	// Coalescing: no socket gets a count frame per arrival.
	worst := 0
	for _, s := range sockets {
		worst = max(worst, containing(s.snapshot(), `id="num-users"`))
	}
	if worst >= people {
		t.Errorf("a socket got %d count frames for %d arrivals, want them coalesced", worst, people)
	}

	// Everyone but one person leaves.
	for _, s := range sockets[1:] {
		if s != sockets[people] && s != sockets[2*people] {
			s.close()
		}
	}
	sockets[0].waitCount(1)
}
