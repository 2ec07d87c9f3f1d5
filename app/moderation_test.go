package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app"
	"github.com/parleychat/parley/app/sqlite"
)

// grantAdmin makes an account admin the way an operator does: `parley
// admin grant NAME` against the server's database, beside it.
func grantAdmin(t *testing.T, cfg app.Config, name string) {
	t.Helper()
	args := []string{"-database-url", cfg.DatabaseURL, "grant", name}
	if err := app.RunAdmin(context.Background(), args, func(string) string { return "" }, io.Discard); err != nil {
		t.Fatalf("parley admin grant %s: %v", name, err)
	}
}

// signedUpAdmin returns a browser signed in as a new admin.
func signedUpAdmin(t *testing.T, a *app.App, cfg app.Config, name string) *browser {
	t.Helper()
	b := signedUp(t, a, name)
	grantAdmin(t, cfg, name)
	return b
}

// postHX sends a form as htmx would from the site's own page.
func (b *browser) postHX(path string, form url.Values) (int, string, http.Header) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("HX-Request", "true")
	return b.do(req)
}

// postCrossSite sends a form as another site's page would, with the
// browser's cookies.
func (b *browser) postCrossSite(path string, form url.Values) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	status, body, _ := b.do(req)
	return status, body
}

// messageID returns the ID of the message whose text is text in html, or
// fails the test.
func messageID(t *testing.T, html, text string) int64 {
	t.Helper()
	for _, article := range articlePattern.FindAllString(html, -1) {
		if strings.Contains(article, ">"+text+"</p>") {
			id, _ := strconv.ParseInt(messageIDPattern.FindStringSubmatch(article)[1], 10, 64)
			return id
		}
	}
	t.Fatalf("no message %q in %.500s", text, html)
	return 0
}

// articleOf returns the article of the message with that text in html, or "".
func articleOf(html, text string) string {
	for _, article := range articlePattern.FindAllString(html, -1) {
		if strings.Contains(article, ">"+text+"</p>") {
			return article
		}
	}
	return ""
}

func deletePath(id int64) string { return "/messages/" + strconv.FormatInt(id, 10) + "/delete" }

// removal is the fragment that takes message id off a page.
func removal(id int64) string {
	return `<i hx-swap-oob="delete:#msg-` + strconv.FormatInt(id, 10) + `, #removals i"></i>`
}

