package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleychat/parley/app"
)

// The browser scenario of issue 9: an admin deletes another person's
// message, and it vanishes from every open page of the room.

// grantAdmin runs `parley admin grant NAME` against the server's database.
func (s *server) grantAdmin(name string) {
	s.t.Helper()
	args := []string{"-database-url", s.cfg.DatabaseURL, "grant", name}
	if err := app.RunAdmin(context.Background(), args, func(string) string { return "" }, io.Discard); err != nil {
		s.t.Fatalf("parley admin grant %s: %v", name, err)
	}
}

// deleteControls counts the Delete controls the page shows on one message.
func (p *page) deleteControls(messageID string) int {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	js := fmt.Sprintf(`document.querySelectorAll("#%s form.delete-message button").length`, messageID)
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
	if err != nil {
		p.t.Fatalf("%s: count Delete controls: %v", p.name, err)
	}
	return n
}

// messageID is the element ID of the message with this text on the page.
func messageID(t *testing.T, s pageState, text string) string {
	t.Helper()
	for _, m := range s.Messages {
		if m.Text == text {
			return m.ID
		}
	}
	t.Fatalf("no message %q on the page: %s", text, s)
	return ""
}

// TestAdminDeletesAMessage: Bob writes, Carol reads, the admin deletes
// Bob's message with its Delete control, and it leaves every page at once;
// only its author and the admin are offered the control. Every page is
// watched for console errors throughout.
func TestAdminDeletesAMessage(t *testing.T) {
	srv := startParley(t, "")
	a, b, c := newBrowser(t, "A"), newBrowser(t, "B"), newBrowser(t, "C")

	mod := a.open("mod (A)", srv.URL(), "/")
	mod.register("mod")
	srv.grantAdmin("mod")
	// The page shown before the grant knows nothing of it: load it again.
	mod.navigate("/r/general")
	bob := b.open("Bob (B)", srv.URL(), "/")
	bob.register("Bob")
	carol := c.open("Carol (C)", srv.URL(), "/")
	carol.register("Carol")
	for _, p := range []*page{mod, bob, carol} {
		p.waitUsers("3 users online", waitLive)
	}

	bob.sayAndWait("delete me, please")
	bob.sayAndWait("but keep this")
	for _, p := range []*page{mod, carol} {
		p.waitFor("show Bob's messages", waitLive, func(s pageState) bool {
			return s.has("delete me, please") && s.has("but keep this")
		})
	}
	id := messageID(t, state(t, carol), "delete me, please")

	// Delete is offered to the author and the admin, live, and to nobody
	// else, live or after a reload.
	for p, want := range map[*page]int{mod: 1, bob: 1, carol: 0} {
		if got := p.deleteControls(id); got != want {
			t.Errorf("%s: %d Delete controls on Bob's message, want %d", p.name, got, want)
		}
	}
	carol.navigate("/r/general")
	carol.waitUsers("3 users online", waitLive)
	if got := carol.deleteControls(id); got != 0 {
		t.Errorf("%s after a reload: %d Delete controls on Bob's message, want none", carol.name, got)
	}

	// By keyboard: Carol's reload makes the other pages announce her
	// leaving and coming back, and each notice scrolls the messages up, so
	// a synthetic mouse aimed at the button a moment before can land on
	// the line beside it (it did, now and then, under CI's load).
	deleteButton := fmt.Sprintf(`//article[@id=%q]//button[normalize-space()="Delete"]`, id)
	mod.do("press Enter on Delete on Bob's message", chromedp.Focus(deleteButton), chromedp.KeyEvent("\r"))
	start := time.Now()
	for _, p := range []*page{carol, bob, mod} {
		p.waitFor("lose the deleted message", waitLive, func(s pageState) bool {
			return !s.has("delete me, please") && s.has("but keep this")
		})
	}
	t.Logf("gone from every page %v after the click", time.Since(start))
	// The admin stays where they were: the htmx request swapped nothing.
	if s := state(t, mod); s.Path != "/r/general" {
		t.Errorf("%s: on %s after deleting, want /r/general", mod.name, s.Path)
	}
	carol.navigate("/r/general")
	if s := carol.waitUsers("3 users online", waitLive); s.has("delete me, please") || !s.has("but keep this") {
		t.Errorf("%s after a reload: %q, want the deleted message gone and the other kept", carol.name, s.texts())
	}
}

// TestDeletingAnOlderMessageLeavesEveryPageClean: Carol deletes one of the
// room's first messages. A page paged back to it loses it; a page that
// shows only the last 50 has nothing to take away and logs no error for
// it (the console watch fails the test otherwise).
func TestDeletingAnOlderMessageLeavesEveryPageClean(t *testing.T) {
	srv := startParley(t, "")
	carol := newHTTPUser(t, srv.URL())
	carol.register("Carol")
	ws := dialChat(t, srv.URL(), srv.URL(), carol.cookieHeader(), 0)
	for i := 1; i <= 60; i++ {
		text := fmt.Sprintf("Message %03d", i)
		ws.send(text)
		ws.readUntil(">" + text + "<")
	}
	a, b := newBrowser(t, "A"), newBrowser(t, "B")
	alice := a.open("Alice (A)", srv.URL(), "/")
	alice.register("Alice")
	alice.waitFor("show the last 50 messages", waitLive, func(s pageState) bool { return len(s.Messages) == 50 })
	bob := b.open("Bob (B)", srv.URL(), "/")
	bob.register("Bob")
	bob.waitFor("show the last 50 messages", waitLive, func(s pageState) bool { return len(s.Messages) == 50 })
	bob.follow("Load earlier messages")
	s := bob.waitFor("show all 60 messages", waitLive, func(s pageState) bool { return len(s.Messages) == 60 })
	id := messageID(t, s, "Message 003")

	res := carol.do(http.MethodPost, "/messages/"+strings.TrimPrefix(id, "msg-")+"/delete", url.Values{})
	if res.status != http.StatusSeeOther {
		t.Fatalf("Carol deletes her message: status %d, want 303\n%s", res.status, res.body)
	}
	bob.waitFor("lose the deleted message", waitLive, func(s pageState) bool { return len(s.Messages) == 59 && !s.has("Message 003") })
	// Sent after the deletion, so shown after the removal reached the page.
	ws.send("after the deletion")
	for _, p := range []*page{alice, bob} {
		p.waitFor("show the next message", waitLive, func(s pageState) bool { return s.has("after the deletion") })
	}
	if s := state(t, alice); len(s.Messages) != 51 || s.has("Message 003") {
		t.Errorf("%s: %d messages, want the 50 it showed and the new one", alice.name, len(s.Messages))
	}
}
