package app_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// routeAnswer is what a route says, with what may differ between two rooms
// (the name itself, where a page echoes it) taken out.
type routeAnswer struct {
	status  int
	headers string
	body    string
}

// comparedHeaders are the headers an outsider's routeAnswer must share with
// the routeAnswer for an unknown room.
var comparedHeaders = []string{"Content-Type", "Cache-Control", "Location", "Content-Length", "Content-Language", "Vary"}

func newAnswer(status int, body string, hdr http.Header, name string) routeAnswer {
	var h []string
	for _, k := range comparedHeaders {
		h = append(h, k+": "+strings.ReplaceAll(hdr.Get(k), name, "ROOM"))
	}
	// Content-Length follows the body: compare it once the name is out.
	return routeAnswer{status: status, headers: strings.Join(h, "\n"), body: strings.ReplaceAll(body, name, "ROOM")}
}

// routeWalk is every route with a room in its path (or in its query, or
// one of its messages), as one person asks it of a room of that name;
// msgID is one of that room's messages, or one that does not exist.
func routeWalk(t *testing.T, b *browser, name, msgID string) map[string]routeAnswer {
	t.Helper()
	got := map[string]routeAnswer{}
	add := func(route string, status int, body string, hdr http.Header) {
		route = strings.ReplaceAll(strings.ReplaceAll(route, name, "ROOM"), msgID, "ID")
		got[route] = newAnswer(status, body, hdr, name)
	}
	r := "/r/" + name
	for _, path := range []string{r, r + "?before=" + msgID, r + "/messages?before=" + msgID, r + "/members"} {
		status, body, hdr := b.get(path)
		add("GET "+path, status, body, hdr)
	}
	posts := []struct {
		path string
		form url.Values
	}{
		{r + "/members", url.Values{"user": {"alice"}}},
		{r + "/members", url.Values{}},
		{r + "/members/remove", url.Values{"user": {"alice"}}},
		{r + "/join", url.Values{}},
		{r + "/leave", url.Values{}},
		{"/messages/" + msgID + "/delete", url.Values{}},
	}
	for _, p := range posts {
		status, body, hdr := b.post(p.path, p.form)
		add(fmt.Sprintf("POST %s %s", p.path, p.form.Encode()), status, body, hdr)
		// The same with htmx, which some handlers routeAnswer differently.
		req, err := http.NewRequest(http.MethodPost, b.base+p.path, strings.NewReader(p.form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", b.base)
		req.Header.Set("HX-Request", "true")
		status, body, hdr = b.do(req)
		add(fmt.Sprintf("POST (htmx) %s %s", p.path, p.form.Encode()), status, body, hdr)
	}
	for _, query := range []string{"?room=" + name, "?room=" + name + "&shown=0"} {
		s, resp, err := dialSocket(t, b.base, b.cookie(), b.base, query)
		if err == nil {
			s.close()
			add("WS "+query, http.StatusSwitchingProtocols, "", http.Header{})
			continue
		}
		if resp == nil {
			t.Fatalf("dial /ws%s: %v", query, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		add("WS "+query, resp.StatusCode, string(body), resp.Header)
	}
	return got
}

// compareWalks fails for every route whose routeAnswer to the outsider about
// the hidden room differs from its routeAnswer about an unknown one.
func compareWalks(t *testing.T, hidden, unknown map[string]routeAnswer) {
	t.Helper()
	if len(hidden) != len(unknown) {
		t.Fatalf("walked %d routes for the hidden room, %d for the unknown one", len(hidden), len(unknown))
	}
	for route, want := range unknown {
		got := hidden[route]
		if got.status != want.status {
			t.Errorf("%s: got status %d, want %d (as for an unknown room)", route, got.status, want.status)
		}
		if got.headers != want.headers {
			t.Errorf("%s: got headers\n%s\nwant\n%s", route, got.headers, want.headers)
		}
		if got.body != want.body {
			t.Errorf("%s: got body %.400q, want %.400q", route, got.body, want.body)
		}
	}
}

var dmLocationPattern = regexp.MustCompile(`^/r/(dm-[0-9a-f]+)$`)

// startDM opens the direct conversation of b and the people named, and
// returns its name.
func (b *browser) startDM(people ...string) string {
	b.t.Helper()
	status, body, hdr := b.post("/dm", url.Values{"user": people})
	m := dmLocationPattern.FindStringSubmatch(hdr.Get("Location"))
	if status != http.StatusSeeOther || m == nil {
		b.t.Fatalf("POST /dm %v: got %d to %q, want 303 to /r/dm-…; body: %.300s", people, status, hdr.Get("Location"), body)
	}
	return m[1]
}

// createPrivateRoom creates a private room through the directory's form.
func (b *browser) createPrivateRoom(name string) {
	b.t.Helper()
	status, body, hdr := b.post("/rooms", url.Values{"name": {name}, "visibility": {"private"}})
	if status != http.StatusSeeOther || hdr.Get("Location") != "/r/"+name {
		b.t.Fatalf("create private room %q: got %d to %q, want 303 to /r/%s; body: %.300s", name, status, hdr.Get("Location"), name, body)
	}
}

// postIn sends a message in a room over its socket and returns its ID.
func (b *browser) postIn(room, text string) string {
	b.t.Helper()
	s := b.dial("?room=" + room)
	defer s.close()
	s.send(text)
	s.waitText(text)
	return lastMessageID(b.t, s.snapshot())
}

func TestOutsiderLearnsNothingOfAPrivateRoomOrADirectConversation(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice := signedUp(t, a, "alice")
	bob := signedUp(t, a, "bob")
	carol := signedUp(t, a, "carol")

	alice.createPrivateRoom("hiring")
	secretID := alice.postIn("hiring", "the candidate said yes")
	dm := alice.startDM("bob")
	dmID := bob.postIn(dm, "just between us")

	const unknownID = "999999"
	for _, hidden := range []struct{ name, msgID string }{{"hiring", secretID}, {dm, dmID}} {
		t.Run(hidden.name, func(t *testing.T) {
			got := routeWalk(t, carol, hidden.name, hidden.msgID)
			// An unknown name of the same length, so that a page that
			// echoes the name differs in nothing else.
			compareWalks(t, got, routeWalk(t, carol, strings.Repeat("z", len(hidden.name)), unknownID))
		})
	}

	// Nor does any list show them, nor did the walk change anything.
	for _, path := range []string{"/rooms", "/r/general", "/dm"} {
		_, page, _ := carol.get(path)
		for _, leak := range []string{"hiring", dm, "candidate", "between us"} {
			if strings.Contains(page, leak) {
				t.Errorf("GET %s as an outsider shows %q", path, leak)
			}
		}
	}
	for _, member := range []*browser{alice, bob} {
		_, page, _ := member.get("/r/" + dm)
		if !strings.Contains(page, "just between us") {
			t.Errorf("a person of the conversation no longer reads it after the walk")
		}
	}
	_, page, _ := alice.get("/r/hiring")
	if !strings.Contains(page, "the candidate said yes") {
		t.Errorf("the private room's message is gone after the walk")
	}
	if status, _, _ := bob.get("/r/hiring"); status != http.StatusNotFound {
		t.Errorf("bob, not a member, got %d for the private room, want 404", status)
	}
}
