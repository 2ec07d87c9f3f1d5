package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parleychat/parley/app/pagetest"
)

// createRoom creates a room through the directory's form.
func (b *browser) createRoom(name string) {
	b.t.Helper()
	status, body, hdr := b.post("/rooms", url.Values{"name": {name}})
	if status != http.StatusSeeOther || hdr.Get("Location") != "/r/"+name {
		b.t.Fatalf("create room %q: got %d to %q, want 303 to /r/%s; body: %.300s", name, status, hdr.Get("Location"), name, body)
	}
}

var (
	onlineListPattern = regexp.MustCompile(`(?s)<ul id="online-users"[^>]*>(.*?)</ul>`)
	personPattern     = regexp.MustCompile(`<li id="online-\d+">([^<]*)`)
)

// listedOnPage returns the names the online list of a page names.
func listedOnPage(page string) []string {
	m := onlineListPattern.FindStringSubmatch(page)
	if m == nil {
		return nil
	}
	var names []string
	for _, p := range personPattern.FindAllStringSubmatch(m[1], -1) {
		names = append(names, p[1])
	}
	return names
}

// shownPresence is the count and online list a page shows once htmx has
// applied frames; it fails the test on a frame htmx could not apply.
func shownPresence(t *testing.T, frames []string) *pagetest.Presence {
	t.Helper()
	p := pagetest.NewPresence()
	if err := p.ApplyAll(frames); err != nil {
		t.Fatal(err)
	}
	return p
}

// waitPresence waits until the socket shows n people online, listed as names.
func (s *socket) waitPresence(n int, names ...string) {
	s.t.Helper()
	s.waitUntil(fmt.Sprintf("%d online: %q", n, names), func(f []string) bool {
		p := shownPresence(s.t, f)
		return p.Count == n && slices.Equal(p.Names(), names)
	})
}

func TestRoomsKeepPresenceMessagesAndNoticesApart(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice, bob, carol := signedUp(t, a, "alice"), signedUp(t, a, "Bob"), signedUp(t, a, "carol")
	alice.createRoom("team")

	// Alice is in both rooms, Bob only in general, Carol only in team.
	aliceGeneral, bobGeneral := alice.dial("?room=general"), bob.dial("")
	aliceTeam, carolTeam := alice.dial("?room=team"), carol.dial("?room=team")
	for _, s := range []*socket{aliceGeneral, bobGeneral} {
		s.waitPresence(2, "alice", "Bob")
	}
	for _, s := range []*socket{aliceTeam, carolTeam} {
		s.waitPresence(2, "alice", "carol")
	}
	aliceTeam.waitNotice("carol", true)

	carolTeam.send("team only")
	aliceTeam.waitText("team only</p>")
	bobGeneral.send("general only")
	for _, s := range []*socket{aliceGeneral, bobGeneral} {
		s.waitText("general only</p>")
	}
	carolTeam.close()
	aliceTeam.waitPresence(1, "alice")
	aliceTeam.waitText("carol left the chat")
	// The hub handles one room's events at a time, in order: a marker sent
	// in general after all that reaches general's sockets after anything
	// of team's that could have strayed there.
	bobGeneral.send("marker")
	aliceGeneral.waitText("marker</p>")
	bobGeneral.waitText("marker</p>")

	for name, s := range map[string]*socket{"alice in general": aliceGeneral, "bob in general": bobGeneral} {
		for _, stray := range []string{"team only", "carol joined", "carol left", ">carol<"} {
			if n := containing(s.snapshot(), stray); n != 0 {
				t.Errorf("%s got %d frames with %q from team", name, n, stray)
			}
		}
		if got := count(s.snapshot()); got != 2 {
			t.Errorf("%s shows %d online, want 2", name, got)
		}
	}
	if n := containing(aliceTeam.snapshot(), "general only"); n != 0 {
		t.Errorf("alice's team socket got a message of general")
	}
	if n := containing(aliceTeam.snapshot(), "Bob joined"); n != 0 {
		t.Errorf("alice's team socket got a notice of general")
	}

	// Pages show each room's own history, count and list, and mark the room.
	_, general, _ := bob.get("/r/general")
	_, team, _ := alice.get("/r/team")
	if !strings.Contains(general, "general only</p>") || strings.Contains(general, "team only") {
		t.Errorf("general's page does not show only general's messages")
	}
	if !strings.Contains(team, "team only</p>") || strings.Contains(team, "general only") {
		t.Errorf("team's page does not show only team's messages")
	}
	if got := count([]string{general}); got != 2 {
		t.Errorf("general's page shows %d online, want 2", got)
	}
	if got, want := listedOnPage(team), []string{"alice"}; !slices.Equal(got, want) {
		t.Errorf("team's page lists %q online, want %q", got, want)
	}
	for page, current := range map[string]string{general: "general", team: "team"} {
		want := `<a href="/r/` + current + `" aria-current="page">`
		if !strings.Contains(page, want) || strings.Count(page, `aria-current="page"`) != 1 {
			t.Errorf("page of %s: want exactly one room link marked current, %s", current, want)
		}
		if !containsAll(page, `href="/r/general"`, `ws-connect="/ws?room=`+current+`&amp;shown=`) {
			t.Errorf("page of %s lacks a link to general or its own socket", current)
		}
	}
	// The sidebar lists the reader's rooms (issue 22): alice created team
	// and is in it, bob never opened it.
	if !strings.Contains(team, `<li id="room-team"><a href="/r/team"`) {
		t.Errorf("alice's sidebar lacks team, which she created")
	}
	if strings.Contains(general, `id="room-team"`) {
		t.Errorf("bob's sidebar lists team, which he never joined")
	}
}