func TestDeleteMessageByAuthorIsSeenLiveInItsRoomOnly(t *testing.T) {
	cfg := testConfig(t)
	a := startApp(t, cfg)
	alice, bob, carol := signedUp(t, a, "alice"), signedUp(t, a, "bob"), signedUp(t, a, "carol")
	carol.createRoom("team")
	aliceWS, bobWS, carolTeam := alice.dial(""), bob.dial(""), carol.dial("?room=team")
	bobWS.waitCount(2)

	aliceWS.send("keep me")
	aliceWS.send("oops")
	bobWS.waitText("oops</p>")
	aliceWS.waitText("oops</p>")
	_, page, _ := alice.get("/r/general")
	id := messageID(t, page, "oops")

	// The author's page and socket carry the Delete control; another
	// person's do not.
	if !strings.Contains(articleOf(page, "oops"), `hx-post="`+deletePath(id)+`"`) {
		t.Errorf("alice's page has no Delete control on her message: %s", articleOf(page, "oops"))
	}
	_, bobPage, _ := bob.get("/r/general")
	if strings.Contains(articleOf(bobPage, "oops"), "delete") {
		t.Errorf("bob's page offers to delete alice's message: %s", articleOf(bobPage, "oops"))
	}
	if containing(bobWS.snapshot(), "delete-message") != 0 {
		t.Errorf("bob's socket got a Delete control for alice's messages")
	}
	if containing(aliceWS.snapshot(), `action="`+deletePath(id)+`"`) != 1 {
		t.Errorf("alice's socket did not get her message with its Delete control")
	}

	// Anyone else, a signed-out visitor and another site are refused and
	// the message stays.
	if status, _, _ := bob.postHX(deletePath(id), nil); status != http.StatusForbidden {
		t.Errorf("bob deletes alice's message: got %d, want 403", status)
	}
	if status, _, _ := newBrowser(t, a.URL()).post(deletePath(id), nil); status != http.StatusUnauthorized {
		t.Errorf("signed-out delete: got %d, want 401", status)
	}
	if status, _ := alice.postCrossSite(deletePath(id), nil); status != http.StatusForbidden {
		t.Errorf("cross-site delete with alice's cookie: got %d, want 403", status)
	}
	if _, page, _ := alice.get("/r/general"); articleOf(page, "oops") == "" {
		t.Fatalf("a refused deletion removed the message")
	}
	for _, path := range []string{deletePath(id + 1000), "/messages/abc/delete", "/messages/-1/delete"} {
		if status, _, _ := alice.postHX(path, nil); status != http.StatusNotFound {
			t.Errorf("POST %s: got %d, want 404", path, status)
		}
	}

	// The author deletes it with htmx: an empty 200, and every socket of
	// the room, hers too, removes it at once.
	status, body, _ := alice.postHX(deletePath(id), nil)
	if status != http.StatusOK || body != "" {
		t.Errorf("htmx delete: got %d %q, want 200 with an empty body", status, body)
	}
	bobWS.waitText(removal(id))
	aliceWS.waitText(removal(id))
	// A marker sent in team after the deletion reaches carol after
	// anything of general's that could have strayed there.
	carol.dial("?room=team").send("team marker")
	carolTeam.waitText("team marker</p>")
	if n := containing(carolTeam.snapshot(), "msg-"+strconv.FormatInt(id, 10)); n != 0 {
		t.Errorf("a socket in team got %d frames about general's deleted message", n)
	}
	if status, _, _ := alice.postHX(deletePath(id), nil); status != http.StatusNotFound {
		t.Errorf("deleting it again: got %d, want 404", status)
	}

	// Gone from the page, the catch-up of a new socket and older pages.
	_, page, _ = bob.get("/r/general")
	if articleOf(page, "oops") != "" || articleOf(page, "keep me") == "" {
		t.Errorf("page after the deletion still shows it, or lost the other message")
	}
	fresh := bob.dial("?room=general&shown=0")
	fresh.waitText("keep me</p>")
	if containing(fresh.snapshot(), "oops") != 0 {
		t.Errorf("catch-up of a new socket shows the deleted message")
	}
	_, older, _ := bob.get("/r/general/messages?before=1000000")
	if !strings.Contains(older, "keep me") || strings.Contains(older, "oops") {
		t.Errorf("/r/general/messages after the deletion: %.500s", older)
	}
	_, archive, _ := bob.get("/r/general?before=1000000")
	if strings.Contains(archive, "oops") {
		t.Errorf("the page of older messages shows the deleted one")
	}
}

func TestDeleteMessageByAdmin(t *testing.T) { deleteMessageByAdmin(t, testConfig(t)) }

