// Package storetest is the contract every parley.Store adapter keeps: one
// suite of tests, run by each adapter's own tests against a real database
// (app/sqlite on a file, app/postgres on a fresh schema), so that the
// adapters behave alike and Parley cannot tell which one it runs on.
//
// An adapter's test calls Run with a Backend:
//
//	func TestStoreContract(t *testing.T) {
//		storetest.Run(t, storetest.Backend{Name: "sqlite", NewDatabase: ..., LoginStats: ..., SetClock: ...})
//	}
//
// A new Store method gets its tests here, in the file of its topic, listed
// in Run's table; both adapters then run them.
package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// Opener opens a Store on one database. Each call opens another Store on
// the same database, as another process or instance would, and closes it
// when the test ends.
type Opener func(t *testing.T) parley.Store

// Backend is what the suite needs from an adapter.
type Backend struct {
	// Name is the adapter's package name, with which every error it
	// returns starts ("sqlite", "postgres").
	Name string
	// NewDatabase creates an empty, migrated-on-open database for one test
	// and returns how to open stores on it.
	NewDatabase func(t *testing.T) Opener
	// LoginStats reads a user's sign-in count and last sign-in time, which
	// parley.Store does not expose.
	LoginStats func(t *testing.T, s parley.Store, userID int64) (count int64, last time.Time)
	// SetClock replaces the clock of s, a store that NewDatabase's Opener
	// opened, before it is used concurrently, so that a test can let time
	// pass (mutes run out). The clock's times are whole seconds in UTC,
	// which every adapter stores exactly.
	SetClock func(t *testing.T, s parley.Store, now func() time.Time)
}

// test is one test of the contract.
type test struct {
	name string
	run  func(t *testing.T, b Backend)
}

// tests is the whole contract, by topic.
func tests() []test {
	var all []test
	for _, topic := range [][]test{storeTests, userTests, identityTests, sessionTests, roomTests, membershipTests, messageTests, oauthTests, moderationTests} {
		all = append(all, topic...)
	}
	return all
}

// Run runs the whole contract against b, each test on a fresh database.
func Run(t *testing.T, b Backend) {
	t.Helper()
	if b.Name == "" || b.NewDatabase == nil || b.LoginStats == nil || b.SetClock == nil {
		t.Fatal("storetest: Backend needs a Name, NewDatabase, LoginStats and SetClock")
	}
	for _, tt := range tests() {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, b) })
	}
}

// open opens a store on a fresh database.
func (b Backend) open(t *testing.T) parley.Store {
	t.Helper()
	return b.NewDatabase(t)(t)
}

// assertNotFound fails unless err wraps parley.ErrNotFound and starts with
// the adapter's name.
func (b Backend) assertNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("%s: error = %v, want parley.ErrNotFound", what, err)
	}
	b.assertPrefix(t, what, err)
}

// assertPrefix fails unless err, when not nil, starts with the adapter's
// name.
func (b Backend) assertPrefix(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil && !strings.HasPrefix(err.Error(), b.Name+": ") {
		t.Errorf("%s: error %q does not start with %q", what, err, b.Name+": ")
	}
}

// assertRecentUTC fails unless tm is in UTC and within a minute of now.
func assertRecentUTC(t *testing.T, what string, tm time.Time) {
	t.Helper()
	if tm.Location() != time.UTC || time.Since(tm) > time.Minute || time.Until(tm) > time.Minute {
		t.Errorf("%s = %v, want a recent UTC time", what, tm)
	}
}

// createUser creates a local account with a fixed password hash.
func createUser(t *testing.T, s parley.Store, name string) parley.User {
	t.Helper()
	u, err := s.CreateUser(t.Context(), name, []byte("hash-of-"+name))
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", name, err)
	}
	return u
}

// upsertIdentity signs in through a provider and fails the test on error.
func upsertIdentity(t *testing.T, s parley.Store, id parley.Identity) parley.User {
	t.Helper()
	u, err := s.UpsertIdentity(t.Context(), id)
	if err != nil {
		t.Fatalf("UpsertIdentity(%s %s): %v", id.Provider, id.ProviderUserID, err)
	}
	return u
}

// createRoom creates a room and fails the test when that fails.
func createRoom(t *testing.T, s parley.Store, name string, createdBy int64) parley.Room {
	t.Helper()
	r, err := s.CreateRoom(t.Context(), name, createdBy)
	if err != nil {
		t.Fatalf("CreateRoom(%q, %d): %v", name, createdBy, err)
	}
	return r
}

// general returns the room every database starts with.
func general(t *testing.T, s parley.Store) parley.Room {
	t.Helper()
	r, err := s.RoomByName(t.Context(), parley.DefaultRoom)
	if err != nil {
		t.Fatalf("RoomByName(%q): %v", parley.DefaultRoom, err)
	}
	return r
}

// createMessage stores a message and fails the test when that fails.
func createMessage(t *testing.T, s parley.Store, roomID, userID int64, text string) parley.Message {
	t.Helper()
	m, err := s.CreateMessage(t.Context(), roomID, userID, text)
	if err != nil {
		t.Fatalf("CreateMessage(room %d, user %d): %v", roomID, userID, err)
	}
	return m
}

// messagesBefore reads a page of a room and fails the test on error.
func messagesBefore(t *testing.T, s parley.Store, roomID, before int64, limit int) []parley.Message {
	t.Helper()
	got, err := s.MessagesBefore(t.Context(), roomID, before, limit)
	if err != nil {
		t.Fatalf("MessagesBefore(room %d, before %d, limit %d): %v", roomID, before, limit, err)
	}
	return got
}

// assertMessages compares messages field by field, times included.
func assertMessages(t *testing.T, got, want []parley.Message) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d messages %v, want %d %v", len(got), messageIDs(got), len(want), messageIDs(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.CreatedAt.Equal(w.CreatedAt) || g.CreatedAt.Location() != time.UTC {
			t.Errorf("message %d CreatedAt = %v, want %v in UTC", i, g.CreatedAt, w.CreatedAt)
		}
		g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
		if g != w {
			t.Errorf("message %d = %+v, want %+v", i, g, w)
		}
	}
}

// messageIDs lists the messages' IDs in their order.
func messageIDs(messages []parley.Message) []int64 {
	ids := make([]int64, 0, len(messages))
	for _, m := range messages {
		ids = append(ids, m.ID)
	}
	return ids
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

// assertUser compares users field by field, times included.
func assertUser(t *testing.T, what string, got, want parley.User) {
	t.Helper()
	if !got.CreatedAt.Equal(want.CreatedAt) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("%s CreatedAt = %v, want %v in UTC", what, got.CreatedAt, want.CreatedAt)
	}
	got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
	if got != want {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}