func TestOnlineListIsSortedAndSummedUp(t *testing.T) {
	a := startApp(t, testConfig(t))
	names := []string{"zed", "Amy", "bob", "Carl"}
	var last *socket
	for _, n := range names {
		last = signedUp(t, a, n).dial("")
	}
	last.waitPresence(4, "Amy", "bob", "Carl", "zed")
}

func TestOnlineListNamesAtMostAHundred(t *testing.T) {
	a := startApp(t, testConfig(t))
	var sockets []*socket
	for i := range 103 {
		sockets = append(sockets, signedUp(t, a, fmt.Sprintf("user%03d", i)).dial(""))
	}
	last := sockets[len(sockets)-1]
	last.waitCount(103)
	shown := shownPresence(t, last.snapshot())
	listed := shown.Names()
	if len(listed) != 100 || listed[0] != "user000" || listed[99] != "user099" {
		t.Errorf("online list names %d people from %q, want user000 to user099", len(listed), listed[:min(3, len(listed))])
	}
	if shown.More != "and 3 more" {
		t.Errorf("online list sums up the others as %q, want %q", shown.More, "and 3 more")
	}
}

var (
	loadEarlierPattern = regexp.MustCompile(`<a id="load-earlier" class="load-earlier" href="/r/general\?before=(\d+)" hx-get="/r/general/messages\?before=(\d+)" hx-swap="outerHTML">`)
	messageTextPattern = regexp.MustCompile(`<p class="text">([^<]*)</p>`)
)

func TestLoadEarlierPagesBackThroughHistory(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice := signedUp(t, a, "alice")
	alice.createRoom("elsewhere")
	general, elsewhere := alice.dial(""), alice.dial("?room=elsewhere")
	var want []string
	for i := range 120 {
		text := fmt.Sprintf("old %03d", i)
		general.send(text)
		general.waitText(text + "</p>")
		want = append(want, text)
		if i%10 == 0 { // messages of another room in between
			elsewhere.send(fmt.Sprintf("other %03d", i))
			elsewhere.waitText(fmt.Sprintf("other %03d</p>", i))
		}
	}

	status, page, _ := alice.get("/r/general")
	if status != http.StatusOK {
		t.Fatalf("GET /r/general: %d", status)
	}
	_, list, _ := strings.Cut(page, `<div id="messages"`)
	_, list, _ = strings.Cut(list, ">")
	if !strings.HasPrefix(strings.TrimSpace(list), `<a id="load-earlier"`) {
		t.Fatalf("#load-earlier is not the first child of #messages: %.200s", list)
	}
	got := messageTextPattern.FindAllStringSubmatch(page, -1)
	var shown []string
	for _, m := range got {
		shown = append(shown, m[1])
	}
	if !slices.Equal(shown, want[70:]) {
		t.Fatalf("page shows %d messages %q…, want the last 50", len(shown), shown[:min(2, len(shown))])
	}
	for pages := 0; ; pages++ {
		m := loadEarlierPattern.FindStringSubmatch(page)
		if m == nil {
			break
		}
		if m[1] != m[2] {
			t.Fatalf("load-earlier link and hx-get disagree: %q", m[0])
		}
		if pages == 3 {
			t.Fatalf("still a #load-earlier after 3 pages of 50")
		}
		status, page, _ = alice.get("/r/general/messages?before=" + m[2])
		if status != http.StatusOK {
			t.Fatalf("GET earlier messages: %d", status)
		}
		var earlier []string
		for _, m := range messageTextPattern.FindAllStringSubmatch(page, -1) {
			earlier = append(earlier, m[1])
		}
		shown = append(earlier, shown...)
		if strings.Contains(page, "<html") {
			t.Errorf("earlier messages come as a page, want a fragment")
		}
	}
	if !slices.Equal(shown, want) {
		t.Errorf("paging back shows %d messages, want all %d once, in order", len(shown), len(want))
	}

	// Without htmx the link opens a page of the older messages to read.
	m := loadEarlierPattern.FindStringSubmatch(func() string { _, p, _ := alice.get("/r/general"); return p }())
	status, archive, _ := alice.get("/r/general?before=" + m[1])
	if status != http.StatusOK || !containsAll(archive, "old 020</p>", "old 069</p>", "Back to the latest", `href="/r/general?before=`) {
		t.Errorf("GET /r/general?before=%s: got %d, want a page of messages 20 to 69 with the way back and further", m[1], status)
	}
	if strings.Contains(archive, "old 070</p>") || strings.Contains(archive, "old 019</p>") || strings.Contains(archive, "ws-connect") {
		t.Errorf("the page of older messages shows messages outside its page, or opens a live socket")
	}
}

