package sqlite_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/sqlite"
)

// createMessage stores a message in general and fails the test on error.
func createMessage(t *testing.T, s *sqlite.Store, userID int64, text string) parley.Message {
	t.Helper()
	m, err := s.CreateMessage(t.Context(), general, userID, text)
	if err != nil {
		t.Fatalf("CreateMessage(%q): %v", text, err)
	}
	return m
}

// texts returns the texts of msgs, in order.
func texts(msgs []parley.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}

// recentActions reads the whole moderation log, newest first.
func recentActions(t *testing.T, s *sqlite.Store) []parley.Action {
	t.Helper()
	actions, err := s.RecentActions(t.Context(), 1000)
	if err != nil {
		t.Fatalf("RecentActions: %v", err)
	}
	return actions
}

func TestDeleteMessageRemovesItFromEveryRead(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	alice, admin := createUser(t, s, "alice"), createUser(t, s, "admin")
	first := createMessage(t, s, alice.ID, "first")
	doomed := createMessage(t, s, alice.ID, "regrettable")
	last := createMessage(t, s, alice.ID, "last")

	got, err := s.MessageByID(ctx, doomed.ID)
	if err != nil || got.Text != "regrettable" || got.UserID != alice.ID || got.RoomID != general {
		t.Fatalf("MessageByID(%d) = %+v, %v; want alice's message in general", doomed.ID, got, err)
	}
	removed, err := s.DeleteMessage(ctx, admin.ID, doomed.ID)
	if err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	if removed.ID != doomed.ID || removed.Text != "regrettable" || removed.RoomID != general {
		t.Errorf("DeleteMessage returned %+v, want the removed message", removed)
	}

	msgs, err := s.MessagesBefore(ctx, general, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := texts(msgs), []string{"first", "last"}; !slices.Equal(got, want) {
		t.Errorf("history after the deletion = %q, want %q", got, want)
	}
	older, err := s.MessagesBefore(ctx, general, last.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(older) != 1 || older[0].ID != first.ID {
		t.Errorf("messages before %d = %q, want only %q", last.ID, texts(older), "first")
	}
	if _, err := s.MessageByID(ctx, doomed.ID); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("MessageByID of the deleted message: %v, want ErrNotFound", err)
	}
	if _, err := s.DeleteMessage(ctx, admin.ID, doomed.ID); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("deleting it again: %v, want ErrNotFound", err)
	}

	// The log keeps who removed what of whose, and the text.
	actions := recentActions(t, s)
	if len(actions) != 1 {
		t.Fatalf("log has %d actions, want 1: %+v", len(actions), actions)
	}
	a := actions[0]
	if a.Kind != parley.ActionDelete || a.Actor.ID != admin.ID || a.Target.ID != alice.ID ||
		a.MessageID != doomed.ID || a.MessageText != "regrettable" || a.CreatedAt.IsZero() {
		t.Errorf("logged %+v, want admin deleting alice's %q", a, "regrettable")
	}

	// Deleting the newest message does not free its ID for the next one.
	if _, err := s.DeleteMessage(ctx, alice.ID, last.ID); err != nil {
		t.Fatal(err)
	}
	if next := createMessage(t, s, alice.ID, "next"); next.ID <= last.ID {
		t.Errorf("message after deleting %d got ID %d, want a new ID", last.ID, next.ID)
	}
}

