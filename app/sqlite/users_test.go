package sqlite_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/sqlite"
)

func TestCreateUser(t *testing.T) {
	s := openStore(t)
	before := time.Now().Add(-time.Second)
	u := createUser(t, s, "Alice")
	if u.ID == 0 {
		t.Error("ID = 0, want an assigned ID")
	}
	if got, want := u.Username, "Alice"; got != want {
		t.Errorf("Username = %q, want %q", got, want)
	}
	if got, want := u.DisplayName, "Alice"; got != want {
		t.Errorf("DisplayName = %q, want %q", got, want)
	}
	if u.Provider != "" {
		t.Errorf("Provider = %q, want empty for a local account", u.Provider)
	}
	if u.CreatedAt.Location() != time.UTC || u.CreatedAt.Before(before) {
		t.Errorf("CreatedAt = %v, want a recent UTC time", u.CreatedAt)
	}
}

func TestCreateUserTakenInAnyCase(t *testing.T) {
	s := openStore(t)
	createUser(t, s, "Alice")
	for _, name := range []string{"Alice", "alice", "ALICE", "aLiCe"} {
		_, err := s.CreateUser(t.Context(), name, []byte("other"))
		if !errors.Is(err, parley.ErrUsernameTaken) {
			t.Errorf("CreateUser(%q) error = %v, want parley.ErrUsernameTaken", name, err)
		}
	}
	createUser(t, s, "Alice2") // a different name is still free
}

func TestCreateUserConcurrently(t *testing.T) {
	path := dbPath(t)
	// Two stores on one file behave like two processes.
	stores := []*sqlite.Store{openAt(t, path), openAt(t, path)}
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

func TestUserByUsername(t *testing.T) {
	s := openStore(t)
	want := createUser(t, s, "Carol")
	for _, name := range []string{"Carol", "carol", "CAROL"} {
		got, hash, err := s.UserByUsername(t.Context(), name)
		if err != nil {
			t.Fatalf("UserByUsername(%q): %v", name, err)
		}
		if got != want {
			t.Errorf("UserByUsername(%q) = %+v, want %+v", name, got, want)
		}
		if got, want := string(hash), "hash-of-Carol"; got != want {
			t.Errorf("UserByUsername(%q) hash = %q, want %q", name, got, want)
		}
	}
}

func TestUserByUsernameNotFound(t *testing.T) {
	s := openStore(t)
	createUser(t, s, "dave")
	_, err := s.UpsertIdentity(t.Context(), parley.Identity{
		Provider: "github", ProviderUserID: "7", DisplayName: "octocat",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"nobody", "dav", "octocat", ""} {
		_, _, err := s.UserByUsername(t.Context(), name)
		assertNotFound(t, fmt.Sprintf("UserByUsername(%q)", name), err)
	}
}

func TestRecordLogin(t *testing.T) {
	s := openStore(t)
	u := createUser(t, s, "erin")
	if got, want := loginCount(t, s, u.ID), int64(0); got != want {
		t.Errorf("login count after CreateUser = %d, want %d", got, want)
	}
	for range 2 {
		if err := s.RecordLogin(t.Context(), u.ID); err != nil {
			t.Fatalf("RecordLogin: %v", err)
		}
	}
	count, last, err := sqlite.LoginStats(t.Context(), s, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := count, int64(2); got != want {
		t.Errorf("login count = %d, want %d", got, want)
	}
	if last.Location() != time.UTC || time.Since(last) > time.Minute {
		t.Errorf("last login = %v, want a recent UTC time", last)
	}
	assertNotFound(t, "RecordLogin(unknown user)", s.RecordLogin(t.Context(), u.ID+100))
}
