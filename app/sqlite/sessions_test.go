package sqlite_test

import (
	"testing"
	"time"
)

func TestSessions(t *testing.T) {
	s := openStore(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	ctx := t.Context()
	now := time.Now()

	sessions := []struct {
		hash    string
		userID  int64
		expires time.Time
		valid   bool
	}{
		{"alice-1", alice.ID, now.Add(time.Hour), true},
		{"alice-2", alice.ID, now.Add(24 * time.Hour), true},
		{"bob-1", bob.ID, now.Add(time.Minute), true},
		{"bob-expired", bob.ID, now.Add(-time.Second), false},
	}
	for _, ss := range sessions {
		if err := s.CreateSession(ctx, []byte(ss.hash), ss.userID, ss.expires); err != nil {
			t.Fatalf("CreateSession(%s): %v", ss.hash, err)
		}
	}
	for _, ss := range sessions {
		u, err := s.SessionUser(ctx, []byte(ss.hash))
		if !ss.valid {
			assertNotFound(t, "SessionUser("+ss.hash+")", err)
			continue
		}
		if err != nil {
			t.Errorf("SessionUser(%s): %v", ss.hash, err)
			continue
		}
		if got, want := u.ID, ss.userID; got != want {
			t.Errorf("SessionUser(%s).ID = %d, want %d", ss.hash, got, want)
		}
	}
	_, err := s.SessionUser(ctx, []byte("unknown"))
	assertNotFound(t, "SessionUser(unknown)", err)
}

func TestDeleteSession(t *testing.T) {
	s := openStore(t)
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
	assertNotFound(t, "SessionUser after DeleteSession", err)
	if _, err := s.SessionUser(ctx, []byte("two")); err != nil {
		t.Errorf("other session after DeleteSession: %v", err)
	}
	if err := s.DeleteSession(ctx, []byte("one")); err != nil {
		t.Errorf("DeleteSession of a missing session: %v", err)
	}
}

func TestCreateSessionUnknownUser(t *testing.T) {
	s := openStore(t)
	err := s.CreateSession(t.Context(), []byte("orphan"), 12345, time.Now().Add(time.Hour))
	assertNotFound(t, "CreateSession(unknown user)", err)
}

func TestDeleteExpiredKeepsLiveSessions(t *testing.T) {
	s := openStore(t)
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
	// The expired session's hash is free again once it is gone.
	if err := s.CreateSession(ctx, []byte("dead"), u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Errorf("CreateSession reusing an expired, deleted hash: %v", err)
	}
}