// deleteMessageByAdmin has an admin delete another's message, on the
// store cfg names.
func deleteMessageByAdmin(t *testing.T, cfg app.Config) {
	a := startApp(t, cfg)
	bob, mod := signedUp(t, a, "bob"), signedUpAdmin(t, a, cfg, "mod")
	bobWS, modWS := bob.dial(""), mod.dial("")
	bobWS.send("spam spam")
	modWS.waitText("spam spam</p>")
	// The admin's socket gets bob's message with its Delete control.
	if containing(modWS.snapshot(), `class="delete-message"`) != 1 {
		t.Errorf("the admin's socket got bob's message without a Delete control")
	}
	_, page, _ := mod.get("/r/general")
	id := messageID(t, page, "spam spam")
	if !strings.Contains(articleOf(page, "spam spam"), `action="`+deletePath(id)+`"`) {
		t.Errorf("the admin's page has no Delete control on bob's message")
	}

	// Without htmx: a plain form, back to the room.
	status, _, hdr := mod.post(deletePath(id), nil)
	if status != http.StatusSeeOther || hdr.Get("Location") != "/r/general" {
		t.Errorf("admin delete without htmx: got %d to %q, want 303 to /r/general", status, hdr.Get("Location"))
	}
	bobWS.waitText(removal(id))

	// The log has it, with the text.
	_, admin, _ := mod.get("/admin")
	if !containsAll(admin, "<td>mod</td>", "<td>delete</td>", "<td>bob</td>", "“spam spam”") {
		t.Errorf("the admin page does not list the deletion: %.3000s", admin)
	}
}

func TestModerationRoutesAreForAdminsOnly(t *testing.T) {
	cfg := testConfig(t)
	a := startApp(t, cfg)
	alice, mod := signedUp(t, a, "alice"), signedUpAdmin(t, a, cfg, "mod")
	visitor := newBrowser(t, a.URL())

	if status, body, _ := mod.get("/admin"); status != http.StatusOK || !strings.Contains(body, "Recent actions") {
		t.Errorf("GET /admin as admin: got %d, want the page", status)
	}
	if status, _, _ := alice.get("/admin"); status != http.StatusNotFound {
		t.Errorf("GET /admin as another user: got %d, want 404", status)
	}
	if status, _, hdr := visitor.get("/admin"); status != http.StatusSeeOther || hdr.Get("Location") != "/login?next=%2Fadmin" {
		t.Errorf("GET /admin signed out: got %d to %q, want 303 to the sign-in page", status, hdr.Get("Location"))
	}

	forms := map[string]url.Values{
		"/admin/mute":   {"user": {"mod"}, "minutes": {"10"}},
		"/admin/unmute": {"user": {"mod"}},
		"/admin/ban":    {"user": {"mod"}},
		"/admin/unban":  {"user": {"mod"}},
	}
	for path, form := range forms {
		if status, _, _ := alice.post(path, form); status != http.StatusForbidden {
			t.Errorf("POST %s as another user: got %d, want 403", path, status)
		}
		if status, _, _ := alice.post(path, url.Values{"user": {"nobody"}, "minutes": {"x"}}); status != http.StatusForbidden {
			t.Errorf("POST %s as another user with bad fields: got %d, want 403", path, status)
		}
		if status, _, _ := visitor.post(path, form); status != http.StatusUnauthorized {
			t.Errorf("POST %s signed out: got %d, want 401", path, status)
		}
		if status, _ := mod.postCrossSite(path, url.Values{"user": {"alice"}, "minutes": {"10"}}); status != http.StatusForbidden {
			t.Errorf("POST %s cross-site with the admin's cookie: got %d, want 403", path, status)
		}
	}
	// None of it did anything: alice still signs in and sends, the log is
	// empty but for the command line's grant.
	if status, _, _ := alice.get("/r/general"); status != http.StatusOK {
		t.Errorf("alice after the refused requests: got %d, want her page", status)
	}
	_, page, _ := mod.get("/admin")
	if strings.Count(page, `<tr id="action-`) != 1 || !containsAll(page, "<td>command line</td>", "<td>grant admin</td>", "<td>mod</td>", "Nobody is muted.", "Nobody is banned.") {
		t.Errorf("the admin page after refused requests: %.3000s", page)
	}
}

// invalidCredentials is what a failed password sign-in says.
const invalidCredentials = "Invalid username or password"

var mutedPattern = regexp.MustCompile(`You are muted until (\d\d):(\d\d) UTC\.`)

