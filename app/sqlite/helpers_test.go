package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

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

// createUser creates a local account with a fixed password hash.
func createUser(t *testing.T, s *sqlite.Store, name string) parley.User {
	t.Helper()
	u, err := s.CreateUser(t.Context(), name, []byte("hash-of-"+name))
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", name, err)
	}
	return u
}

// general is the ID of the room that every database starts with.
const general int64 = 1

// assertMessages compares messages field by field, times included.
func assertMessages(t *testing.T, got, want []parley.Message) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].CreatedAt.Equal(want[i].CreatedAt) || got[i].CreatedAt.Location() != time.UTC {
			t.Errorf("message %d CreatedAt = %v, want %v in UTC", i, got[i].CreatedAt, want[i].CreatedAt)
		}
		g, w := got[i], want[i]
		g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
		if g != w {
			t.Errorf("message %d = %+v, want %+v", i, g, w)
		}
	}
}

// assertRooms compares rooms field by field, times included.
func assertRooms(t *testing.T, got, want []parley.Room) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rooms %q, want %d %q", len(got), roomNames(got), len(want), roomNames(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.CreatedAt.Equal(w.CreatedAt) || g.CreatedAt.Location() != time.UTC {
			t.Errorf("room %d CreatedAt = %v, want %v in UTC", i, g.CreatedAt, w.CreatedAt)
		}
		g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
		if g != w {
			t.Errorf("room %d = %+v, want %+v", i, g, w)
		}
	}
}

// roomNames lists the rooms' names in their order.
func roomNames(rooms []parley.Room) []string {
	names := make([]string, 0, len(rooms))
	for _, r := range rooms {
		names = append(names, r.Name)
	}
	return names
}
