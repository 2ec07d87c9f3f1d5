package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/sqlite"
)

// dbPath is a fresh database file in the test's temporary directory.
func dbPath(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "parley.db")
}

// openAt opens the store at databaseURL and closes it when the test ends.
func openAt(t *testing.T, databaseURL string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), databaseURL)
	if err != nil {
		t.Fatalf("Open(%q): %v", databaseURL, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// openStore opens a store on a fresh file.
func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	return openAt(t, "file:"+dbPath(t))
}

// createUser creates a local account with a fixed password hash.
func createUser(t *testing.T, s *sqlite.Store, name string) parley.User {
	t.Helper()
	u, err := s.CreateUser(t.Context(), name, []byte("hash-of-"+name))
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", name, err)
	}
	return u
}

// loginCount returns the user's sign-in count.
func loginCount(t *testing.T, s *sqlite.Store, userID int64) int64 {
	t.Helper()
	n, _, err := sqlite.LoginStats(context.Background(), s, userID)
	if err != nil {
		t.Fatalf("LoginStats(%d): %v", userID, err)
	}
	return n
}

// general is the ID of the room that every database starts with.
const general int64 = 1

// createRoom creates a room and fails the test when that fails.
func createRoom(t *testing.T, s *sqlite.Store, name string, createdBy int64) parley.Room {
	t.Helper()
	r, err := s.CreateRoom(t.Context(), name, createdBy)
	if err != nil {
		t.Fatalf("CreateRoom(%q, %d): %v", name, createdBy, err)
	}
	return r
}
