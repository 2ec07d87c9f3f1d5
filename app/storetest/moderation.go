package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

var moderationTests = []test{
	{"MessageByID", testMessageByID},
	{"DeleteMessageRemovesItFromEveryRead", testDeleteMessage},
	{"DeleteMessageSeenByAnotherStore", testDeleteMessageSeenByAnotherStore},
	{"DeleteMessageIDsNotReused", testDeleteMessageIDsNotReused},
	{"UserByName", testUserByName},
	{"SetAdmin", testSetAdmin},
	{"AdminsSortedByNameWithoutCase", testAdminsSorted},
	{"AuthorAdminInMessages", testAuthorAdminInMessages},
	{"MuteEndsByTime", testMuteEndsByTime},
	{"MutesSoonestFirst", testMutesSoonestFirst},
	{"BanRevokesSessionsAndRefusesNewOnes", testBan},
	{"BanSeenByAnotherStore", testBanSeenByAnotherStore},
	{"BansNewestFirst", testBansNewestFirst},
	{"ModerationOfUnknownUsers", testModerationOfUnknownUsers},
	{"RecentActionsNewestFirstAndLimited", testRecentActionsLimited},
}

// clockAt sets the store's clock to a fixed time and returns a pointer
// through which the test moves it.
func (b Backend) clockAt(t *testing.T, s parley.Store, start time.Time) *time.Time {
	t.Helper()
	now := start
	b.SetClock(t, s, func() time.Time { return now })
	return &now
}

// moderationStart is a time, in whole seconds, that the clocks of the
// moderation tests start at.
var moderationStart = time.Date(2030, 1, 2, 15, 4, 0, 0, time.UTC)

// recentActions reads the whole moderation log, newest first.
func recentActions(t *testing.T, s parley.Store) []parley.Action {
	t.Helper()
	actions, err := s.RecentActions(t.Context(), 1000)
	if err != nil {
		t.Fatalf("RecentActions: %v", err)
	}
	return actions
}

// actionKinds lists the kinds of the actions, in their order.
func actionKinds(actions []parley.Action) []parley.ActionKind {
	kinds := []parley.ActionKind{}
	for _, a := range actions {
		kinds = append(kinds, a.Kind)
	}
	return kinds
}

// userIDs lists the users' IDs in their order.
func userIDs(users []parley.User) []int64 {
	ids := []int64{}
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	return ids
}

// setAdmin grants or revokes the admin flag and fails the test on error.
func setAdmin(t *testing.T, s parley.Store, actorID, userID int64, admin bool) {
	t.Helper()
	if err := s.SetAdmin(t.Context(), actorID, userID, admin); err != nil {
		t.Fatalf("SetAdmin(%d, %d, %v): %v", actorID, userID, admin, err)
	}
}

// assertIs fails unless err wraps want and starts with the adapter's name.
func (b Backend) assertIs(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error = %v, want %v", what, err, want)
	}
	b.assertPrefix(t, what, err)
}

func testMessageByID(t *testing.T, b Backend) {
	s := b.open(t)
	alice := upsertIdentity(t, s, parley.Identity{Provider: "github", ProviderUserID: "1", DisplayName: "alice"})
	room := createRoom(t, s, "side", alice.ID)
	m := createMessage(t, s, room.ID, alice.ID, "hello")
	got, err := s.MessageByID(t.Context(), m.ID)
	if err != nil {
		t.Fatalf("MessageByID(%d): %v", m.ID, err)
	}
	assertMessages(t, []parley.Message{got}, []parley.Message{m})
	if got.AuthorProvider != "github" || got.RoomID != room.ID {
		t.Errorf("MessageByID = %+v, want alice's github message in room %d", got, room.ID)
	}
	for _, id := range []int64{m.ID + 1, 0, -1} {
		_, err := s.MessageByID(t.Context(), id)
		b.assertNotFound(t, "MessageByID(unknown)", err)
	}
}