func TestUserByName(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	local := createUser(t, s, "Octocat")
	gh, err := s.UpsertIdentity(ctx, parley.Identity{Provider: "github", ProviderUserID: "1", DisplayName: "octocat"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"2", "3"} {
		if _, err := s.UpsertIdentity(ctx, parley.Identity{Provider: "gitlab", ProviderUserID: id, DisplayName: "twin"}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		provider, name string
		want           int64
		err            error
	}{
		{"", "octocat", local.ID, nil},
		{"", "OCTOCAT", local.ID, nil},
		{"github", "octocat", gh.ID, nil},
		{"github", "OctoCat", gh.ID, nil},
		{"google", "octocat", 0, parley.ErrNotFound},
		{"", "nobody", 0, parley.ErrNotFound},
		{"gitlab", "twin", 0, parley.ErrAmbiguousName},
	}
	for _, tt := range tests {
		u, err := s.UserByName(ctx, tt.provider, tt.name)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("UserByName(%q, %q) error = %v, want %v", tt.provider, tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || u.ID != tt.want {
			t.Errorf("UserByName(%q, %q) = user %d, %v; want user %d", tt.provider, tt.name, u.ID, err, tt.want)
		}
	}
}

func TestSetAdmin(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	alice, bob := createUser(t, s, "alice"), createUser(t, s, "bob")
	if err := s.CreateSession(ctx, []byte("alice-session"), alice.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	if err := s.SetAdmin(ctx, 0, alice.ID, true); err != nil {
		t.Fatalf("grant: %v", err)
	}
	if u, err := s.SessionUser(ctx, []byte("alice-session")); err != nil || !u.Admin {
		t.Errorf("alice's session user = %+v, %v; want an admin", u, err)
	}
	if u, _, err := s.UserByUsername(ctx, "bob"); err != nil || u.Admin {
		t.Errorf("bob = %+v, %v; want no admin", u, err)
	}
	if err := s.SetAdmin(ctx, 0, alice.ID, true); !errors.Is(err, parley.ErrNoChange) {
		t.Errorf("granting again: %v, want ErrNoChange", err)
	}
	if err := s.SetAdmin(ctx, alice.ID, bob.ID, true); err != nil {
		t.Fatal(err)
	}
	admins, err := s.Admins(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(admins) != 2 || admins[0].ID != alice.ID || admins[1].ID != bob.ID {
		t.Errorf("Admins = %+v, want alice and bob", admins)
	}
	if err := s.SetAdmin(ctx, 0, alice.ID, false); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if err := s.SetAdmin(ctx, 0, alice.ID, false); !errors.Is(err, parley.ErrNoChange) {
		t.Errorf("revoking again: %v, want ErrNoChange", err)
	}
	if err := s.SetAdmin(ctx, 0, 9999, true); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("granting an unknown user: %v, want ErrNotFound", err)
	}
	if admins, _ := s.Admins(ctx); len(admins) != 1 || admins[0].ID != bob.ID {
		t.Errorf("Admins after the revocation = %+v, want only bob", admins)
	}

	// Three changes, newest first; the command line is actor 0.
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
		t.Fatalf("log has %d actions, want %d: %+v", len(actions), len(want), actions)
	}
	for i, w := range want {
		if a := actions[i]; a.Kind != w.kind || a.Actor.ID != w.actor || a.Target.ID != w.target {
			t.Errorf("action %d = %s by %d on %d, want %s by %d on %d", i, a.Kind, a.Actor.ID, a.Target.ID, w.kind, w.actor, w.target)
		}
	}
	if a := actions[1]; a.Actor.Username != "alice" || a.Target.Username != "bob" {
		t.Errorf("action names %q on %q, want alice on bob", a.Actor.Username, a.Target.Username)
	}
}

func TestMuteEndsByTime(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	now := time.Date(2030, 1, 2, 15, 4, 0, 0, time.UTC)
	sqlite.SetClock(s, func() time.Time { return now })
	admin, alice := createUser(t, s, "admin"), createUser(t, s, "alice")

	if until, err := s.MutedUntil(ctx, alice.ID); err != nil || !until.IsZero() {
		t.Fatalf("MutedUntil before any mute = %v, %v; want zero", until, err)
	}
	end := now.Add(10 * time.Minute)
	if err := s.Mute(ctx, admin.ID, alice.ID, end); err != nil {
		t.Fatalf("Mute: %v", err)
	}
	if until, err := s.MutedUntil(ctx, alice.ID); err != nil || !until.Equal(end) {
		t.Errorf("MutedUntil = %v, %v; want %v", until, err, end)
	}
	mutes, err := s.Mutes(ctx)
	if err != nil || len(mutes) != 1 || mutes[0].User.ID != alice.ID || !mutes[0].Until.Equal(end) {
		t.Errorf("Mutes = %+v, %v; want alice until %v", mutes, err, end)
	}

	now = end // the mute is over at its end
	if until, err := s.MutedUntil(ctx, alice.ID); err != nil || !until.IsZero() {
		t.Errorf("MutedUntil at the end = %v, %v; want zero", until, err)
	}
	if mutes, _ := s.Mutes(ctx); len(mutes) != 0 {
		t.Errorf("Mutes after the end = %+v, want none", mutes)
	}
	if err := s.Unmute(ctx, admin.ID, alice.ID); !errors.Is(err, parley.ErrNoChange) {
		t.Errorf("Unmute of an ended mute: %v, want ErrNoChange", err)
	}

	// A new mute replaces the old row; Unmute ends it early.
	if err := s.Mute(ctx, admin.ID, alice.ID, now.Add(time.Hour)); err != nil {
		t.Fatalf("Mute again: %v", err)
	}
	if err := s.Unmute(ctx, admin.ID, alice.ID); err != nil {
		t.Fatalf("Unmute: %v", err)
	}
	if until, _ := s.MutedUntil(ctx, alice.ID); !until.IsZero() {
		t.Errorf("MutedUntil after Unmute = %v, want zero", until)
	}
	if err := s.Mute(ctx, admin.ID, 9999, now.Add(time.Hour)); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("muting an unknown user: %v, want ErrNotFound", err)
	}

	actions := recentActions(t, s)
	var kinds []parley.ActionKind
	for _, a := range actions {
		kinds = append(kinds, a.Kind)
	}
	if want := []parley.ActionKind{parley.ActionUnmute, parley.ActionMute, parley.ActionMute}; !slices.Equal(kinds, want) {
		t.Errorf("logged %q, want %q", kinds, want)
	}
	if !actions[2].Until.Equal(end) {
		t.Errorf("first mute logged until %v, want %v", actions[2].Until, end)
	}
}

func TestBanRevokesSessionsAndRefusesNewOnes(t *testing.T) {
	s := openStore(t)
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

	if err := s.Ban(ctx, admin.ID, mallory.ID); err != nil {
		t.Fatalf("Ban: %v", err)
	}
	for _, key := range []string{"mallory-1", "mallory-2"} {
		if _, err := s.SessionUser(ctx, []byte(key)); !errors.Is(err, parley.ErrNotFound) {
			t.Errorf("session %s after the ban: %v, want ErrNotFound", key, err)
		}
	}
	if _, err := s.SessionUser(ctx, []byte("admin-1")); err != nil {
		t.Errorf("the admin's own session after the ban: %v, want it kept", err)
	}
	if err := s.CreateSession(ctx, []byte("mallory-3"), mallory.ID, later); !errors.Is(err, parley.ErrBanned) {
		t.Errorf("new session for the banned user: %v, want ErrBanned", err)
	}
	if _, err := s.SessionUser(ctx, []byte("mallory-3")); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("refused session exists: %v", err)
	}
	if err := s.Ban(ctx, admin.ID, mallory.ID); !errors.Is(err, parley.ErrNoChange) {
		t.Errorf("banning again: %v, want ErrNoChange", err)
	}
	if err := s.Ban(ctx, admin.ID, 9999); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("banning an unknown user: %v, want ErrNotFound", err)
	}
	bans, err := s.Bans(ctx)
	if err != nil || len(bans) != 1 || bans[0].User.ID != mallory.ID || bans[0].Since.IsZero() {
		t.Errorf("Bans = %+v, %v; want mallory", bans, err)
	}

	if err := s.Unban(ctx, admin.ID, mallory.ID); err != nil {
		t.Fatalf("Unban: %v", err)
	}
	if err := s.CreateSession(ctx, []byte("mallory-4"), mallory.ID, later); err != nil {
		t.Errorf("session after the unban: %v, want one", err)
	}
	if err := s.Unban(ctx, admin.ID, mallory.ID); !errors.Is(err, parley.ErrNoChange) {
		t.Errorf("unbanning again: %v, want ErrNoChange", err)
	}
	if bans, _ := s.Bans(ctx); len(bans) != 0 {
		t.Errorf("Bans after the unban = %+v, want none", bans)
	}
	actions := recentActions(t, s)
	if len(actions) != 2 || actions[0].Kind != parley.ActionUnban || actions[1].Kind != parley.ActionBan ||
		actions[1].Actor.ID != admin.ID || actions[1].Target.ID != mallory.ID {
		t.Errorf("logged %+v, want the ban then the unban of mallory by admin", actions)
	}
}

func TestRecentActionsNewestFirstAndLimited(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	admin := createUser(t, s, "admin")
	var ids []int64
	for i := range 5 {
		m := createMessage(t, s, admin.ID, "m"+string(rune('0'+i)))
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
	for _, a := range actions {
		got = append(got, a.MessageID)
	}
	if want := []int64{ids[4], ids[3], ids[2]}; !slices.Equal(got, want) {
		t.Errorf("RecentActions(3) deleted messages %v, want %v", got, want)
	}
}

func TestAuthorAdminInMessages(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	admin := createUser(t, s, "admin")
	if err := s.SetAdmin(ctx, 0, admin.ID, true); err != nil {
		t.Fatal(err)
	}
	m := createMessage(t, s, admin.ID, "hello")
	if !m.AuthorAdmin {
		t.Errorf("CreateMessage by an admin: AuthorAdmin false, want true")
	}
	msgs, err := s.MessagesBefore(ctx, general, 0, 1)
	if err != nil || len(msgs) != 1 || !msgs[0].AuthorAdmin {
		t.Errorf("MessagesBefore = %+v, %v; want the admin's message marked", msgs, err)
	}
}
