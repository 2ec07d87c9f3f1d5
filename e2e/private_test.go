package e2e

import (
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPrivateRoom is issue 22 in a browser: Alice creates a private room
// and adds Bob, whose page of general gets it in its sidebar live; Carol's
// never lists it; Alice removes Bob and his open page of the room shows
// the notice in place of the form, and stays put (no reconnect). The
// members page passes the accessibility audit.
func TestPrivateRoom(t *testing.T) {
	srv := startParley(t, "")
	a, b, c := newBrowser(t, "A"), newBrowser(t, "B"), newBrowser(t, "C")
	alice := a.open("Alice (A)", srv.URL(), "/")
	alice.register("alice")
	bob := b.open("Bob (B, general)", srv.URL(), "/")
	bob.register("bob")
	carol := c.open("Carol (C)", srv.URL(), "/")
	carol.register("carol")

	// Alice creates hiring, private.
	alice.navigate("/rooms")
	alice.fill("Room name", "hiring")
	alice.do("choose private", chromedp.Click(`//input[@name="visibility"][@value="private"]`))
	alice.click("Create room")
	alice.waitFor("reach /r/hiring", waitLive, func(s pageState) bool { return s.Path == "/r/hiring" && s.Users != "" })
	const secret = "We are hiring two engineers."
	alice.sayAndWait(secret)

	// She adds Bob on the members page; his page of general lists hiring
	// without a reload.
	alice.navigate("/r/hiring/members")
	alice.audit("members page of a private room")
	alice.fill("Username, or provider:name", "bob")
	alice.click("Add")
	alice.waitFor("list bob among the members", waitLive, func(s pageState) bool {
		_, ok := s.link("Back to the room")
		return ok && s.Path == "/r/hiring/members"
	})
	bob.waitFor("list #hiring in the sidebar, live", waitLive, func(s pageState) bool {
		rooms, _ := s.roomLinks()
		return slices.Contains(rooms, "#hiring")
	})

	// Bob opens it in a second tab and reads what was said.
	bobHiring := b.open("Bob (B, hiring)", srv.URL(), "/r/hiring")
	bobHiring.waitFor("show Alice's message and open its socket", waitLive, func(s pageState) bool {
		_, opened := bobHiring.watch.socketCounts()
		return s.has(secret) && s.Users != "" && opened > 0
	})

	// Carol's sidebar never had it, and the room does not exist for her.
	if rooms, _ := state(t, carol).roomLinks(); slices.Contains(rooms, "#hiring") {
		t.Errorf("Carol's sidebar lists %q: a private room she is not in", rooms)
	}

	// Alice removes Bob: his open page of hiring gets the notice in place
	// of the form; his sidebar in general loses the room.
	_, opened := bobHiring.watch.socketCounts()
	alice.navigate("/r/hiring/members")
	alice.do("remove bob", chromedp.Click(`//button[@aria-label="Remove bob"]`))
	bobHiring.waitFor("show the notice in place of the form", waitLive, func(s pageState) bool {
		_, back := s.link("Back to general")
		return s.Input == nil && back
	})
	bob.waitFor("drop #hiring from the sidebar, live", waitLive, func(s pageState) bool {
		rooms, _ := s.roomLinks()
		return !slices.Contains(rooms, "#hiring") && slices.Contains(rooms, "#general")
	})
	if _, n := bobHiring.watch.socketCounts(); n != opened {
		t.Errorf("Bob's page of hiring opened %d more sockets after the removal, want none: it must not reconnect", n-opened)
	}
	if rooms, _ := state(t, carol).roomLinks(); slices.Contains(rooms, "#hiring") {
		t.Errorf("Carol's sidebar lists %q after all", rooms)
	}
}