func TestCatchUpStaysInItsRoom(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice := signedUp(t, a, "alice")
	alice.createRoom("team")
	_, page, _ := alice.get("/r/team")
	_, after, _ := strings.Cut(page, `ws-connect="/ws?room=team&amp;shown=`)
	shown, _, _ := strings.Cut(after, `"`)

	writer := alice.dial("")
	writer.send("in general")
	writer.waitText("in general</p>")
	teamWriter := alice.dial("?room=team")
	teamWriter.send("in team")
	teamWriter.waitText("in team</p>")

	// The team page reconnects after both were sent: it catches up with
	// team's message only.
	s := alice.dial("?room=team&shown=" + shown)
	s.waitText("in team</p>")
	if n := containing(s.snapshot(), "in general"); n != 0 {
		t.Errorf("team's catch-up carries general's message")
	}
}

func TestRoomNames(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice := signedUp(t, a, "alice")
	tests := []struct {
		name       string
		wantStatus int
		wantText   string
	}{
		{"", http.StatusUnprocessableEntity, "2 to 32"},
		{"a", http.StatusUnprocessableEntity, "2 to 32"},
		{strings.Repeat("a", 33), http.StatusUnprocessableEntity, "2 to 32"},
		{"-dash", http.StatusUnprocessableEntity, "only a-z"},
		{"go_nuts", http.StatusUnprocessableEntity, "only a-z"},
		{"go nuts", http.StatusUnprocessableEntity, "only a-z"},
		{"café", http.StatusUnprocessableEntity, "only a-z"},
		{"<b>x</b>", http.StatusUnprocessableEntity, "only a-z"},
		{"general", http.StatusConflict, "already a room called general"},
		{" Team ", http.StatusSeeOther, ""},
		{"team", http.StatusConflict, "already a room called team"},
	}
	for _, tt := range tests {
		status, body, hdr := alice.post("/rooms", url.Values{"name": {tt.name}})
		if status != tt.wantStatus {
			t.Errorf("POST /rooms name=%q: got %d, want %d", tt.name, status, tt.wantStatus)
			continue
		}
		if status == http.StatusSeeOther {
			if got := hdr.Get("Location"); got != "/r/team" {
				t.Errorf("POST /rooms name=%q: went to %q, want /r/team", tt.name, got)
			}
			continue
		}
		if !strings.Contains(body, tt.wantText) || !strings.Contains(body, `name="name"`) {
			t.Errorf("POST /rooms name=%q: the form again with %q, got %.300s", tt.name, tt.wantText, body)
		}
		if strings.Contains(body, "<b>x") {
			t.Errorf("the refused name is not escaped")
		}
	}
	// No field at all is a malformed name too.
	if status, _, _ := alice.post("/rooms", url.Values{}); status != http.StatusUnprocessableEntity {
		t.Errorf("POST /rooms without name: got %d, want 422", status)
	}
	_, dir, _ := alice.get("/rooms")
	if got := strings.Count(dir, `<li><a href="/r/`); got != 2 {
		t.Errorf("the directory lists %d rooms, want general and team", got)
	}
}

