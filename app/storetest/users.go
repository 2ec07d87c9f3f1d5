package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

var userTests = []test{
	{"CreateUser", testCreateUser},
	{"CreateUserRefusesEmpty", testCreateUserRefusesEmpty},
	{"CreateUserTakenInAnyCase", testCreateUserTakenInAnyCase},
	{"CreateUserConcurrentlyOnTwoStores", testCreateUserConcurrently},
	{"UserByUsername", testUserByUsername},
	{"UserByUsernameNotFound", testUserByUsernameNotFound},
	{"RecordLogin", testRecordLogin},
	{"SetPreferences", testSetPreferences},
	{"SetPreferencesUnknownUser", testSetPreferencesUnknownUser},
}

func testCreateUser(t *testing.T, b Backend) {
	s := b.open(t)
	before := time.Now().Add(-time.Second)
	u := createUser(t, s, "Alice")
	if u.ID == 0 {
		t.Error("ID = 0, want an assigned ID")
	}
	want := parley.User{ID: u.ID, Username: "Alice", DisplayName: "Alice", CreatedAt: u.CreatedAt}
	assertUser(t, "CreateUser", u, want)
	assertRecentUTC(t, "CreatedAt", u.CreatedAt)
	if u.CreatedAt.Before(before) {
		t.Errorf("CreatedAt = %v, before the call", u.CreatedAt)
	}
	if other := createUser(t, s, "bob"); other.ID == u.ID {
		t.Errorf("second user has the first's ID %d", u.ID)
	}
}

func testCreateUserRefusesEmpty(t *testing.T, b Backend) {
	s := b.open(t)
	for _, c := range []struct {
		name string
		hash []byte
	}{{"", []byte("hash")}, {"carol", nil}, {"carol", []byte{}}} {
		u, err := s.CreateUser(t.Context(), c.name, c.hash)
		if err == nil {
			t.Errorf("CreateUser(%q, %q) succeeded, want an error", c.name, c.hash)
		}
		b.assertPrefix(t, "CreateUser(empty)", err)
		if u != (parley.User{}) {
			t.Errorf("CreateUser(%q, %q) = %+v, want the zero User", c.name, c.hash, u)
		}
	}
	// Nothing was stored: the name is free.
	createUser(t, s, "carol")
}

func testCreateUserTakenInAnyCase(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "Alice")
	for _, name := range []string{"Alice", "alice", "ALICE", "aLiCe"} {
		u, err := s.CreateUser(t.Context(), name, []byte("other"))
		if !errors.Is(err, parley.ErrUsernameTaken) {
			t.Errorf("CreateUser(%q) error = %v, want parley.ErrUsernameTaken", name, err)
		}
		b.assertPrefix(t, "CreateUser(taken)", err)
		if u != (parley.User{}) {
			t.Errorf("CreateUser(%q) taken = %+v, want the zero User", name, u)
		}
	}
	// The first account keeps its password hash.
	got, hash, err := s.UserByUsername(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != alice.ID || string(hash) != "hash-of-Alice" {
		t.Errorf("after refused duplicates: user %d with hash %q, want %d with %q", got.ID, hash, alice.ID, "hash-of-Alice")
	}
	createUser(t, s, "Alice2") // a different name is still free
}

// testCreateUserConcurrently registers one name in four spellings at once
// on two stores (two instances): exactly one account results.
func testCreateUserConcurrently(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	stores := []parley.Store{open(t), open(t)}
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			name := []string{"bob", "Bob", "BOB", "boB"}[i%4]
			_, errs[i] = stores[i%2].CreateUser(t.Context(), name, []byte(fmt.Sprint("hash", i)))
		})
	}
	wg.Wait()
	created := 0
	for i, err := range errs {
		switch {
		case err == nil:
			created++
		case !errors.Is(err, parley.ErrUsernameTaken):
			t.Errorf("CreateUser %d: error = %v, want nil or parley.ErrUsernameTaken", i, err)
		}
	}
	if got, want := created, 1; got != want {
		t.Errorf("%d of %d concurrent CreateUser calls succeeded, want %d", got, n, want)
	}
}

