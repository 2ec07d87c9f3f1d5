package app_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app/pagetest"
)

func TestDeletionAndBanReachEveryInstance(t *testing.T) {
	ns := startNATS(t, -1)
	cfgs := clusterConfigs(t, ns.ClientURL(), 2)
	a, b := startApp(t, cfgs[0]), startApp(t, cfgs[1])
	mod := signedUpAdmin(t, a, cfgs[0], "mod") // the instances share the database
	bob, mallory := signedUp(t, a, "bob"), signedUp(t, b, "mallory")
	modA, bobA, malloryB := mod.dial(""), bob.dial(""), mallory.dial("")
	bobA.waitPresence(3, "bob", "mallory", "mod")
	// B's online list marks the admin on A as on A's.
	malloryB.waitPresence(3, "bob", "mallory", "mod")
	listed := shownPresence(t, malloryB.snapshot()).Listed
	if i := slices.IndexFunc(listed, func(p pagetest.Person) bool { return p.Name == "mod" }); i < 0 || !strings.Contains(listed[i].HTML, `class="badge admin"`) {
		t.Errorf("mallory's online list on B does not mark mod, on A, as admin: %+v", listed)
	}

	// An admin on A deletes a message: it leaves the pages on B at once,
	// and B's pages loaded afterwards.
	malloryB.send("spam from B")
	modA.waitText("spam from B</p>")
	_, page, _ := mod.get("/r/general")
	id := messageID(t, page, "spam from B")
	if status, _, _ := mod.post(deletePath(id), nil); status != http.StatusSeeOther {
		t.Fatalf("delete: got %d, want 303", status)
	}
	malloryB.waitText(removal(id))
	bobA.waitText(removal(id))
	if _, page, _ := mallory.get("/r/general"); strings.Contains(page, "spam from B") {
		t.Errorf("mallory's page on B still shows the deleted message")
	}

	// A ban on A closes her sockets on B, with why, and 1000.
	if status, _, _ := mod.post("/admin/ban", url.Values{"user": {"mallory"}}); status != http.StatusSeeOther {
		t.Fatalf("ban: got %d, want 303", status)
	}
	if code := malloryB.waitClose(); code != websocket.CloseNormalClosure {
		t.Errorf("mallory's socket on B closed with %d, want 1000", code)
	}
	if containing(malloryB.snapshot(), "You have been removed from the chat by a moderator.") != 1 {
		t.Errorf("mallory's socket on B was not told she was removed")
	}
	bobA.waitPresence(2, "bob", "mod")
}
