package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fasthttp/websocket"
)

var (
	roomListPattern = regexp.MustCompile(`(?s)<ul id="room-list">(.*?)</ul>`)
	dmListPattern   = regexp.MustCompile(`(?s)<ul id="dm-list"[^>]*>(.*?)</ul>`)
	sidebarPattern  = regexp.MustCompile(`<li id="room-([a-z0-9-]+)"><a href="/r/[a-z0-9-]+"(?: aria-current="page")?>([^<]*)</a></li>`)
)

// sidebarOf returns the rooms (by name) and the direct conversations (by
// title) that a page's sidebar lists.
func sidebarOf(t *testing.T, page string) (rooms, direct []string) {
	t.Helper()
	rl, dl := roomListPattern.FindStringSubmatch(page), dmListPattern.FindStringSubmatch(page)
	if rl == nil || dl == nil {
		t.Fatalf("page has no #room-list and #dm-list: %.300s", page)
	}
	for _, m := range sidebarPattern.FindAllStringSubmatch(rl[1], -1) {
		rooms = append(rooms, m[1])
	}
	for _, m := range sidebarPattern.FindAllStringSubmatch(dl[1], -1) {
		direct = append(direct, m[2])
	}
	return rooms, direct
}

// sidebarRooms is the sidebar of b's page of general.
func (b *browser) sidebarRooms() (rooms, direct []string) {
	b.t.Helper()
	status, page, _ := b.get("/r/general")
	if status != http.StatusOK {
		b.t.Fatalf("GET /r/general: got %d", status)
	}
	return sidebarOf(b.t, page)
}

// directoryNames lists the rooms /rooms shows b, private ones with " (private)".
func (b *browser) directoryNames() []string {
	b.t.Helper()
	_, page, _ := b.get("/rooms")
	var names []string
	for _, m := range regexp.MustCompile(`<li><a href="/r/([a-z0-9-]+)">#[a-z0-9-]+</a>\s*(<span class="room-private">)?`).FindAllStringSubmatch(page, -1) {
		if m[2] != "" {
			names = append(names, m[1]+" (private)")
		} else {
			names = append(names, m[1])
		}
	}
	return names
}