func testDeleteMessage(t *testing.T, b Backend) {
	s := b.open(t)
	ctx := t.Context()
	room := general(t, s)
	alice, admin := createUser(t, s, "alice"), createUser(t, s, "admin")
	first := createMessage(t, s, room.ID, alice.ID, "first")
	doomed := createMessage(t, s, room.ID, alice.ID, "regrettable")
	last := createMessage(t, s, room.ID, alice.ID, "last")

	removed, err := s.DeleteMessage(ctx, admin.ID, doomed.ID)
	if err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	assertMessages(t, []parley.Message{removed}, []parley.Message{doomed})
	assertMessages(t, messagesBefore(t, s, room.ID, 0, 10), []parley.Message{first, last})
	assertMessages(t, messagesBefore(t, s, room.ID, last.ID, 10), []parley.Message{first})
	_, err = s.MessageByID(ctx, doomed.ID)
	b.assertNotFound(t, "MessageByID of the deleted message", err)
	_, err = s.DeleteMessage(ctx, admin.ID, doomed.ID)
	b.assertNotFound(t, "DeleteMessage again", err)
	for _, id := range []int64{last.ID + 100, 0, -1} {
		m, err := s.DeleteMessage(ctx, admin.ID, id)
		b.assertNotFound(t, "DeleteMessage(unknown)", err)
		if m != (parley.Message{}) {
			t.Errorf("DeleteMessage(%d) = %+v, want the zero Message", id, m)
		}
	}
	assertMessages(t, messagesBefore(t, s, room.ID, 0, 10), []parley.Message{first, last})

	// The log keeps who removed what of whose, and the text; the refused
	// deletions are not in it.
	actions := recentActions(t, s)
	if len(actions) != 1 {
		t.Fatalf("log has %d actions, want 1: %+v", len(actions), actions)
	}
	a := actions[0]
	if a.Kind != parley.ActionDelete || a.MessageID != doomed.ID || a.MessageText != "regrettable" || !a.Until.IsZero() {
		t.Errorf("logged %+v, want the deletion of %q", a, "regrettable")
	}
	assertUser(t, "deletion's actor", a.Actor, admin)
	assertUser(t, "deletion's target", a.Target, alice)
	assertRecentUTC(t, "deletion's CreatedAt", a.CreatedAt)
}

