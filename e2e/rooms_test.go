package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The browser scenarios of issue 8: rooms, the online list, and paging back
// through history.

// TestRooms puts three people in two rooms, one of them in both: counts,
// online lists, messages and notices stay in their room, live; every page
// links to both rooms and marks its own; leaving one room is not leaving
// the other.
//
// Alice registers as "alice", in lower case, so that team's list, "alice"
// before "Bob", shows the names sorted without regard to case (a plain
// byte order would put "Bob" first).
func TestRooms(t *testing.T) {
	srv := startParley(t, "")
	a, b, c := newBrowser(t, "A"), newBrowser(t, "B"), newBrowser(t, "C")

	alice := a.open("alice (A)", srv.URL(), "/")
	alice.register("alice")
	bob := b.open("Bob (B, general)", srv.URL(), "/")
	bob.register("Bob")
	waitPresence(alice, "2 users online", "alice", "Bob")

	// Alice makes a room and goes there; general sees her leave.
	s := alice.createRoom("team")
	checkRoomLinks(t, alice.name, s, "#team", "#general", "#team")
	waitPresence(alice, "1 user online", "alice")
	bob.waitFor(`show "alice left the chat" and only Bob online`, waitLive, func(s pageState) bool {
		return slices.Contains(s.Notices, "alice left the chat") && s.Users == "1 user online" &&
			slices.Equal(s.online(), []string{"Bob"})
	})

	// Room links are rendered with the page: Bob's page predates team, so
	// he opens general again to get a page that links to it.
	_, opened := bob.watch.socketCounts()
	bob.navigate("/r/general")
	bob.waitFor("open its socket again", waitLive, func(pageState) bool {
		_, n := bob.watch.socketCounts()
		return n > opened
	})

	carol := c.open("Carol (C)", srv.URL(), "/")
	carol.register("Carol")
	// Bob's general socket sees Carol join, so his own arrival in general
	// is old news by then: a "Bob joined the chat" on Carol's page could
	// only come from team.
	bob.waitFor(`show "Carol joined the chat"`, waitLive, func(s pageState) bool {
		return slices.Contains(s.Notices, "Carol joined the chat")
	})
	for _, p := range []*page{bob, carol} {
		waitPresence(p, "2 users online", "Bob", "Carol")
	}

	// Bob opens team in a second tab: he is in both rooms, and counts
	// once in each.
	bobTeam := b.open("Bob (B, team)", srv.URL(), "/r/team")
	alice.waitFor(`show "Bob joined the chat"`, waitLive, func(s pageState) bool {
		return slices.Contains(s.Notices, "Bob joined the chat")
	})
	for _, p := range []*page{alice, bobTeam} {
		waitPresence(p, "2 users online", "alice", "Bob")
	}
	general, team := []*page{bob, carol}, []*page{alice, bobTeam}
	for _, p := range general {
		checkPresence(t, p, "2 users online", "Bob", "Carol")
	}

	// Every page links to the rooms its reader is in (issue 22) and marks
	// its own: Bob's page of general got team live when he opened it in
	// the other tab; Carol never joined it.
	bob.waitFor("list team in the sidebar", waitLive, func(s pageState) bool {
		rooms, _ := s.roomLinks()
		return slices.Contains(rooms, "#team")
	})
	checkRoomLinks(t, bob.name, state(t, bob), "#general", "#general", "#team")
	checkRoomLinks(t, carol.name, state(t, carol), "#general", "#general")
	for _, p := range team {
		checkRoomLinks(t, p.name, state(t, p), "#team", "#general", "#team")
	}

	// A message stays in its room. Each room's next message is the
	// barrier: by the time it shows, a stray one would have shown too.
	const (
		inTeam    = "Team only: the release notes are in the wiki."
		inGeneral = "General: has anyone seen my umbrella?"
		teamAgain = "Team again: thanks, found them."
	)
	alice.sayAndWait(inTeam)
	bobTeam.waitFor("show alice's message", waitLive, func(s pageState) bool { return s.has(inTeam) })
	carol.sayAndWait(inGeneral)
	bob.waitFor("show Carol's message", waitLive, func(s pageState) bool { return s.has(inGeneral) })
	bobTeam.sayAndWait(teamAgain)
	alice.waitFor("show Bob's message", waitLive, func(s pageState) bool { return s.has(teamAgain) })
	for _, p := range general {
		checkTexts(t, p, "Carol: "+inGeneral)
	}
	for _, p := range team {
		checkTexts(t, p, "alice: "+inTeam, "Bob: "+teamAgain)
	}
	// Carol's socket opened after Bob's general one, so she must not have
	// seen him join: that was team's news.
	if s := state(t, carol); slices.Contains(s.Notices, "Bob joined the chat") {
		t.Errorf("%s shows notices %q: Bob joining team leaked into general", carol.name, s.Notices)
	}

	// Carol leaves: general follows live, team does not move.
	carol.close()
	bob.waitFor(`show "1 user online", only Bob, and "Carol left the chat"`, waitLive, func(s pageState) bool {
		return s.Users == "1 user online" && slices.Equal(s.online(), []string{"Bob"}) &&
			slices.Contains(s.Notices, "Carol left the chat")
	})
	const last = "Team: still two of us here."
	alice.sayAndWait(last)
	bobTeam.waitFor("show alice's last message", waitLive, func(s pageState) bool { return s.has(last) })
	for _, p := range team {
		s := checkPresence(t, p, "2 users online", "alice", "Bob")
		checkTexts(t, p, "alice: "+inTeam, "Bob: "+teamAgain, "alice: "+last)
		checkNotices(t, p, s, "Carol")
		checkMessages(t, p.name, s)
	}

	// Bob closes his team tab: he leaves team and stays in general.
	leaves := count(state(t, bob).Notices, "Bob left the chat") // one if his reload was announced
	bobTeam.close()
	alice.waitFor(`show "1 user online", only alice, and "Bob left the chat"`, waitLive, func(s pageState) bool {
		return s.Users == "1 user online" && slices.Equal(s.online(), []string{"alice"}) &&
			slices.Contains(s.Notices, "Bob left the chat")
	})
	const stillHere = "General: I am still here."
	bob.sayAndWait(stillHere)
	s = checkPresence(t, bob, "1 user online", "Bob")
	if n := count(s.Notices, "Bob left the chat"); n != leaves {
		t.Errorf("%s shows notices %q after Bob closed his team tab: got %d \"Bob left the chat\", want %d: he is still in general",
			bob.name, s.Notices, n, leaves)
	}
	checkTexts(t, bob, "Carol: "+inGeneral, "Bob: "+stillHere)
	checkNotices(t, bob, s, "alice")
	checkMessages(t, bob.name, s)
	checkTexts(t, alice, "alice: "+inTeam, "Bob: "+teamAgain, "alice: "+last)
}