func TestMuteRefusesSendsUntilUnmuted(t *testing.T) {
	cfg := testConfig(t)
	a := startApp(t, cfg)
	alice, bob, mod := signedUp(t, a, "alice"), signedUp(t, a, "bob"), signedUpAdmin(t, a, cfg, "mod")
	aliceWS, bobWS := alice.dial(""), bob.dial("")
	bobWS.waitCount(2)

	// Bad input is refused on the admin page, and mutes nobody.
	bad := []struct {
		form   url.Values
		status int
		msg    string
	}{
		{url.Values{"user": {"alice"}, "minutes": {"0"}}, http.StatusUnprocessableEntity, "Minutes must be a whole number from 1 to 10080"},
		{url.Values{"user": {"alice"}, "minutes": {"10081"}}, http.StatusUnprocessableEntity, "Minutes must be a whole number"},
		{url.Values{"user": {"alice"}, "minutes": {"ten"}}, http.StatusUnprocessableEntity, "Minutes must be a whole number"},
		{url.Values{"user": {"alice"}, "minutes": {"1.5"}}, http.StatusUnprocessableEntity, "Minutes must be a whole number"},
		{url.Values{"user": {"alice"}}, http.StatusUnprocessableEntity, "Minutes must be a whole number"},
		{url.Values{"user": {"nobody"}, "minutes": {"5"}}, http.StatusNotFound, "There is no account named &#34;nobody&#34;."},
		{url.Values{"user": {"not a name"}, "minutes": {"5"}}, http.StatusUnprocessableEntity, "Give a username"},
		{url.Values{"user": {"mod"}, "minutes": {"5"}}, http.StatusUnprocessableEntity, "You cannot mute yourself."},
	}
	for _, tt := range bad {
		status, body, _ := mod.post("/admin/mute", tt.form)
		if status != tt.status || !strings.Contains(body, tt.msg) || !strings.Contains(body, "Recent actions") {
			t.Errorf("mute %v: got %d, want %d with %q on the admin page; body: %.300s", tt.form, status, tt.status, tt.msg, body)
		}
	}
	if _, page, _ := mod.get("/admin"); !strings.Contains(page, "Nobody is muted.") {
		t.Errorf("refused mutes muted someone")
	}

	before := time.Now().UTC()
	if status, _, hdr := mod.post("/admin/mute", url.Values{"user": {"ALICE"}, "minutes": {"30"}}); status != http.StatusSeeOther || hdr.Get("Location") != "/admin" {
		t.Fatalf("mute alice: got %d to %q, want 303 to /admin", status, hdr.Get("Location"))
	}
	aliceWS.send("can you hear me")
	aliceWS.waitText("You are muted until")
	m := mutedPattern.FindStringSubmatch(aliceWS.snapshot()[len(aliceWS.snapshot())-1])
	if m == nil {
		t.Fatalf("muted error %q lacks HH:MM UTC", aliceWS.snapshot()[len(aliceWS.snapshot())-1])
	}
	if want := before.Add(30 * time.Minute); m[1]+":"+m[2] != want.Format("15:04") && m[1]+":"+m[2] != want.Add(time.Minute).Format("15:04") {
		t.Errorf("muted until %s:%s, want about %s", m[1], m[2], want.Format("15:04"))
	}
	// The others saw nothing, and nothing was stored.
	bobWS.send("marker")
	aliceWS.waitText("marker</p>")
	if containing(bobWS.snapshot(), "can you hear me") != 0 || containing(bobWS.snapshot(), "muted") != 0 {
		t.Errorf("bob's socket got the muted message or its error")
	}
	if _, page, _ := bob.get("/r/general"); strings.Contains(page, "can you hear me") {
		t.Errorf("the muted message was stored")
	}
	_, page, _ := mod.get("/admin")
	if !containsAll(page, `<ul id="muted"`, "alice", `action="/admin/unmute"`, `name="user" value="alice"`, "<td>mute</td>") {
		t.Errorf("the admin page does not list alice's mute with its undo: %.3000s", page)
	}

	// Unmute ends it early.
	if status, _, _ := mod.post("/admin/unmute", url.Values{"user": {"alice"}}); status != http.StatusSeeOther {
		t.Fatalf("unmute: got %d, want 303", status)
	}
	aliceWS.send("back again")
	bobWS.waitText("back again</p>")
	if status, body, _ := mod.post("/admin/unmute", url.Values{"user": {"alice"}}); status != http.StatusConflict || !strings.Contains(body, "alice is not muted.") {
		t.Errorf("unmuting again: got %d, want 409 saying alice is not muted", status)
	}
}

