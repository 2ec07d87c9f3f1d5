package sqlite_test

import (
	"testing"

	"github.com/parleychat/parley/app/parley"
)

func TestUpsertIdentityCreatesThenReuses(t *testing.T) {
	s := openStore(t)
	id := parley.Identity{
		Provider:       "github",
		ProviderUserID: "583231",
		DisplayName:    "The Octocat",
		Email:          "octocat@example.com",
		AvatarURL:      "https://avatars.example.com/1",
	}
	first, err := s.UpsertIdentity(t.Context(), id)
	if err != nil {
		t.Fatalf("first UpsertIdentity: %v", err)
	}
	want := parley.User{
		ID: first.ID, DisplayName: "The Octocat", Provider: "github",
		AvatarURL: "https://avatars.example.com/1", CreatedAt: first.CreatedAt,
	}
	if first != want {
		t.Errorf("first UpsertIdentity = %+v, want %+v", first, want)
	}
	if got, want := loginCount(t, s, first.ID), int64(1); got != want {
		t.Errorf("login count after first sign-in = %d, want %d", got, want)
	}

	id.DisplayName = "Octocat Renamed"
	id.AvatarURL = "https://avatars.example.com/2"
	second, err := s.UpsertIdentity(t.Context(), id)
	if err != nil {
		t.Fatalf("second UpsertIdentity: %v", err)
	}
	want.DisplayName, want.AvatarURL = id.DisplayName, id.AvatarURL
	if second != want {
		t.Errorf("second UpsertIdentity = %+v, want %+v", second, want)
	}
	if got, want := loginCount(t, s, second.ID), int64(2); got != want {
		t.Errorf("login count after second sign-in = %d, want %d", got, want)
	}
}

func TestUpsertIdentityEmptyNameKeepsStoredName(t *testing.T) {
	s := openStore(t)
	id := parley.Identity{Provider: "oidc", ProviderUserID: "sub-1"}
	first, err := s.UpsertIdentity(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := first.DisplayName, "sub-1"; got != want {
		t.Errorf("display name without a name = %q, want %q", got, want)
	}
	id.DisplayName = "Zoe"
	if _, err := s.UpsertIdentity(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	id.DisplayName = ""
	third, err := s.UpsertIdentity(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := third.DisplayName, "Zoe"; got != want {
		t.Errorf("display name after a sign-in without a name = %q, want %q", got, want)
	}
}

func TestUpsertIdentityDoesNotMergeByEmail(t *testing.T) {
	s := openStore(t)
	tests := []parley.Identity{
		{Provider: "github", ProviderUserID: "42", DisplayName: "sam", Email: "sam@example.com"},
		{Provider: "gitlab", ProviderUserID: "42", DisplayName: "sam", Email: "sam@example.com"},
		{Provider: "google", ProviderUserID: "1001", DisplayName: "Sam", Email: "sam@example.com"},
	}
	seen := map[int64]string{}
	for _, id := range tests {
		u, err := s.UpsertIdentity(t.Context(), id)
		if err != nil {
			t.Fatalf("UpsertIdentity(%s): %v", id.Provider, err)
		}
		if other, ok := seen[u.ID]; ok {
			t.Errorf("%s and %s identities share user %d, want separate users", other, id.Provider, u.ID)
		}
		seen[u.ID] = id.Provider
		if got, want := u.Provider, id.Provider; got != want {
			t.Errorf("Provider = %q, want %q", got, want)
		}
	}
}

func TestUpsertIdentityBesideLocalUser(t *testing.T) {
	s := openStore(t)
	local := createUser(t, s, "octocat")
	remote, err := s.UpsertIdentity(t.Context(), parley.Identity{
		Provider: "github", ProviderUserID: "1", DisplayName: "octocat",
	})
	if err != nil {
		t.Fatal(err)
	}
	if remote.ID == local.ID {
		t.Errorf("OAuth user took the local user's ID %d", local.ID)
	}
	if remote.Username != "" {
		t.Errorf("OAuth user Username = %q, want empty", remote.Username)
	}
}
