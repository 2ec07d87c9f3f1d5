package sqlite_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

func TestOAuthStateTakenOnce(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	want := parley.OAuthPending{Provider: "google", Verifier: "pkce-verifier", Session: `{"AuthURL":"x"}`}
	if err := s.SaveOAuthState(ctx, []byte("state"), want, time.Now().Add(10*time.Minute)); err != nil {
		t.Fatalf("SaveOAuthState: %v", err)
	}
	got, err := s.TakeOAuthState(ctx, []byte("state"))
	if err != nil {
		t.Fatalf("TakeOAuthState: %v", err)
	}
	if got != want {
		t.Errorf("TakeOAuthState = %+v, want %+v", got, want)
	}
	_, err = s.TakeOAuthState(ctx, []byte("state"))
	assertNotFound(t, "second TakeOAuthState", err)
}

func TestOAuthStateNotFound(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	pending := parley.OAuthPending{Provider: "github"}
	if err := s.SaveOAuthState(ctx, []byte("expired"), pending, time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	for _, hash := range []string{"expired", "unknown"} {
		_, err := s.TakeOAuthState(ctx, []byte(hash))
		assertNotFound(t, "TakeOAuthState("+hash+")", err)
	}
}

func TestOAuthStateConcurrentTakes(t *testing.T) {
	s := openStore(t)
	pending := parley.OAuthPending{Provider: "gitlab"}
	if err := s.SaveOAuthState(t.Context(), []byte("race"), pending, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = s.TakeOAuthState(t.Context(), []byte("race")) })
	}
	wg.Wait()
	taken := 0
	for _, err := range errs {
		switch {
		case err == nil:
			taken++
		case !errors.Is(err, parley.ErrNotFound):
			t.Errorf("TakeOAuthState error = %v, want nil or parley.ErrNotFound", err)
		}
	}
	if got, want := taken, 1; got != want {
		t.Errorf("%d of %d concurrent takes succeeded, want %d", got, n, want)
	}
}

func TestDeleteExpiredRemovesOAuthStates(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	pending := parley.OAuthPending{Provider: "oidc"}
	if err := s.SaveOAuthState(ctx, []byte("old"), pending, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveOAuthState(ctx, []byte("new"), pending, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteExpired(ctx); err != nil {
		t.Fatalf("DeleteExpired: %v", err)
	}
	// Saving under the old hash again works only if the expired row is gone.
	if err := s.SaveOAuthState(ctx, []byte("old"), pending, time.Now().Add(time.Minute)); err != nil {
		t.Errorf("SaveOAuthState after DeleteExpired: %v", err)
	}
	if _, err := s.TakeOAuthState(ctx, []byte("new")); err != nil {
		t.Errorf("unexpired state after DeleteExpired: %v", err)
	}
}