func TestPrivateRoomCreateAddRemove(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice, bob, carol := signedUp(t, a, "alice"), signedUp(t, a, "bob"), signedUp(t, a, "carol")
	alice.createPrivateRoom("hiring")

	if got, want := alice.directoryNames(), []string{"general", "hiring (private)"}; !slices.Equal(got, want) {
		t.Errorf("/rooms for the creator: got %q, want %q", got, want)
	}
	if got, want := carol.directoryNames(), []string{"general"}; !slices.Equal(got, want) {
		t.Errorf("/rooms for a non-member: got %q, want %q", got, want)
	}
	if got, _ := alice.sidebarRooms(); !slices.Equal(got, []string{"general", "hiring"}) {
		t.Errorf("creator's sidebar: got %q, want general and hiring", got)
	}
	if got, _ := carol.sidebarRooms(); !slices.Equal(got, []string{"general"}) {
		t.Errorf("non-member's sidebar: got %q, want general only", got)
	}
	// A taken name is 409, whatever the kind, also for one who cannot see it.
	if status, _, _ := carol.post("/rooms", url.Values{"name": {"hiring"}}); status != http.StatusConflict {
		t.Errorf("carol creating hiring: got %d, want 409", status)
	}

	// Bob, on general, gets the room into his sidebar live when added.
	bobGeneral := bob.dial("")
	bobGeneral.waitCount(1)
	status, _, hdr := alice.post("/r/hiring/members", url.Values{"user": {"bob"}})
	if status != http.StatusSeeOther || hdr.Get("Location") != "/r/hiring/members" {
		t.Fatalf("add bob: got %d to %q, want 303 to the members page", status, hdr.Get("Location"))
	}
	bobGeneral.waitText(`<li id="room-hiring">`)
	if got, _ := bob.sidebarRooms(); !slices.Equal(got, []string{"general", "hiring"}) {
		t.Errorf("added member's sidebar: got %q, want general and hiring", got)
	}
	if got, want := bob.directoryNames(), []string{"general", "hiring (private)"}; !slices.Equal(got, want) {
		t.Errorf("/rooms for the added member: got %q, want %q", got, want)
	}

	// The members page: names for all; remove buttons for the creator only.
	_, forAlice, _ := alice.get("/r/hiring/members")
	_, forBob, _ := bob.get("/r/hiring/members")
	for _, page := range []string{forAlice, forBob} {
		if !containsAll(page, "alice", "bob", `action="/r/hiring/members"`) || strings.Contains(page, "carol") {
			t.Errorf("members page lacks the members or the add form: %.500s", page)
		}
	}
	if got := strings.Count(forAlice, `action="/r/hiring/members/remove"`); got != 2 {
		t.Errorf("creator's members page has %d remove buttons, want 2", got)
	}
	if strings.Contains(forBob, "/members/remove") {
		t.Errorf("a member who is not the creator sees remove buttons")
	}
	if status, _, _ := bob.post("/r/hiring/members/remove", url.Values{"user": {"alice"}}); status != http.StatusForbidden {
		t.Errorf("bob removing alice: got %d, want 403", status)
	}

	// Removal: bob's page of the room gets the notice and closes; his
	// sidebar loses it; the room is gone for him.
	bobHiring := bob.dial("?room=hiring")
	bobHiring.waitCount(1)
	status, _, hdr = alice.post("/r/hiring/members/remove", url.Values{"user": {"bob"}})
	if status != http.StatusSeeOther || hdr.Get("Location") != "/r/hiring/members" {
		t.Fatalf("remove bob: got %d to %q", status, hdr.Get("Location"))
	}
	if code := bobHiring.waitClose(); code != websocket.CloseNormalClosure {
		t.Errorf("removed member's socket closed with %d, want 1000", code)
	}
	if containing(bobHiring.snapshot(), "no longer a member of this room") == 0 {
		t.Errorf("removed member's page got no notice")
	}
	bobGeneral.waitText(`delete:#room-hiring`)
	if status, _, _ := bob.get("/r/hiring"); status != http.StatusNotFound {
		t.Errorf("removed member opening the room: got %d, want 404", status)
	}
	if _, resp, err := dialSocket(t, a.URL(), bob.cookie(), a.URL(), "?room=hiring"); err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("removed member's new socket is not refused with 404")
	}
	if got, _ := bob.sidebarRooms(); !slices.Equal(got, []string{"general"}) {
		t.Errorf("removed member's sidebar: got %q, want general only", got)
	}
}

func TestRemovalClosesTheSocketOnAnotherInstance(t *testing.T) {
	ns := startNATS(t, -1)
	apps := startCluster(t, ns.ClientURL(), 2)
	a, b := apps[0], apps[1]
	alice, bob := signedUp(t, a, "alice"), signedUp(t, a, "bob")
	alice.createPrivateRoom("hiring")
	if status, _, _ := alice.post("/r/hiring/members", url.Values{"user": {"bob"}}); status != http.StatusSeeOther {
		t.Fatalf("add bob: got %d", status)
	}
	bobOnB := bob.on(b)
	sock := bobOnB.dial("?room=hiring")
	sock.waitCount(1)
	general := bobOnB.dial("")
	general.waitCount(1)
	if status, _, _ := alice.post("/r/hiring/members/remove", url.Values{"user": {"bob"}}); status != http.StatusSeeOther {
		t.Fatalf("remove bob: got %d", status)
	}
	if code := sock.waitClose(); code != websocket.CloseNormalClosure {
		t.Errorf("socket on the other instance closed with %d, want 1000", code)
	}
	general.waitText(`delete:#room-hiring`)
	if _, resp, err := dialSocket(t, b.URL(), bob.cookie(), b.URL(), "?room=hiring"); err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("a socket opened on B after the removal on A is not refused with 404")
	}
}

