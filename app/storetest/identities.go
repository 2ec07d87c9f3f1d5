package storetest

import (
	"sync"
	"testing"

	"github.com/parleychat/parley/app/parley"
)

var identityTests = []test{
	{"UpsertIdentityCreatesThenReuses", testUpsertIdentityCreatesThenReuses},
	{"UpsertIdentityEmptyNameKeepsStoredName", testUpsertIdentityEmptyName},
	{"UpsertIdentityDoesNotMergeByEmail", testUpsertIdentityDoesNotMergeByEmail},
	{"UpsertIdentityBesideLocalUser", testUpsertIdentityBesideLocalUser},
	{"UpsertIdentityRefusesEmpty", testUpsertIdentityRefusesEmpty},
	{"UpsertIdentityConcurrentlyOnTwoStores", testUpsertIdentityConcurrently},
}

func testUpsertIdentityCreatesThenReuses(t *testing.T, b Backend) {
	s := b.open(t)
	id := parley.Identity{
		Provider:       "github",
		ProviderUserID: "583231",
		DisplayName:    "The Octocat",
		Email:          "octocat@example.com",
		AvatarURL:      "https://avatars.example.com/1",
	}
	first := upsertIdentity(t, s, id)
	if first.ID == 0 {
		t.Fatal("first UpsertIdentity: ID = 0, want an assigned ID")
	}
	assertRecentUTC(t, "CreatedAt", first.CreatedAt)
	want := parley.User{
		ID: first.ID, DisplayName: "The Octocat", Provider: "github",
		AvatarURL: "https://avatars.example.com/1", CreatedAt: first.CreatedAt,
	}
	assertUser(t, "first UpsertIdentity", first, want)
	if count, last := b.LoginStats(t, s, first.ID); count != 1 {
		t.Errorf("login count after first sign-in = %d, want 1", count)
	} else {
		assertRecentUTC(t, "last login", last)
	}

	id.DisplayName = "Octocat Renamed"
	id.AvatarURL = "https://avatars.example.com/2"
	second := upsertIdentity(t, s, id)
	want.DisplayName, want.AvatarURL = id.DisplayName, id.AvatarURL
	assertUser(t, "second UpsertIdentity", second, want)
	if count, _ := b.LoginStats(t, s, second.ID); count != 2 {
		t.Errorf("login count after second sign-in = %d, want 2", count)
	}
}

func testUpsertIdentityEmptyName(t *testing.T, b Backend) {
	s := b.open(t)
	id := parley.Identity{Provider: "oidc", ProviderUserID: "sub-1"}
	if got, want := upsertIdentity(t, s, id).DisplayName, "sub-1"; got != want {
		t.Errorf("display name without a name = %q, want %q", got, want)
	}
	id.DisplayName = "Zoe"
	upsertIdentity(t, s, id)
	id.DisplayName = ""
	if got, want := upsertIdentity(t, s, id).DisplayName, "Zoe"; got != want {
		t.Errorf("display name after a sign-in without a name = %q, want %q", got, want)
	}
}

func testUpsertIdentityDoesNotMergeByEmail(t *testing.T, b Backend) {
	s := b.open(t)
	ids := []parley.Identity{
		{Provider: "github", ProviderUserID: "42", DisplayName: "sam", Email: "sam@example.com"},
		{Provider: "gitlab", ProviderUserID: "42", DisplayName: "sam", Email: "sam@example.com"},
		{Provider: "google", ProviderUserID: "1001", DisplayName: "Sam", Email: "sam@example.com"},
	}
	seen := map[int64]string{}
	for _, id := range ids {
		u := upsertIdentity(t, s, id)
		if other, ok := seen[u.ID]; ok {
			t.Errorf("%s and %s identities share user %d, want separate users", other, id.Provider, u.ID)
		}
		seen[u.ID] = id.Provider
		if got, want := u.Provider, id.Provider; got != want {
			t.Errorf("Provider = %q, want %q", got, want)
		}
	}
}

func testUpsertIdentityBesideLocalUser(t *testing.T, b Backend) {
	s := b.open(t)
	local := createUser(t, s, "octocat")
	remote := upsertIdentity(t, s, parley.Identity{Provider: "github", ProviderUserID: "1", DisplayName: "octocat"})
	if remote.ID == local.ID {
		t.Errorf("OAuth user took the local user's ID %d", local.ID)
	}
	if remote.Username != "" {
		t.Errorf("OAuth user Username = %q, want empty", remote.Username)
	}
	got, _, err := s.UserByUsername(t.Context(), "octocat")
	if err != nil {
		t.Fatalf("UserByUsername(octocat) beside an OAuth octocat: %v", err)
	}
	assertUser(t, "local octocat", got, local)
}

func testUpsertIdentityRefusesEmpty(t *testing.T, b Backend) {
	s := b.open(t)
	for _, id := range []parley.Identity{
		{Provider: "", ProviderUserID: "1", DisplayName: "x"},
		{Provider: "github", ProviderUserID: "", DisplayName: "x"},
	} {
		u, err := s.UpsertIdentity(t.Context(), id)
		if err == nil {
			t.Errorf("UpsertIdentity(%+v) succeeded, want an error", id)
		}
		b.assertPrefix(t, "UpsertIdentity(empty)", err)
		if u != (parley.User{}) {
			t.Errorf("UpsertIdentity(%+v) = %+v, want the zero User", id, u)
		}
	}
}

// testUpsertIdentityConcurrently finishes one person's first sign-in
// several times at once on two stores, as two tabs returning to two
// instances would: every call succeeds, with the same single user.
func testUpsertIdentityConcurrently(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	stores := []parley.Store{open(t), open(t)}
	id := parley.Identity{Provider: "github", ProviderUserID: "99", DisplayName: "twice"}
	const n = 8
	users := make([]parley.User, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { users[i], errs[i] = stores[i%2].UpsertIdentity(t.Context(), id) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("UpsertIdentity %d: %v", i, err)
		}
		if users[i].ID != users[0].ID {
			t.Errorf("UpsertIdentity %d made user %d, another made %d: want one user", i, users[i].ID, users[0].ID)
		}
	}
	if count, _ := b.LoginStats(t, stores[0], users[0].ID); count != n {
		t.Errorf("login count after %d sign-ins = %d, want %d", n, count, n)
	}
}
