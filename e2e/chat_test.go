package e2e

import (
	"slices"
	"strings"
	"testing"
)

// The scenarios of issue 4. Each starts its own server and its own
// browsers, each browser with a fresh profile; A is Alice's, B is Bob's.

// TestPresence is scenario 1: the count follows people, not tabs, and a
// closed page is announced.
func TestPresence(t *testing.T) {
	srv := startParley(t, "")
	a, b := newBrowser(t, "A"), newBrowser(t, "B")

	alice := a.open("Alice (A)", srv.URL(), "/")
	alice.register("Alice")
	alice.waitUsers("1 user online", waitLive)

	bob := b.open("Bob (B)", srv.URL(), "/")
	bob.register("Bob")
	bob.waitUsers("2 users online", waitLive)
	alice.waitFor(`show "2 users online" and "Bob joined the chat"`, waitLive, func(s pageState) bool {
		return s.Users == "2 users online" && slices.Contains(s.Notices, "Bob joined the chat")
	})

	// A second tab of the same person: still two people.
	alice2 := a.open("Alice (A, tab 2)", srv.URL(), "/r/general")
	alice2.waitUsers("2 users online", waitLive)
	// Each socket got its count when it opened; the first tab's and Bob's
	// must not have moved.
	for _, p := range []*page{alice, bob} {
		if s, err := p.state(); err != nil || s.Users != "2 users online" {
			t.Fatalf("%s after Alice's second tab: %q (err %v), want 2 users online", p.name, s.Users, err)
		}
	}

	bob.close()
	for _, p := range []*page{alice, alice2} {
		p.waitFor(`show "1 user online" and "Bob left the chat"`, waitLive, func(s pageState) bool {
			return s.Users == "1 user online" && slices.Contains(s.Notices, "Bob left the chat")
		})
	}
	// The second tab saw only Bob leave: Alice's own second socket was not
	// announced as someone joining, in either tab.
	s2, _ := alice2.state()
	if !slices.Equal(s2.Notices, []string{"Bob left the chat"}) {
		t.Errorf("Alice's second tab shows notices %q, want only Bob left the chat", s2.Notices)
	}
	s1, _ := alice.state()
	if n := count(s1.Notices, "Alice joined the chat"); n > 1 {
		t.Errorf("Alice's first tab shows %q: her second tab was announced as a join", s1.Notices)
	}
	if i, j := slices.Index(s1.Notices, "Bob joined the chat"), slices.Index(s1.Notices, "Bob left the chat"); i < 0 || j < i {
		t.Errorf("Alice's first tab shows notices %q, want Bob joined before Bob left", s1.Notices)
	}
}

// TestMessages is scenario 2: Enter sends, every page shows each message
// once and in order, the input clears and keeps focus, and markup in a
// message is text.
func TestMessages(t *testing.T) {
	srv := startParley(t, "")
	alice, bob := signedIn(t, srv)

	const (
		hello = "Hello Bob, can you see this?"
		reply = "Loud and clear, Alice."
		xss   = `<img src=x onerror=alert(1)>`
	)
	alice.say(hello)
	s := alice.waitFor("show her message with an empty, focused input", waitLive, func(s pageState) bool {
		return s.has(hello) && s.Input != nil && *s.Input == ""
	})
	if s.Focused != "message" {
		t.Errorf("after sending, the focus is on %q, want the message input", s.Focused)
	}
	bob.waitFor("show Alice's message", waitLive, func(s pageState) bool { return s.has(hello) })
	bob.sayAndWait(reply)
	alice.sayAndWait(xss)

	want := []string{"Alice: " + hello, "Bob: " + reply, "Alice: " + xss}
	for _, p := range []*page{alice, bob} {
		s := p.waitFor("show the three messages", waitLive, func(s pageState) bool { return len(s.Messages) >= 3 })
		if got := s.texts(); !slices.Equal(got, want) {
			t.Errorf("%s shows messages\n%q\nwant, once each and in this order,\n%q", p.name, got, want)
		}
		checkMessages(t, p.name, s)
		if s.Elements != 0 {
			t.Errorf("%s: message texts contain %d elements: markup was not escaped", p.name, s.Elements)
		}
	}
	s, _ = alice.state()
	if s.Input == nil || *s.Input != "" || s.Focused != "message" {
		t.Errorf("Alice's input after three messages: %s, focus on %q; want empty and focused", s.input(), s.Focused)
	}
}

// signedIn registers Alice in a new browser A and Bob in a new browser B,
// and waits until both pages count two people.
func signedIn(t *testing.T, srv *server) (alice, bob *page) {
	t.Helper()
	a, b := newBrowser(t, "A"), newBrowser(t, "B")
	alice = a.open("Alice (A)", srv.URL(), "/")
	alice.register("Alice")
	alice.waitUsers("1 user online", waitLive)
	bob = b.open("Bob (B)", srv.URL(), "/")
	bob.register("Bob")
	for _, p := range []*page{alice, bob} {
		p.waitUsers("2 users online", waitLive)
	}
	return alice, bob
}