func TestLeaveAndJoin(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice, bob := signedUp(t, a, "alice"), signedUp(t, a, "bob")
	alice.createRoom("team")
	alice.createPrivateRoom("hiring")
	alice.post("/r/hiring/members", url.Values{"user": {"bob"}})

	// Joining a public room, by the form or by opening it.
	status, _, hdr := bob.post("/r/team/join", nil)
	if status != http.StatusSeeOther || hdr.Get("Location") != "/r/team" {
		t.Fatalf("join team: got %d to %q, want 303 to /r/team", status, hdr.Get("Location"))
	}
	if got, _ := bob.sidebarRooms(); !slices.Equal(got, []string{"general", "hiring", "team"}) {
		t.Errorf("sidebar after joining: got %q", got)
	}

	// Leaving it: out of the sidebar, live, and still readable.
	live := bob.dial("")
	live.waitCount(1)
	status, _, hdr = bob.post("/r/team/leave", nil)
	if status != http.StatusSeeOther || hdr.Get("Location") != "/rooms" {
		t.Fatalf("leave team: got %d to %q, want 303 to /rooms", status, hdr.Get("Location"))
	}
	live.waitText(`delete:#room-team`)
	if got, _ := bob.sidebarRooms(); !slices.Equal(got, []string{"general", "hiring"}) {
		t.Errorf("sidebar after leaving team: got %q", got)
	}
	if status, _, _ := bob.get("/r/team?before=1000"); status != http.StatusOK {
		t.Errorf("a public room left: got %d, want it still readable", status)
	}
	// Opening it joins it again.
	bob.get("/r/team")
	if got, _ := bob.sidebarRooms(); !slices.Equal(got, []string{"general", "hiring", "team"}) {
		t.Errorf("sidebar after opening team again: got %q", got)
	}

	// Leaving a private room: gone.
	if status, _, _ := bob.post("/r/hiring/leave", nil); status != http.StatusSeeOther {
		t.Fatalf("leave hiring: got %d, want 303", status)
	}
	if status, _, _ := bob.get("/r/hiring"); status != http.StatusNotFound {
		t.Errorf("a private room left: got %d, want 404", status)
	}

	// general and direct conversations cannot be left.
	if status, body, _ := bob.post("/r/general/leave", nil); status != http.StatusForbidden || !strings.Contains(body, "cannot be left") {
		t.Errorf("leave general: got %d, want 403 with the reason", status)
	}
	dm := bob.startDM("alice")
	if status, body, _ := bob.post("/r/"+dm+"/leave", nil); status != http.StatusForbidden || !strings.Contains(body, "cannot be left") {
		t.Errorf("leave a direct conversation: got %d, want 403 with the reason", status)
	}
}

func TestDirectConversations(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice, bob, carol := signedUp(t, a, "alice"), signedUp(t, a, "bob"), signedUp(t, a, "carol")
	dave := signedUp(t, a, "dave")

	carolLive := carol.dial("")
	carolLive.waitCount(1)
	dm := alice.startDM("bob", "carol")
	carolLive.waitText(`<li id="room-` + dm + `">`)
	if again := carol.startDM("bob", "alice"); again != dm {
		t.Errorf("the same people in another order: got %s, want %s", again, dm)
	}
	if again := bob.startDM("carol", "ALICE", "carol"); again != dm {
		t.Errorf("the same people, repeated, another case: got %s, want %s", again, dm)
	}
	if other := alice.startDM("bob"); other == dm {
		t.Errorf("alice and bob alone got the conversation of three")
	}

	_, page, _ := alice.get("/r/" + dm)
	if !containsAll(page, "<title>bob, carol · Parley</title>", `<span class="room-name">bob, carol</span>`) || strings.Contains(page, "#"+dm) {
		t.Errorf("a direct conversation's page is not titled by the other people: %.600s", page)
	}
	if _, direct := bob.sidebarRooms(); !slices.Equal(direct, []string{"alice, carol", "alice"}) && !slices.Equal(direct, []string{"alice", "alice, carol"}) {
		t.Errorf("bob's direct messages: got %q", direct)
	}
	if _, direct := dave.sidebarRooms(); len(direct) != 0 {
		t.Errorf("dave's sidebar lists direct conversations he is not in: %q", direct)
	}
	if got := dave.directoryNames(); !slices.Equal(got, []string{"general"}) {
		t.Errorf("/rooms shows direct conversations: %q", got)
	}
	if status, _, _ := dave.get("/r/" + dm); status != http.StatusNotFound {
		t.Errorf("an outsider opening the conversation: got %d, want 404", status)
	}
	// The form page, for browsers without the online list's control.
	if _, page, _ := alice.get("/dm?user=bob"); !containsAll(page, `action="/dm"`, `name="user" value="bob"`) {
		t.Errorf("GET /dm?user=bob has no form with bob filled in")
	}
}