func TestDirectoryShowsWhoIsInEachRoom(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice, bob := signedUp(t, a, "alice"), signedUp(t, a, "bob")
	alice.createRoom("team")
	alice.createRoom("quiet")
	s := alice.dial("?room=team")
	bob.dial("?room=team")
	alice.dial("") // alice's second room
	s.waitCount(2)
	_, dir, _ := bob.get("/rooms")
	for room, want := range map[string]int{"general": 1, "team": 2, "quiet": 0} {
		pattern := regexp.MustCompile(`href="/r/` + room + `">#` + room + `</a>\s*<span class="room-online">(\d+) users? online</span>`)
		m := pattern.FindStringSubmatch(dir)
		if m == nil {
			t.Errorf("the directory does not list %s with a count", room)
			continue
		}
		if got, _ := strconv.Atoi(m[1]); got != want {
			t.Errorf("the directory shows %d in %s, want %d", got, room, want)
		}
	}
	if !containsAll(dir, `<form method="post" action="/rooms"`, `<label for="room-name">Room name</label>`, "Create room") {
		t.Errorf("the directory has no form to create a room")
	}
}

func TestUnknownRoomIsNotFound(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice := signedUp(t, a, "alice")
	for _, path := range []string{"/r/nowhere", "/r/General", "/r/no_such", "/r/" + strings.Repeat("x", 40), "/r/nowhere/messages?before=10"} {
		if status, body, _ := alice.get(path); status != http.StatusNotFound || !strings.Contains(body, "no room of that name") {
			t.Errorf("GET %s: got %d, want the 404 page", path, status)
		}
	}
	for _, query := range []string{"?room=nowhere", "?room=General", "?room=%3Cb%3E"} {
		_, resp, err := dialSocket(t, a.URL(), alice.cookie(), a.URL(), query)
		if err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
			status := 0
			if resp != nil {
				status = resp.StatusCode
			}
			t.Errorf("dial /ws%s: got %d (err %v), want 404 before the upgrade", query, status, err)
		}
	}
	// None of that created a room.
	if _, dir, _ := alice.get("/rooms"); strings.Count(dir, `<li><a href="/r/`) != 1 {
		t.Errorf("an unknown room name created a room")
	}
}

func TestBadBeforeIsRefused(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice := signedUp(t, a, "alice")
	for _, path := range []string{"/r/general?before=abc", "/r/general?before=-5", "/r/general?before=0", "/r/general/messages?before=1e3", "/r/general/messages"} {
		if status, body, _ := alice.get(path); status != http.StatusBadRequest || !strings.Contains(body, "before") {
			t.Errorf("GET %s: got %d, want 400 naming before", path, status)
		}
	}
	if status, _, _ := newBrowser(t, a.URL()).get("/r/general/messages?before=5"); status != http.StatusUnauthorized {
		t.Errorf("earlier messages signed out: got %d, want 401", status)
	}
}

func TestRoomCreationForAdminsOnly(t *testing.T) {
	cfg := testConfig(t)
	cfg.RoomCreationAdminsOnly = true
	a := startApp(t, cfg)
	alice := signedUp(t, a, "alice")
	status, body, _ := alice.post("/rooms", url.Values{"name": {"team"}})
	if status != http.StatusForbidden || !strings.Contains(body, "Only admins create rooms") {
		t.Errorf("POST /rooms with ROOM_CREATION=admins: got %d, want 403 with the reason", status)
	}
	_, dir, _ := alice.get("/rooms")
	if strings.Contains(dir, `action="/rooms"`) || strings.Contains(dir, "/r/team") {
		t.Errorf("the directory offers to create rooms, or lists the refused one")
	}
}

func TestSignInReturnsToTheRoom(t *testing.T) {
	a := startApp(t, testConfig(t))
	signedUp(t, a, "alice").createRoom("team")
	b := newBrowser(t, a.URL())
	b.register("bob", "password-bob")
	b.post("/logout", nil)

	status, _, hdr := b.get("/r/team")
	if status != http.StatusSeeOther || hdr.Get("Location") != "/login?next=%2Fr%2Fteam" {
		t.Fatalf("GET /r/team signed out: got %d to %q", status, hdr.Get("Location"))
	}
	if _, page, _ := b.get(hdr.Get("Location")); !strings.Contains(page, `<input type="hidden" name="next" value="/r/team">`) {
		t.Errorf("the sign-in page does not carry next")
	}
	tests := []struct{ next, want string }{
		{"/r/team", "/r/team"},
		{"/rooms", "/rooms"},
		{"", "/r/general"},
		{"https://evil.example/r/team", "/r/general"},
		{"//evil.example", "/r/general"},
		{"/r/../logout", "/r/general"},
		{"/r/team?x=1", "/r/general"},
	}
	for _, tt := range tests {
		status, _, hdr := b.post("/login", url.Values{"username": {"bob"}, "password": {"password-bob"}, "next": {tt.next}})
		if status != http.StatusSeeOther || hdr.Get("Location") != tt.want {
			t.Errorf("sign in with next=%q: got %d to %q, want 303 to %s", tt.next, status, hdr.Get("Location"), tt.want)
		}
	}
}