// waitPresence waits until the page shows users ("2 users online") and
// exactly these lines in its online list, in this order.
func waitPresence(p *page, users string, online ...string) pageState {
	p.t.Helper()
	return p.waitFor(fmt.Sprintf("show %q and online list %q", users, online), waitLive, func(s pageState) bool {
		return s.Users == users && slices.Equal(s.online(), online)
	})
}

// checkPresence fails unless the page shows users and exactly these lines
// in its online list now.
func checkPresence(t *testing.T, p *page, users string, online ...string) pageState {
	t.Helper()
	s := state(t, p)
	if s.Users != users || !slices.Equal(s.online(), online) {
		t.Errorf("%s shows %q and online list %q, want %q and %q", p.name, s.Users, s.online(), users, online)
	}
	return s
}

// checkRoomLinks fails unless #rooms links to exactly rooms, in this
// order, with current (and only it) marked aria-current="page".
func checkRoomLinks(t *testing.T, name string, s pageState, current string, rooms ...string) {
	t.Helper()
	got, marked := s.roomLinks()
	if !slices.Equal(got, rooms) {
		t.Errorf("%s: room links %q, want %q", name, got, rooms)
	}
	if marked != current {
		t.Errorf("%s: room link marked aria-current=page: %q, want %q", name, marked, current)
	}
}

// checkTexts fails unless the page shows exactly these messages ("Author:
// text"), in this order.
func checkTexts(t *testing.T, p *page, want ...string) {
	t.Helper()
	if got := state(t, p).texts(); !slices.Equal(got, want) {
		t.Errorf("%s shows messages\n%q\nwant\n%q", p.name, got, want)
	}
}

// checkNotices fails when a join or leave notice on the page names someone
// who never was in its room.
func checkNotices(t *testing.T, p *page, s pageState, stranger string) {
	t.Helper()
	for _, n := range s.Notices {
		if strings.HasPrefix(strings.ToLower(n), strings.ToLower(stranger)+" ") {
			t.Errorf("%s shows notice %q (all: %q), want none about %s, who was never in this room", p.name, n, s.Notices, stranger)
		}
	}
}

// state reads the page and fails the test when it cannot.
func state(t *testing.T, p *page) pageState {
	t.Helper()
	s, err := p.state()
	if err != nil {
		t.Fatalf("%s: read the page: %v", p.name, err)
	}
	return s
}