func TestFormsRefuseBadInput(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice := signedUp(t, a, "alice")
	for _, name := range []string{"bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan"} {
		signedUp(t, a, name)
	}
	alice.createPrivateRoom("hiring")
	many := []string{"bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan"}

	for _, tc := range []struct {
		what, path string
		form       url.Values
		status     int
		reason     string
	}{
		{"unknown visibility", "/rooms", url.Values{"name": {"plans"}, "visibility": {"secret"}}, 422, "Visibility must be public or private."},
		{"direct as visibility", "/rooms", url.Values{"name": {"plans"}, "visibility": {"direct"}}, 422, "Visibility must be public or private."},
		{"unknown member", "/r/hiring/members", url.Values{"user": {"nobody"}}, 422, "There is nobody called nobody."},
		{"empty member", "/r/hiring/members", url.Values{"user": {""}}, 422, "Give a username"},
		{"malformed member", "/r/hiring/members", url.Values{"user": {"foo:bar"}}, 422, "Give a username"},
		{"removing a non-member", "/r/hiring/members/remove", url.Values{"user": {"bob"}}, 422, "bob is not a member of this room."},
		{"removing nobody", "/r/hiring/members/remove", url.Values{"user": {"nobody"}}, 422, "There is nobody called nobody."},
		{"adding to general", "/r/general/members", url.Values{"user": {"bob"}}, 403, "only to private rooms"},
		{"DM with no one", "/dm", url.Values{}, 422, "Name at least one person"},
		{"DM with empty names", "/dm", url.Values{"user": {"", " "}}, 422, "Name at least one person"},
		{"DM with too many", "/dm", url.Values{"user": many}, 422, "at most 7 other people"},
		{"DM with an unknown person", "/dm", url.Values{"user": {"bob", "nobody"}}, 422, "There is nobody called nobody."},
		{"DM with only yourself", "/dm", url.Values{"user": {"alice", "ALICE"}}, 422, "Name someone other than yourself."},
	} {
		status, body, _ := alice.post(tc.path, tc.form)
		if status != tc.status || !strings.Contains(body, tc.reason) {
			t.Errorf("%s: got %d, want %d with %q; body: %.300s", tc.what, status, tc.status, tc.reason, body)
		}
	}
	// The refused forms are kept.
	if _, body, _ := alice.post("/rooms", url.Values{"name": {"plans"}, "visibility": {"secret"}}); !strings.Contains(body, `value="plans"`) {
		t.Errorf("the room form lost its name after a refusal")
	}
	if _, body, _ := alice.post("/dm", url.Values{"user": {"bob", "nobody"}}); !containsAll(body, `value="bob"`, `value="nobody"`) {
		t.Errorf("the DM form lost its names after a refusal")
	}
	// In Spanish too.
	req, _ := http.NewRequest(http.MethodPost, alice.base+"/r/hiring/members", strings.NewReader("user=nobody"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", alice.base)
	req.Header.Set("Accept-Language", "es")
	if status, body, _ := alice.do(req); status != 422 || !strings.Contains(body, "No hay nadie llamado nobody.") {
		t.Errorf("Spanish refusal: got %d, body %.300s", status, body)
	}
}

func TestAdminSeesPrivateRoomsByNameAndSizeOnly(t *testing.T) {
	cfg := testConfig(t)
	a := startApp(t, cfg)
	admin := signedUpAdmin(t, a, cfg, "mod")
	alice, bob := signedUp(t, a, "alice"), signedUp(t, a, "bob")
	alice.createPrivateRoom("hiring")
	alice.post("/r/hiring/members", url.Values{"user": {"bob"}})
	alice.postIn("hiring", "the candidate said yes")
	bob.startDM("alice")

	_, page, _ := admin.get("/admin")
	m := regexp.MustCompile(`(?s)<ul id="admin-rooms"[^>]*>(.*?)</ul>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("/admin has no room list")
	}
	if !regexp.MustCompile(`<span>#hiring</span>\s*<span class="room-private">private</span>\s*<span class="room-members">2 members</span>`).MatchString(m[1]) {
		t.Errorf("/admin does not show hiring as private with 2 members: %s", m[1])
	}
	if strings.Contains(page, "candidate") || strings.Contains(m[1], "dm-") {
		t.Errorf("/admin shows a private room's messages or a direct conversation")
	}
	if status, _, _ := admin.get("/r/hiring"); status != http.StatusNotFound {
		t.Errorf("an admin who is not a member opening a private room: got %d, want 404", status)
	}
}