func TestMuteEndsByItself(t *testing.T) {
	cfg := testConfig(t)
	a := startApp(t, cfg)
	alice, bob := signedUp(t, a, "alice"), signedUp(t, a, "bob")
	aliceWS, bobWS := alice.dial(""), bob.dial("")
	bobWS.waitCount(2)

	// A mute shorter than the admin form allows, written beside the
	// server as another instance would, so that the test need not wait a
	// minute.
	other, err := sqlite.Open(t.Context(), cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	u, err := other.UserByName(t.Context(), "", "alice")
	if err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(500 * time.Millisecond)
	if err := other.Mute(t.Context(), 0, u.ID, until); err != nil {
		t.Fatal(err)
	}
	aliceWS.send("too early")
	aliceWS.waitText("You are muted until")
	time.Sleep(time.Until(until))
	aliceWS.send("on time")
	bobWS.waitText("on time</p>")
	if containing(bobWS.snapshot(), "too early") != 0 {
		t.Errorf("the message sent while muted went out")
	}
}

func TestBanClosesSocketsAndRefusesSignIn(t *testing.T) {
	banClosesSocketsAndRefusesSignIn(t, testConfig(t))
}

// banClosesSocketsAndRefusesSignIn bans, and unbans, a signed-in person,
// on the store cfg names.
func banClosesSocketsAndRefusesSignIn(t *testing.T, cfg app.Config) {
	a := startApp(t, cfg)
	mallory, bob, mod := signedUp(t, a, "mallory"), signedUp(t, a, "bob"), signedUpAdmin(t, a, cfg, "mod")
	mallory.createRoom("team")
	inGeneral, inTeam, bobWS := mallory.dial(""), mallory.dial("?room=team"), bob.dial("")
	bobWS.waitCount(2)

	if status, body, _ := mod.post("/admin/ban", url.Values{"user": {"mod"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "You cannot ban yourself.") {
		t.Errorf("banning oneself: got %d, want 422", status)
	}
	if status, _, hdr := mod.post("/admin/ban", url.Values{"user": {"Mallory"}}); status != http.StatusSeeOther || hdr.Get("Location") != "/admin" {
		t.Fatalf("ban: got %d to %q, want 303 to /admin", status, hdr.Get("Location"))
	}
	// Every socket of hers hears why, then closes with 1000, so that the
	// page does not reconnect; bob's stays.
	for name, s := range map[string]*socket{"general": inGeneral, "team": inTeam} {
		if code := s.waitClose(); code != websocket.CloseNormalClosure {
			t.Errorf("mallory's socket in %s closed with %d, want 1000", name, code)
		}
		if containing(s.snapshot(), "You have been removed from the chat by a moderator.") != 1 {
			t.Errorf("mallory's socket in %s was not told she was removed; frames: %q", name, tail(s.snapshot()))
		}
	}
	bobWS.waitCount(1)
	if status, _, hdr := mallory.get("/r/general"); status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/login") {
		t.Errorf("mallory's session after the ban: got %d to %q, want 303 to /login", status, hdr.Get("Location"))
	}
	if _, _, err := dialSocket(t, a.URL(), mallory.cookie(), a.URL(), ""); err == nil {
		t.Errorf("mallory's old cookie still opens a socket")
	}

	// Sign-in is refused with a clear message, but only with the right
	// password: a wrong one says what it always says.
	again := newBrowser(t, a.URL())
	status, body, _ := again.post("/login", url.Values{"username": {"mallory"}, "password": {"password-mallory"}})
	if status != http.StatusForbidden || !strings.Contains(body, "This account is banned from Parley.") || strings.Contains(body, invalidCredentials) {
		t.Errorf("banned sign-in: got %d, want 403 saying the account is banned; body: %.500s", status, body)
	}
	if again.cookie() != "" {
		t.Errorf("a banned sign-in set a session cookie")
	}
	status, body, _ = again.post("/login", url.Values{"username": {"mallory"}, "password": {"wrong-password"}})
	if status != http.StatusUnauthorized || !strings.Contains(body, invalidCredentials) {
		t.Errorf("banned sign-in with a wrong password: got %d, want 401 %q", status, invalidCredentials)
	}
	// Registering the name again, in any case, is no way back.
	for _, name := range []string{"mallory", "MALLORY", "Mallory"} {
		if status, _, _ := newBrowser(t, a.URL()).post("/register", url.Values{"username": {name}, "password": {"password-new1"}}); status != http.StatusConflict {
			t.Errorf("register %q after the ban: got %d, want 409", name, status)
		}
	}

	_, page, _ := mod.get("/admin")
	if !containsAll(page, `<ul id="banned"`, `action="/admin/unban"`, `name="user" value="mallory"`, "<td>ban</td>") {
		t.Errorf("the admin page does not list mallory's ban with its undo: %.3000s", page)
	}
	if status, body, _ := mod.post("/admin/ban", url.Values{"user": {"mallory"}}); status != http.StatusConflict || !strings.Contains(body, "mallory is banned already.") {
		t.Errorf("banning again: got %d, want 409", status)
	}

	// Unban restores sign-in.
	if status, _, _ := mod.post("/admin/unban", url.Values{"user": {"mallory"}}); status != http.StatusSeeOther {
		t.Fatalf("unban: got %d, want 303", status)
	}
	if status, _, hdr := again.post("/login", url.Values{"username": {"mallory"}, "password": {"password-mallory"}}); status != http.StatusSeeOther || hdr.Get("Location") != "/r/general" {
		t.Errorf("sign-in after the unban: got %d to %q, want 303 to /r/general", status, hdr.Get("Location"))
	}
	if _, page, _ := mod.get("/admin"); !containsAll(page, "Nobody is banned.", "<td>unban</td>") {
		t.Errorf("the admin page after the unban: %.3000s", page)
	}
}

func TestBanRefusesProviderSignIn(t *testing.T) {
	a, cfg, _ := startOAuthApp(t)
	mod := signedUpAdmin(t, a, cfg, "mod")
	octocat := newBrowser(t, a.URL())
	octocat.oauthSignIn("github")
	ws := octocat.dial("")
	ws.waitCount(1)

	if status, _, _ := mod.post("/admin/ban", url.Values{"user": {"github:OctoCat"}}); status != http.StatusSeeOther {
		t.Fatalf("ban github:octocat: got %d, want 303", status)
	}
	if code := ws.waitClose(); code != websocket.CloseNormalClosure {
		t.Errorf("octocat's socket closed with %d, want 1000", code)
	}
	_, _, sessionsBefore := storeCounts(t, cfg)
	status, body, _ := octocat.open(octocat.oauthConsent("github"))
	if status != http.StatusForbidden || !strings.Contains(body, "This account is banned from Parley.") || !strings.Contains(body, `action="/login"`) {
		t.Errorf("banned GitHub sign-in: got %d, want 403 with the message on the sign-in page; body: %.500s", status, body)
	}
	if _, _, sessions := storeCounts(t, cfg); sessions != sessionsBefore {
		t.Errorf("banned GitHub sign-in made a session: %d sessions, were %d", sessions, sessionsBefore)
	}
	if status, _, _ := mod.post("/admin/unban", url.Values{"user": {"github:octocat"}}); status != http.StatusSeeOther {
		t.Fatalf("unban: got %d, want 303", status)
	}
	octocat.oauthSignIn("github")
}

func TestAdminsCarryABadge(t *testing.T) {
	cfg := testConfig(t)
	a := startApp(t, cfg)
	bob, mod := signedUp(t, a, "bob"), signedUpAdmin(t, a, cfg, "mod")
	bobWS, modWS := bob.dial(""), mod.dial("")
	bobWS.waitPresence(2, "bob", "mod")
	adminLi := regexp.MustCompile(`<li id="online-\d+">mod\s*<span class="badge admin"[^>]*>Admin</span>`)
	if !adminLi.MatchString(strings.Join(bobWS.snapshot(), "")) {
		t.Errorf("the online list does not badge mod as admin: %q", tail(bobWS.snapshot()))
	}
	modWS.send("hello from mod")
	bobWS.waitText("hello from mod</p>")
	adminAuthor := regexp.MustCompile(`<span class="author">mod</span>\s*<span class="badge admin"[^>]*>Admin</span>`)
	_, page, _ := bob.get("/r/general")
	if !adminAuthor.MatchString(articleOf(page, "hello from mod")) {
		t.Errorf("mod's message has no admin badge: %s", articleOf(page, "hello from mod"))
	}
	bobWS.send("hello from bob")
	modWS.waitText("hello from bob</p>")
	_, page, _ = mod.get("/r/general")
	if strings.Contains(articleOf(page, "hello from bob"), "badge admin") {
		t.Errorf("bob's message carries an admin badge")
	}
	if !strings.Contains(page, `href="/admin"`) {
		t.Errorf("the admin's page has no link to /admin")
	}
	if _, page, _ := bob.get("/r/general"); strings.Contains(page, `href="/admin"`) {
		t.Errorf("bob's page links to /admin")
	}
}

func TestRoomCreationForARealAdmin(t *testing.T) {
	cfg := testConfig(t)
	cfg.RoomCreationAdminsOnly = true
	a := startApp(t, cfg)
	bob, mod := signedUp(t, a, "bob"), signedUpAdmin(t, a, cfg, "mod")
	if status, _, _ := bob.post("/rooms", url.Values{"name": {"team"}}); status != http.StatusForbidden {
		t.Errorf("bob creates a room: got %d, want 403", status)
	}
	if _, dir, _ := mod.get("/rooms"); !strings.Contains(dir, `action="/rooms"`) {
		t.Errorf("the directory does not offer the admin to create a room")
	}
	mod.createRoom("team")
	if status, _, _ := bob.get("/r/team"); status != http.StatusOK {
		t.Errorf("GET /r/team: got %d, want 200", status)
	}
}

func TestAdminPageNamesProviderAccounts(t *testing.T) {
	a, cfg, _ := startOAuthApp(t)
	mod := signedUpAdmin(t, a, cfg, "mod")
	newBrowser(t, a.URL()).oauthSignIn("github")
	if status, _, _ := mod.post("/admin/mute", url.Values{"user": {"github:octocat"}, "minutes": {"5"}}); status != http.StatusSeeOther {
		t.Fatalf("mute github:octocat: got %d, want 303", status)
	}
	_, page, _ := mod.get("/admin")
	if !containsAll(page, `name="user" value="github:octocat"`, "<td>github:octocat</td>") {
		t.Errorf("the admin page does not name the GitHub account as github:octocat: %.3000s", page)
	}
	if status, body, _ := mod.post("/admin/ban", url.Values{"user": {"gitlab:octocat"}}); status != http.StatusNotFound || !strings.Contains(body, fmt.Sprintf("There is no account named %s.", "&#34;gitlab:octocat&#34;")) {
		t.Errorf("ban gitlab:octocat: got %d, want 404 naming it", status)
	}
}