func testUserByUsername(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	s, other := open(t), open(t)
	want := createUser(t, s, "Carol")
	for _, st := range []parley.Store{s, other} {
		for _, name := range []string{"Carol", "carol", "CAROL"} {
			got, hash, err := st.UserByUsername(t.Context(), name)
			if err != nil {
				t.Fatalf("UserByUsername(%q): %v", name, err)
			}
			assertUser(t, fmt.Sprintf("UserByUsername(%q)", name), got, want)
			if got, want := string(hash), "hash-of-Carol"; got != want {
				t.Errorf("UserByUsername(%q) hash = %q, want %q", name, got, want)
			}
		}
	}
}

func testUserByUsernameNotFound(t *testing.T, b Backend) {
	s := b.open(t)
	createUser(t, s, "dave")
	upsertIdentity(t, s, parley.Identity{Provider: "github", ProviderUserID: "7", DisplayName: "octocat"})
	// No prefixes, no patterns, and no account that has no password.
	for _, name := range []string{"nobody", "dav", "dave ", "d%", "d_ve", "octocat", "7", ""} {
		u, hash, err := s.UserByUsername(t.Context(), name)
		b.assertNotFound(t, fmt.Sprintf("UserByUsername(%q)", name), err)
		if u != (parley.User{}) || hash != nil {
			t.Errorf("UserByUsername(%q) = %+v, %q; want the zero User and no hash", name, u, hash)
		}
	}
}

func testRecordLogin(t *testing.T, b Backend) {
	s := b.open(t)
	u := createUser(t, s, "erin")
	if count, _ := b.LoginStats(t, s, u.ID); count != 0 {
		t.Errorf("login count after CreateUser = %d, want 0", count)
	}
	for range 2 {
		if err := s.RecordLogin(t.Context(), u.ID); err != nil {
			t.Fatalf("RecordLogin: %v", err)
		}
	}
	count, last := b.LoginStats(t, s, u.ID)
	if got, want := count, int64(2); got != want {
		t.Errorf("login count = %d, want %d", got, want)
	}
	assertRecentUTC(t, "last login", last)
	b.assertNotFound(t, "RecordLogin(unknown user)", s.RecordLogin(t.Context(), u.ID+100))
}

// testSetPreferences: a person's language and time zone are kept, every
// read of the account returns them (the session's included, which is how
// pages learn them), on another store of the database too, and they can be
// cleared again.
func testSetPreferences(t *testing.T, b Backend) {
	db := b.NewDatabase(t)
	s, other := db(t), db(t)
	ana := createUser(t, s, "ana")
	createUser(t, s, "bo")
	if ana.Language != "" || ana.TimeZone != "" {
		t.Fatalf("new user: language %q, time zone %q, want both empty", ana.Language, ana.TimeZone)
	}
	if err := s.SetPreferences(t.Context(), ana.ID, "es", "America/Mexico_City"); err != nil {
		t.Fatalf("SetPreferences: %v", err)
	}
	hash := []byte("session-of-ana-0123456789abcdef")
	if err := s.CreateSession(t.Context(), hash, ana.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _, err := other.UserByUsername(t.Context(), "ana")
	if err != nil {
		t.Fatal(err)
	}
	if got.Language != "es" || got.TimeZone != "America/Mexico_City" {
		t.Errorf("UserByUsername: language %q, time zone %q, want es, America/Mexico_City", got.Language, got.TimeZone)
	}
	got, err = other.SessionUser(t.Context(), hash)
	if err != nil {
		t.Fatal(err)
	}
	if got.Language != "es" || got.TimeZone != "America/Mexico_City" {
		t.Errorf("SessionUser: language %q, time zone %q, want es, America/Mexico_City", got.Language, got.TimeZone)
	}
	if got, _, _ := s.UserByUsername(t.Context(), "bo"); got.Language != "" || got.TimeZone != "" {
		t.Errorf("bo, who chose nothing: language %q, time zone %q, want both empty", got.Language, got.TimeZone)
	}
	if err := other.SetPreferences(t.Context(), ana.ID, "", ""); err != nil {
		t.Fatalf("SetPreferences to nothing: %v", err)
	}
	if got, _ = s.SessionUser(t.Context(), hash); got.Language != "" || got.TimeZone != "" {
		t.Errorf("after clearing: language %q, time zone %q, want both empty", got.Language, got.TimeZone)
	}
}

func testSetPreferencesUnknownUser(t *testing.T, b Backend) {
	s := b.open(t)
	b.assertNotFound(t, "SetPreferences of an unknown user", s.SetPreferences(t.Context(), 4242, "es", "UTC"))
}