// testDeleteMessageSeenByAnotherStore deletes on one instance: the other
// neither reads the message nor deletes it a second time.
func testDeleteMessageSeenByAnotherStore(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	a, other := open(t), open(t)
	alice := createUser(t, a, "alice")
	room := general(t, a)
	m := createMessage(t, a, room.ID, alice.ID, "gone soon")
	if _, err := a.DeleteMessage(t.Context(), alice.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	_, err := other.MessageByID(t.Context(), m.ID)
	b.assertNotFound(t, "MessageByID on another store", err)
	_, err = other.DeleteMessage(t.Context(), alice.ID, m.ID)
	b.assertNotFound(t, "DeleteMessage on another store", err)
	if got := messagesBefore(t, other, room.ID, 0, 10); len(got) != 0 {
		t.Errorf("another store's history = %v, want none", messageIDs(got))
	}
	if n := len(recentActions(t, other)); n != 1 {
		t.Errorf("log has %d actions, want the one deletion", n)
	}
}

// testDeleteMessageIDsNotReused deletes the newest message of a room,
// whose ID a client may have seen: the next message gets a new ID, so
// catch-up by ID never mistakes it for the deleted one.
func testDeleteMessageIDsNotReused(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	s := open(t)
	alice := createUser(t, s, "alice")
	room := general(t, s)
	last := createMessage(t, s, room.ID, alice.ID, "newest")
	if _, err := s.DeleteMessage(t.Context(), alice.ID, last.ID); err != nil {
		t.Fatal(err)
	}
	if next := createMessage(t, s, room.ID, alice.ID, "next"); next.ID <= last.ID {
		t.Errorf("message after deleting %d got ID %d, want a greater one", last.ID, next.ID)
	}
	// Nor after a restart, which could rebuild a counter from what remains.
	again := open(t)
	newest := createMessage(t, again, room.ID, alice.ID, "after reopening")
	if _, err := again.DeleteMessage(t.Context(), alice.ID, newest.ID); err != nil {
		t.Fatal(err)
	}
	if next := createMessage(t, open(t), room.ID, alice.ID, "later"); next.ID <= newest.ID {
		t.Errorf("message after deleting %d and reopening got ID %d, want a greater one", newest.ID, next.ID)
	}
}

func testUserByName(t *testing.T, b Backend) {
	s := b.open(t)
	local := createUser(t, s, "Octocat")
	gh := upsertIdentity(t, s, parley.Identity{Provider: "github", ProviderUserID: "1", DisplayName: "octocat"})
	ghWide := upsertIdentity(t, s, parley.Identity{Provider: "github", ProviderUserID: "2", DisplayName: "Ünïcode Name"})
	for _, id := range []string{"3", "4"} {
		upsertIdentity(t, s, parley.Identity{Provider: "gitlab", ProviderUserID: id, DisplayName: "twin"})
	}
	tests := []struct {
		provider, name string
		want           parley.User
		err            error
	}{
		{"", "Octocat", local, nil},
		{"", "OCTOCAT", local, nil},
		{"", "octocat", local, nil},
		{"github", "octocat", gh, nil},
		{"github", "OctoCat", gh, nil},
		{"github", "ÜnïCODE NAME", ghWide, nil}, // both stores fold ASCII letters only
		{"github", "Ünïcode name", ghWide, nil},
		{"github", "ünïcode name", parley.User{}, parley.ErrNotFound},
		{"google", "octocat", parley.User{}, parley.ErrNotFound},
		{"", "nobody", parley.User{}, parley.ErrNotFound},
		{"", "", parley.User{}, parley.ErrNotFound},
		{"github", "", parley.User{}, parley.ErrNotFound},
		{"github", "octo%", parley.User{}, parley.ErrNotFound},
		{"", "Octo_at", parley.User{}, parley.ErrNotFound},
		{"gitlab", "twin", parley.User{}, parley.ErrAmbiguousName},
		{"gitlab", "TWIN", parley.User{}, parley.ErrAmbiguousName},
	}
	for _, tt := range tests {
		what := "UserByName(" + tt.provider + ", " + tt.name + ")"
		u, err := s.UserByName(t.Context(), tt.provider, tt.name)
		if tt.err != nil {
			b.assertIs(t, what, err, tt.err)
			if u != (parley.User{}) {
				t.Errorf("%s = %+v, want the zero User", what, u)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		assertUser(t, what, u, tt.want)
	}
}

func testSetAdmin(t *testing.T, b Backend) {
	s := b.open(t)
	ctx := t.Context()
	alice, bob := createUser(t, s, "alice"), createUser(t, s, "bob")
	if err := s.CreateSession(ctx, []byte("alice-session"), alice.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	setAdmin(t, s, 0, alice.ID, true)
	adminAlice := alice
	adminAlice.Admin = true
	if u, err := s.SessionUser(ctx, []byte("alice-session")); err != nil {
		t.Errorf("SessionUser: %v", err)
	} else {
		assertUser(t, "alice's session user", u, adminAlice)
	}
	if u, _, err := s.UserByUsername(ctx, "alice"); err != nil || !u.Admin {
		t.Errorf("UserByUsername(alice) = %+v, %v; want an admin", u, err)
	}
	if u, err := s.UserByName(ctx, "", "alice"); err != nil || !u.Admin {
		t.Errorf("UserByName(alice) = %+v, %v; want an admin", u, err)
	}
	if u, _, err := s.UserByUsername(ctx, "bob"); err != nil || u.Admin {
		t.Errorf("UserByUsername(bob) = %+v, %v; want no admin", u, err)
	}
	err := s.SetAdmin(ctx, 0, alice.ID, true)
	b.assertIs(t, "granting again", err, parley.ErrNoChange)

	setAdmin(t, s, alice.ID, bob.ID, true)
	admins, err := s.Admins(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := userIDs(admins), []int64{alice.ID, bob.ID}; !slices.Equal(got, want) {
		t.Errorf("Admins = %v, want alice and bob %v", got, want)
	}
	setAdmin(t, s, 0, alice.ID, false)
	err = s.SetAdmin(ctx, 0, alice.ID, false)
	b.assertIs(t, "revoking again", err, parley.ErrNoChange)
	err = s.SetAdmin(ctx, 0, createUser(t, s, "carol").ID, false)
	b.assertIs(t, "revoking a non-admin", err, parley.ErrNoChange)
	if u, err := s.SessionUser(ctx, []byte("alice-session")); err != nil || u.Admin {
		t.Errorf("alice's session user after the revocation = %+v, %v; want no admin", u, err)
	}
	admins, err = s.Admins(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := userIDs(admins), []int64{bob.ID}; !slices.Equal(got, want) {
		t.Errorf("Admins after the revocation = %v, want only bob %v", got, want)
	}

	// Three changes, newest first; the command line is actor 0, the zero
	// User. The refusals are not in the log.
	actions := recentActions(t, s)
	want := []struct {
		kind          parley.ActionKind
		actor, target int64
	}{
		{parley.ActionRevoke, 0, alice.ID},
		{parley.ActionGrant, alice.ID, bob.ID},
		{parley.ActionGrant, 0, alice.ID},
	}
	if len(actions) != len(want) {
		t.Fatalf("log has %d actions %q, want %d", len(actions), actionKinds(actions), len(want))
	}
	for i, w := range want {
		if a := actions[i]; a.Kind != w.kind || a.Actor.ID != w.actor || a.Target.ID != w.target {
			t.Errorf("action %d = %s by %d on %d, want %s by %d on %d", i, a.Kind, a.Actor.ID, a.Target.ID, w.kind, w.actor, w.target)
		}
	}
	if a := actions[0]; a.Actor != (parley.User{}) {
		t.Errorf("command line's action has actor %+v, want the zero User", a.Actor)
	}
	if a := actions[1]; a.Actor.Username != "alice" || a.Target.Username != "bob" || !a.Target.Admin {
		t.Errorf("action 1 is by %+v on %+v, want alice on bob, an admin", a.Actor, a.Target)
	}
}

func testAdminsSorted(t *testing.T, b Backend) {
	s := b.open(t)
	if admins, err := s.Admins(t.Context()); err != nil || len(admins) != 0 {
		t.Errorf("Admins of a new database = %v, %v; want none", admins, err)
	}
	var ids []int64
	for _, name := range []string{"zed", "Bob", "alice", "Carol"} {
		u := createUser(t, s, name)
		setAdmin(t, s, 0, u.ID, true)
		ids = append(ids, u.ID)
	}
	twin := upsertIdentity(t, s, parley.Identity{Provider: "github", ProviderUserID: "9", DisplayName: "bob"})
	setAdmin(t, s, 0, twin.ID, true)
	createUser(t, s, "aaron") // not an admin
	admins, err := s.Admins(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// Bob and github's bob tie, and go by ID.
	if got, want := userIDs(admins), []int64{ids[2], ids[1], twin.ID, ids[3], ids[0]}; !slices.Equal(got, want) {
		t.Errorf("Admins = %v, want alice, Bob, bob, Carol, zed %v", got, want)
	}
	for _, u := range admins {
		if !u.Admin {
			t.Errorf("Admins lists %+v without the admin flag", u)
		}
	}
}

func testAuthorAdminInMessages(t *testing.T, b Backend) {
	s := b.open(t)
	room := general(t, s)
	admin, alice := createUser(t, s, "admin"), createUser(t, s, "alice")
	setAdmin(t, s, 0, admin.ID, true)
	byAdmin := createMessage(t, s, room.ID, admin.ID, "hello")
	byAlice := createMessage(t, s, room.ID, alice.ID, "hi")
	if !byAdmin.AuthorAdmin || byAlice.AuthorAdmin {
		t.Errorf("CreateMessage AuthorAdmin = %v for the admin, %v for alice; want true, false", byAdmin.AuthorAdmin, byAlice.AuthorAdmin)
	}
	assertMessages(t, messagesBefore(t, s, room.ID, 0, 10), []parley.Message{byAdmin, byAlice})
	if got, err := s.MessageByID(t.Context(), byAdmin.ID); err != nil || !got.AuthorAdmin {
		t.Errorf("MessageByID = %+v, %v; want the admin's message marked", got, err)
	}
	// The badge follows the author's flag, not the one at posting time.
	setAdmin(t, s, 0, admin.ID, false)
	if got := messagesBefore(t, s, room.ID, 0, 10); got[0].AuthorAdmin {
		t.Errorf("message of a former admin still marked: %+v", got[0])
	}
}

func testMuteEndsByTime(t *testing.T, b Backend) {
	s := b.open(t)
	ctx := t.Context()
	now := b.clockAt(t, s, moderationStart)
	admin, alice := createUser(t, s, "admin"), createUser(t, s, "alice")

	if until, err := s.MutedUntil(ctx, alice.ID); err != nil || !until.IsZero() {
		t.Fatalf("MutedUntil before any mute = %v, %v; want zero", until, err)
	}
	err := s.Unmute(ctx, admin.ID, alice.ID)
	b.assertIs(t, "Unmute of someone never muted", err, parley.ErrNoChange)
	end := now.Add(10 * time.Minute)
	if err := s.Mute(ctx, admin.ID, alice.ID, end); err != nil {
		t.Fatalf("Mute: %v", err)
	}
	if until, err := s.MutedUntil(ctx, alice.ID); err != nil || !until.Equal(end) || until.Location() != time.UTC {
		t.Errorf("MutedUntil = %v, %v; want %v in UTC", until, err, end)
	}
	if until, err := s.MutedUntil(ctx, admin.ID); err != nil || !until.IsZero() {
		t.Errorf("MutedUntil of someone else = %v, %v; want zero", until, err)
	}
	mutes, err := s.Mutes(ctx)
	if err != nil || len(mutes) != 1 || !mutes[0].Until.Equal(end) {
		t.Fatalf("Mutes = %+v, %v; want alice until %v", mutes, err, end)
	}
	assertUser(t, "muted user", mutes[0].User, alice)

	*now = end.Add(-time.Second) // still muted a second before the end
	if until, _ := s.MutedUntil(ctx, alice.ID); !until.Equal(end) {
		t.Errorf("MutedUntil a second before the end = %v, want %v", until, end)
	}
	*now = end // the mute is over at its end
	if until, err := s.MutedUntil(ctx, alice.ID); err != nil || !until.IsZero() {
		t.Errorf("MutedUntil at the end = %v, %v; want zero", until, err)
	}
	if mutes, err := s.Mutes(ctx); err != nil || len(mutes) != 0 {
		t.Errorf("Mutes after the end = %+v, %v; want none", mutes, err)
	}
	err = s.Unmute(ctx, admin.ID, alice.ID)
	b.assertIs(t, "Unmute of an ended mute", err, parley.ErrNoChange)

	// A new mute replaces the old row; another replaces it, sooner; Unmute
	// ends it early.
	if err := s.Mute(ctx, admin.ID, alice.ID, now.Add(time.Hour)); err != nil {
		t.Fatalf("Mute again: %v", err)
	}
	sooner := now.Add(5 * time.Minute)
	if err := s.Mute(ctx, admin.ID, alice.ID, sooner); err != nil {
		t.Fatalf("Mute for less: %v", err)
	}
	if until, _ := s.MutedUntil(ctx, alice.ID); !until.Equal(sooner) {
		t.Errorf("MutedUntil after a shorter mute = %v, want %v", until, sooner)
	}
	if err := s.Unmute(ctx, admin.ID, alice.ID); err != nil {
		t.Fatalf("Unmute: %v", err)
	}
	if until, _ := s.MutedUntil(ctx, alice.ID); !until.IsZero() {
		t.Errorf("MutedUntil after Unmute = %v, want zero", until)
	}

	actions := recentActions(t, s)
	want := []parley.ActionKind{parley.ActionUnmute, parley.ActionMute, parley.ActionMute, parley.ActionMute}
	if got := actionKinds(actions); !slices.Equal(got, want) {
		t.Fatalf("logged %q, want %q", got, want)
	}
	if a := actions[3]; !a.Until.Equal(end) || a.Actor.ID != admin.ID || a.Target.ID != alice.ID || !a.CreatedAt.Equal(moderationStart) {
		t.Errorf("first mute logged as %+v, want admin muting alice at %v until %v", a, moderationStart, end)
	}
	if a := actions[0]; !a.Until.IsZero() || !a.CreatedAt.Equal(end) {
		t.Errorf("unmute logged as %+v, want no end, at %v", a, end)
	}
}

func testMutesSoonestFirst(t *testing.T, b Backend) {
	s := b.open(t)
	now := b.clockAt(t, s, moderationStart)
	admin := createUser(t, s, "admin")
	var users []parley.User
	for _, name := range []string{"a", "b", "c", "d"} {
		users = append(users, createUser(t, s, name))
	}
	ends := []time.Duration{30 * time.Minute, 10 * time.Minute, time.Hour, time.Minute}
	for i, u := range users {
		if err := s.Mute(t.Context(), admin.ID, u.ID, now.Add(ends[i])); err != nil {
			t.Fatal(err)
		}
	}
	*now = now.Add(2 * time.Minute) // d's mute is over
	mutes, err := s.Mutes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, m := range mutes {
		got = append(got, m.User.ID)
	}
	if want := []int64{users[1].ID, users[0].ID, users[2].ID}; !slices.Equal(got, want) {
		t.Errorf("Mutes = users %v, want %v (b, a, c)", got, want)
	}
}

func testBan(t *testing.T, b Backend) {
	s := b.open(t)
	ctx := t.Context()
	admin, mallory := createUser(t, s, "admin"), createUser(t, s, "mallory")
	later := time.Now().Add(time.Hour)
	for _, key := range []string{"mallory-1", "mallory-2"} {
		if err := s.CreateSession(ctx, []byte(key), mallory.ID, later); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateSession(ctx, []byte("admin-1"), admin.ID, later); err != nil {
		t.Fatal(err)
	}
	if bans, err := s.Bans(ctx); err != nil || len(bans) != 0 {
		t.Errorf("Bans before any = %+v, %v; want none", bans, err)
	}

	if err := s.Ban(ctx, admin.ID, mallory.ID); err != nil {
		t.Fatalf("Ban: %v", err)
	}
	for _, key := range []string{"mallory-1", "mallory-2"} {
		_, err := s.SessionUser(ctx, []byte(key))
		b.assertNotFound(t, "session "+key+" after the ban", err)
	}
	if _, err := s.SessionUser(ctx, []byte("admin-1")); err != nil {
		t.Errorf("the admin's own session after the ban: %v, want it kept", err)
	}
	err := s.CreateSession(ctx, []byte("mallory-3"), mallory.ID, later)
	b.assertIs(t, "CreateSession for the banned user", err, parley.ErrBanned)
	_, err = s.SessionUser(ctx, []byte("mallory-3"))
	b.assertNotFound(t, "SessionUser of the refused session", err)
	// Signing in through a provider ends in CreateSession too.
	octo := upsertIdentity(t, s, parley.Identity{Provider: "github", ProviderUserID: "7", DisplayName: "octo"})
	if err := s.Ban(ctx, admin.ID, octo.ID); err != nil {
		t.Fatal(err)
	}
	again := upsertIdentity(t, s, parley.Identity{Provider: "github", ProviderUserID: "7", DisplayName: "octo"})
	err = s.CreateSession(ctx, []byte("octo-1"), again.ID, later)
	b.assertIs(t, "CreateSession for a banned provider account", err, parley.ErrBanned)

	err = s.Ban(ctx, admin.ID, mallory.ID)
	b.assertIs(t, "banning again", err, parley.ErrNoChange)
	bans, err := s.Bans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var banned []int64
	for _, ban := range bans {
		banned = append(banned, ban.User.ID)
		assertRecentUTC(t, "ban's Since", ban.Since)
	}
	if !slices.Contains(banned, mallory.ID) || !slices.Contains(banned, octo.ID) || len(banned) != 2 {
		t.Errorf("Bans = users %v, want mallory %d and octo %d", banned, mallory.ID, octo.ID)
	}

	if err := s.Unban(ctx, admin.ID, mallory.ID); err != nil {
		t.Fatalf("Unban: %v", err)
	}
	if err := s.CreateSession(ctx, []byte("mallory-4"), mallory.ID, later); err != nil {
		t.Errorf("CreateSession after the unban: %v, want a session", err)
	} else if u, err := s.SessionUser(ctx, []byte("mallory-4")); err != nil || u.ID != mallory.ID {
		t.Errorf("SessionUser after the unban = %+v, %v; want mallory", u, err)
	}
	err = s.Unban(ctx, admin.ID, mallory.ID)
	b.assertIs(t, "unbanning again", err, parley.ErrNoChange)
	err = s.Unban(ctx, admin.ID, admin.ID)
	b.assertIs(t, "unbanning someone never banned", err, parley.ErrNoChange)
	if bans, _ := s.Bans(ctx); len(bans) != 1 || bans[0].User.ID != octo.ID {
		t.Errorf("Bans after the unban = %+v, want octo alone", bans)
	}
	actions := recentActions(t, s)
	want := []parley.ActionKind{parley.ActionUnban, parley.ActionBan, parley.ActionBan}
	if got := actionKinds(actions); !slices.Equal(got, want) {
		t.Fatalf("logged %q, want %q", got, want)
	}
	if a := actions[2]; a.Actor.ID != admin.ID || a.Target.ID != mallory.ID {
		t.Errorf("first ban logged as by %d on %d, want admin %d on mallory %d", a.Actor.ID, a.Target.ID, admin.ID, mallory.ID)
	}
}

// testBanSeenByAnotherStore bans on one instance: the other ends the
// banned person's session and refuses them a new one.
func testBanSeenByAnotherStore(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	a, other := open(t), open(t)
	admin, mallory := createUser(t, a, "admin"), createUser(t, a, "mallory")
	later := time.Now().Add(time.Hour)
	if err := other.CreateSession(t.Context(), []byte("mallory-1"), mallory.ID, later); err != nil {
		t.Fatal(err)
	}
	if err := a.Ban(t.Context(), admin.ID, mallory.ID); err != nil {
		t.Fatal(err)
	}
	_, err := other.SessionUser(t.Context(), []byte("mallory-1"))
	b.assertNotFound(t, "SessionUser on another store after the ban", err)
	err = other.CreateSession(t.Context(), []byte("mallory-2"), mallory.ID, later)
	b.assertIs(t, "CreateSession on another store after the ban", err, parley.ErrBanned)
	err = other.Ban(t.Context(), admin.ID, mallory.ID)
	b.assertIs(t, "Ban again on another store", err, parley.ErrNoChange)
}

func testBansNewestFirst(t *testing.T, b Backend) {
	s := b.open(t)
	now := b.clockAt(t, s, moderationStart)
	admin := createUser(t, s, "admin")
	var ids []int64
	for _, name := range []string{"a", "b", "c"} {
		u := createUser(t, s, name)
		if err := s.Ban(t.Context(), admin.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
		*now = now.Add(time.Minute)
	}
	bans, err := s.Bans(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(bans) != 3 {
		t.Fatalf("Bans = %+v, want 3", bans)
	}
	for i, want := range []int64{ids[2], ids[1], ids[0]} {
		since := moderationStart.Add(time.Duration(2-i) * time.Minute)
		if got := bans[i]; got.User.ID != want || !got.Since.Equal(since) || got.Since.Location() != time.UTC {
			t.Errorf("ban %d = user %d since %v, want user %d since %v in UTC", i, got.User.ID, got.Since, want, since)
		}
	}
}

// testModerationOfUnknownUsers acts on users that do not exist: each
// write is ErrNotFound, stores nothing and logs nothing.
func testModerationOfUnknownUsers(t *testing.T, b Backend) {
	s := b.open(t)
	ctx := t.Context()
	admin := createUser(t, s, "admin")
	for _, id := range []int64{admin.ID + 1000, 0, -1} {
		b.assertNotFound(t, "SetAdmin(unknown, true)", s.SetAdmin(ctx, admin.ID, id, true))
		b.assertNotFound(t, "SetAdmin(unknown, false)", s.SetAdmin(ctx, admin.ID, id, false))
		b.assertNotFound(t, "Mute(unknown)", s.Mute(ctx, admin.ID, id, time.Now().Add(time.Hour)))
		b.assertNotFound(t, "Unmute(unknown)", s.Unmute(ctx, admin.ID, id))
		b.assertNotFound(t, "Ban(unknown)", s.Ban(ctx, admin.ID, id))
		b.assertNotFound(t, "Unban(unknown)", s.Unban(ctx, admin.ID, id))
		if until, err := s.MutedUntil(ctx, id); err != nil || !until.IsZero() {
			t.Errorf("MutedUntil(unknown) = %v, %v; want zero", until, err)
		}
	}
	for what, n := range map[string]func() (int, error){
		"Admins": func() (int, error) { l, err := s.Admins(ctx); return len(l), err },
		"Mutes":  func() (int, error) { l, err := s.Mutes(ctx); return len(l), err },
		"Bans":   func() (int, error) { l, err := s.Bans(ctx); return len(l), err },
	} {
		if got, err := n(); err != nil || got != 0 {
			t.Errorf("%s after refused writes = %d, %v; want none", what, got, err)
		}
	}
	if actions := recentActions(t, s); len(actions) != 0 {
		t.Errorf("log after refused writes = %q, want empty", actionKinds(actions))
	}
}

func testRecentActionsLimited(t *testing.T, b Backend) {
	s := b.open(t)
	ctx := t.Context()
	room := general(t, s)
	admin := createUser(t, s, "admin")
	for _, limit := range []int{0, -1, 10} {
		if actions, err := s.RecentActions(ctx, limit); err != nil || len(actions) != 0 {
			t.Errorf("RecentActions(%d) of an empty log = %+v, %v; want none", limit, actions, err)
		}
	}
	var ids []int64
	for _, text := range []string{"m0", "m1", "m2", "m3", "m4"} {
		m := createMessage(t, s, room.ID, admin.ID, text)
		if _, err := s.DeleteMessage(ctx, admin.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	actions, err := s.RecentActions(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	var gotTexts []string
	for _, a := range actions {
		got, gotTexts = append(got, a.MessageID), append(gotTexts, a.MessageText)
	}
	if want := []int64{ids[4], ids[3], ids[2]}; !slices.Equal(got, want) {
		t.Errorf("RecentActions(3) deleted messages %v, want %v", got, want)
	}
	if want := []string{"m4", "m3", "m2"}; !slices.Equal(gotTexts, want) {
		t.Errorf("RecentActions(3) texts %q, want %q", gotTexts, want)
	}
	for _, limit := range []int{0, -1} {
		if actions, err := s.RecentActions(ctx, limit); err != nil || len(actions) != 0 {
			t.Errorf("RecentActions(%d) = %d actions, %v; want none", limit, len(actions), err)
		}
	}
	if actions, err := s.RecentActions(ctx, 100); err != nil || len(actions) != 5 {
		t.Errorf("RecentActions(100) = %d actions, %v; want all 5", len(actions), err)
	}
}
