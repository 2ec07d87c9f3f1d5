package storetest

import (
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

var sessionTests = []test{
	{"Sessions", testSessions},
	{"SessionSeenByAnotherStore", testSessionSeenByAnotherStore},
	{"SessionUserShowsCurrentName", testSessionUserShowsCurrentName},
	{"DeleteSession", testDeleteSession},
	{"CreateSessionUnknownUser", testCreateSessionUnknownUser},
	{"CreateSessionRefusesEmptyOrTakenKey", testCreateSessionRefusesBadKey},
	{"DeleteExpiredKeepsLiveSessions", testDeleteExpiredSessions},
}

func testSessions(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	ctx := t.Context()
	now := time.Now()
	sessions := []struct {
		hash    string
		user    parley.User
		expires time.Time
		valid   bool
	}{
		{"alice-1", alice, now.Add(time.Hour), true},
		{"alice-2", alice, now.Add(24 * time.Hour), true},
		{"bob-1", bob, now.Add(time.Minute), true},
		{"bob-expired", bob, now.Add(-time.Second), false},
	}
	for _, ss := range sessions {
		if err := s.CreateSession(ctx, []byte(ss.hash), ss.user.ID, ss.expires); err != nil {
			t.Fatalf("CreateSession(%s): %v", ss.hash, err)
		}
	}
	for _, ss := range sessions {
		u, err := s.SessionUser(ctx, []byte(ss.hash))
		if !ss.valid {
			b.assertNotFound(t, "SessionUser("+ss.hash+")", err)
			continue
		}
		if err != nil {
			t.Errorf("SessionUser(%s): %v", ss.hash, err)
			continue
		}
		assertUser(t, "SessionUser("+ss.hash+")", u, ss.user)
	}
	for _, hash := range []string{"unknown", "alice", "alice-1 ", ""} {
		_, err := s.SessionUser(ctx, []byte(hash))
		b.assertNotFound(t, "SessionUser("+hash+")", err)
	}
}

// testSessionSeenByAnotherStore signs in on one store (instance A) and
// finds the session on another (instance B), and a sign-out on B ends it
// on A.
func testSessionSeenByAnotherStore(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	a, other := open(t), open(t)
	u := createUser(t, a, "alice")
	if err := a.CreateSession(t.Context(), []byte("sid"), u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := other.SessionUser(t.Context(), []byte("sid"))
	if err != nil {
		t.Fatalf("SessionUser on another store: %v", err)
	}
	assertUser(t, "SessionUser on another store", got, u)
	if err := other.DeleteSession(t.Context(), []byte("sid")); err != nil {
		t.Fatal(err)
	}
	_, err = a.SessionUser(t.Context(), []byte("sid"))
	b.assertNotFound(t, "SessionUser after DeleteSession on another store", err)
}

func testSessionUserShowsCurrentName(t *testing.T, b Backend) {
	s := b.open(t)
	id := parley.Identity{Provider: "gitlab", ProviderUserID: "5", DisplayName: "Old", AvatarURL: "https://a.example/1"}
	u := upsertIdentity(t, s, id)
	if err := s.CreateSession(t.Context(), []byte("sid"), u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	id.DisplayName, id.AvatarURL = "New", "https://a.example/2"
	renamed := upsertIdentity(t, s, id)
	got, err := s.SessionUser(t.Context(), []byte("sid"))
	if err != nil {
		t.Fatal(err)
	}
	assertUser(t, "SessionUser after a rename", got, renamed)
}

func testDeleteSession(t *testing.T, b Backend) {
	s := b.open(t)
	u := createUser(t, s, "alice")
	ctx := t.Context()
	for _, h := range []string{"one", "two"} {
		if err := s.CreateSession(ctx, []byte(h), u.ID, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteSession(ctx, []byte("one")); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	_, err := s.SessionUser(ctx, []byte("one"))
	b.assertNotFound(t, "SessionUser after DeleteSession", err)
	if _, err := s.SessionUser(ctx, []byte("two")); err != nil {
		t.Errorf("other session after DeleteSession: %v", err)
	}
	for _, h := range []string{"one", "never", ""} {
		if err := s.DeleteSession(ctx, []byte(h)); err != nil {
			t.Errorf("DeleteSession(%q) of a missing session: %v", h, err)
		}
	}
}

func testCreateSessionUnknownUser(t *testing.T, b Backend) {
	s := b.open(t)
	for _, id := range []int64{12345, 0, -1} {
		err := s.CreateSession(t.Context(), []byte("orphan"), id, time.Now().Add(time.Hour))
		b.assertNotFound(t, "CreateSession(unknown user)", err)
	}
	_, err := s.SessionUser(t.Context(), []byte("orphan"))
	b.assertNotFound(t, "SessionUser of a refused session", err)
}

func testCreateSessionRefusesBadKey(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	ctx := t.Context()
	for _, key := range [][]byte{nil, {}} {
		err := s.CreateSession(ctx, key, alice.ID, time.Now().Add(time.Hour))
		if err == nil {
			t.Errorf("CreateSession(%q) succeeded, want an error", key)
		}
		b.assertPrefix(t, "CreateSession(empty key)", err)
	}
	if err := s.CreateSession(ctx, []byte("sid"), alice.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A second session under the same key must not take the first over.
	err := s.CreateSession(ctx, []byte("sid"), bob.ID, time.Now().Add(time.Hour))
	if err == nil {
		t.Error("CreateSession under a key in use succeeded, want an error")
	}
	b.assertPrefix(t, "CreateSession(key in use)", err)
	got, err := s.SessionUser(ctx, []byte("sid"))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != alice.ID {
		t.Errorf("session belongs to user %d after a refused reuse, want %d", got.ID, alice.ID)
	}
}

func testDeleteExpiredSessions(t *testing.T, b Backend) {
	s := b.open(t)
	u := createUser(t, s, "alice")
	ctx := t.Context()
	if err := s.CreateSession(ctx, []byte("live"), u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, []byte("dead"), u.ID, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteExpired(ctx); err != nil {
		t.Fatalf("DeleteExpired: %v", err)
	}
	if _, err := s.SessionUser(ctx, []byte("live")); err != nil {
		t.Errorf("live session after DeleteExpired: %v", err)
	}
	// The expired session's key is free again only if it is gone.
	if err := s.CreateSession(ctx, []byte("dead"), u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Errorf("CreateSession reusing an expired, deleted key: %v", err)
	}
	if err := s.DeleteExpired(ctx); err != nil {
		t.Errorf("DeleteExpired with nothing expired: %v", err)
	}
}