// checkMessages fails when a message shows twice (same element id) or
// lacks its time.
func checkMessages(t *testing.T, name string, s pageState) {
	t.Helper()
	seen := make(map[string]bool)
	for _, m := range s.Messages {
		if seen[m.ID] {
			t.Errorf("%s shows message %s twice: %q", name, m.ID, s.texts())
		}
		seen[m.ID] = true
		if m.Time == "" || !strings.Contains(m.Time, "T") {
			t.Errorf("%s: message %s has no RFC 3339 <time datetime>: %q", name, m.ID, m.Time)
		}
	}
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// TestRestart is scenario 3: the server restarts on the same address with
// the same database; the pages reconnect by themselves, without reloading,
// catch up with a message sent while they were away, and show everything
// once and the right count.
//
// Browsers reach the server through a gate (see gate) that stays shut from
// the shutdown until Carol, a Go websocket client on the server's own
// address, has posted her message to the new server: so the pages
// certainly catch up rather than happen to receive it live.
func TestRestart(t *testing.T) {
	g := newGate(t)
	srv := startParley(t, g.URL())
	g.open(srv.cfg.Addr)
	alice, bob := signedIn(t, srv)
	pages := []*page{alice, bob}

	const (
		before = "Before the restart"
		during = "Sent while you were away"
		after  = "After the restart"
	)
	alice.sayAndWait(before)
	bob.waitFor("show Alice's message", waitLive, func(s pageState) bool { return s.has(before) })
	carol := newHTTPUser(t, srv.direct())
	carol.register("Carol")

	was := make(map[*page]pageState)
	attempts, sockets := make(map[*page]int), make(map[*page]int)
	for _, p := range pages {
		s, err := p.state()
		if err != nil {
			t.Fatal(err)
		}
		was[p] = s
		attempts[p], sockets[p] = p.watch.socketCounts()
		p.watch.setOutage(true)
	}
	g.refuse()
	srv.restart()

	c := dialChat(t, srv.direct(), srv.URL(), carol.cookieHeader(), -1)
	c.send(during)
	c.readUntil(during) // stored and broadcast by the new server
	for _, p := range pages {
		if s, err := p.state(); err != nil || s.has(during) {
			t.Fatalf("%s shows Carol's message before it could reconnect (err %v): the gate leaks", p.name, err)
		}
	}
	// As in a real restart, let every page try at least once in vain: the
	// pages must keep trying after a failed attempt, not only after the
	// close frame. (The first retry comes within a second.)
	for _, p := range pages {
		p.waitFor("try to reconnect while the server is away", waitReconnect, func(pageState) bool {
			n, _ := p.watch.socketCounts()
			return n > attempts[p]
		})
	}
	g.open(srv.cfg.Addr)

	// Carol is still connected: "3 users online" can only come from the
	// new server, over the page's new socket.
	want := []string{"Alice: " + before, "Carol: " + during}
	for _, p := range pages {
		s := p.waitFor("reconnect: 3 users online and Carol's message", waitReconnect, func(s pageState) bool {
			return s.Users == "3 users online" && s.has(during)
		})
		p.watch.setOutage(false)
		if s.Document != was[p].Document {
			t.Errorf("%s reloaded instead of reconnecting its socket", p.name)
		}
		if _, opened := p.watch.socketCounts(); opened-sockets[p] != 1 {
			t.Errorf("%s opened %d sockets to the new server, want 1", p.name, opened-sockets[p])
		}
		if got := s.texts(); !slices.Equal(got, want) {
			t.Errorf("%s after reconnecting shows\n%q\nwant\n%q", p.name, got, want)
		}
		checkMessages(t, p.name, s)
		if tol := p.watch.toleratedSoFar(); len(tol) > 0 {
			t.Logf("%s: failed reconnect attempts while the server was away:\n%s", p.name, strings.Join(tol, "\n"))
		}
	}

	c.close()
	for _, p := range pages {
		p.waitFor(`show "2 users online" and "Carol left the chat"`, waitLive, func(s pageState) bool {
			return s.Users == "2 users online" && slices.Contains(s.Notices, "Carol left the chat")
		})
	}
	// The new sockets carry messages both ways.
	alice.sayAndWait(after)
	want = append(want, "Alice: "+after)
	for _, p := range pages {
		s := p.waitFor("show the message sent after the restart", waitLive, func(s pageState) bool { return s.has(after) })
		if got := s.texts(); !slices.Equal(got, want) {
			t.Errorf("%s shows\n%q\nwant\n%q", p.name, got, want)
		}
		checkMessages(t, p.name, s)
	}
}

// TestSignOut is scenario 4: signing out goes to /login, ends the session,
// and the other browser's count drops.
func TestSignOut(t *testing.T) {
	srv := startParley(t, "")
	alice, bob := signedIn(t, srv)

	bob.click("Sign out")
	bob.waitFor("reach /login", waitLive, func(s pageState) bool { return s.Path == "/login" })
	alice.waitFor(`show "1 user online" and "Bob left the chat"`, waitLive, func(s pageState) bool {
		return s.Users == "1 user online" && slices.Contains(s.Notices, "Bob left the chat")
	})
	// The session ended on the server, not just in the page.
	bob.navigate("/r/general")
	bob.waitFor("be sent back to /login", waitLive, func(s pageState) bool { return s.Path == "/login" })
	if s, _ := alice.state(); s.Users != "1 user online" {
		t.Errorf("Alice shows %q after Bob came back signed out, want 1 user online", s.Users)
	}
}