// TestLoadEarlierMessages pages back through 120 messages: the page shows
// the last 50 with "Load earlier messages" on top; each click puts the 50
// before them in its place, until none are left; a live message still
// arrives at the bottom. Without htmx the same link is a page of older
// messages with a way back.
func TestLoadEarlierMessages(t *testing.T) {
	srv := startParley(t, "")
	// Carol fills general without a browser, over her own websocket.
	carol := newHTTPUser(t, srv.URL())
	carol.register("Carol")
	ws := dialChat(t, srv.URL(), srv.URL(), carol.cookieHeader(), 0)
	texts := make([]string, 120)
	for i := range texts {
		texts[i] = fmt.Sprintf("Message %03d", i+1)
		ws.send(texts[i])
		ws.readUntil(">" + texts[i] + "<")
	}

	alice := newBrowser(t, "A").open("Alice (A)", srv.URL(), "/")
	alice.register("Alice")
	s := alice.waitFor("show 50 messages", waitLive, func(s pageState) bool { return len(s.Messages) == 50 })
	checkPage(t, alice.name, s, texts[70:], true)
	first := *s.LoadEarlier // the link of the latest page, followed below without htmx

	alice.follow("Load earlier messages")
	s = alice.waitFor("show 100 messages", waitLive, func(s pageState) bool { return len(s.Messages) >= 100 })
	checkPage(t, alice.name, s, texts[20:], true)
	alice.follow("Load earlier messages")
	s = alice.waitFor("show 120 messages", waitLive, func(s pageState) bool { return len(s.Messages) >= 120 })
	checkPage(t, alice.name, s, texts, false)

	// The page is still live: a new message arrives below the old ones.
	const live = "Still here after paging back"
	ws.send(live)
	ws.readUntil(">" + live + "<")
	s = alice.waitFor("show the live message", waitLive, func(s pageState) bool { return s.has(live) })
	checkPage(t, alice.name, s, append(slices.Clone(texts), live), false)

	// Without htmx: the link's href is a page of the 50 older messages,
	// with no socket and no form, a link to even older ones and a way back.
	alice.navigate(first.Href)
	s = alice.waitFor("show a page of 50 older messages", waitLive, func(s pageState) bool {
		return s.Path+s.Search == first.Href && len(s.Messages) == 50
	})
	checkPage(t, alice.name, s, texts[20:70], true)
	checkArchive(t, alice.name, s)
	// Alice has no socket in general any more: Carol sees her leave.
	ws.readUntil("Alice left the chat")
	older := s.LoadEarlier.Href
	alice.follow("Load earlier messages")
	s = alice.waitFor("show the page of the 20 oldest messages", waitLive, func(s pageState) bool {
		return s.Path+s.Search == older && len(s.Messages) == 20
	})
	checkPage(t, alice.name, s, texts[:20], false)
	checkArchive(t, alice.name, s)
	// So the room has one person in it, Carol, and a page that opens no
	// socket must not count its reader.
	if s.Users != "1 user online" || !slices.Equal(s.online(), []string{"Carol"}) {
		t.Errorf("%s: page of older messages (no socket) while only Carol is in the room: got %q and online list %q, want %q and %q",
			alice.name, s.Users, s.online(), "1 user online", []string{"Carol"})
	}
	alice.follow("Back to the latest")
	s = alice.waitFor("be back on the latest 50 messages", waitLive, func(s pageState) bool {
		return s.Path == "/r/general" && s.Search == "" && len(s.Messages) == 50 && s.Input != nil
	})
	checkPage(t, alice.name, s, append(slices.Clone(texts[71:]), live), true)
	waitPresence(alice, "2 users online", "Alice", "Carol")
	ws.readUntil("Alice joined the chat")
}

// checkPage fails unless the page shows exactly these texts, in ascending
// ID order, each once with its time, and, as the first child of #messages,
// a link to the messages before the first one exactly when earlier is true.
func checkPage(t *testing.T, name string, s pageState, texts []string, earlier bool) {
	t.Helper()
	if got := s.textsOnly(); !slices.Equal(got, texts) {
		t.Errorf("%s shows %d messages\n%q\nwant %d\n%q", name, len(got), got, len(texts), texts)
	}
	ids := s.ids()
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Errorf("%s: message %s follows %s: want ascending IDs, each once", name, s.Messages[i].ID, s.Messages[i-1].ID)
		}
	}
	checkMessages(t, name, s)
	switch {
	case !earlier && (s.LoadEarlier != nil || s.LoadEarlierCount != 0):
		t.Errorf("%s shows %d #load-earlier (%+v), want none: no older messages are left", name, s.LoadEarlierCount, s.LoadEarlier)
	case !earlier:
	case s.LoadEarlier == nil:
		t.Errorf("%s shows no #load-earlier, want one: older messages exist", name)
	case len(ids) == 0:
		t.Errorf("%s shows #load-earlier but no messages", name)
	default:
		room := "/r/" + strings.TrimPrefix(s.Path, "/r/")
		before := fmt.Sprint(ids[0])
		got := *s.LoadEarlier
		want := loadEarlier{Href: room + "?before=" + before, HXGet: room + "/messages?before=" + before, First: true}
		if got != want || s.LoadEarlierCount != 1 {
			t.Errorf("%s: #load-earlier %+v (%d of them), want %+v, once", name, got, s.LoadEarlierCount, want)
		}
	}
}

// checkArchive fails unless the page is one of older messages: to read,
// without a message box, with a link back to the room's latest messages.
func checkArchive(t *testing.T, name string, s pageState) {
	t.Helper()
	if s.Input != nil {
		t.Errorf("%s: a page of older messages has a message box (%s), want none", name, s.input())
	}
	back, ok := s.link("Back to the latest")
	if !ok || back.Href != s.Path {
		t.Errorf("%s: link \"Back to the latest\" %+v (found %v), want one to %s", name, back, ok, s.Path)
	}
}
