package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

var oauthTests = []test{
	{"OAuthStateTakenOnce", testOAuthStateTakenOnce},
	{"OAuthStateNotFound", testOAuthStateNotFound},
	{"OAuthStateTakenOnAnotherStore", testOAuthStateOnAnotherStore},
	{"OAuthStateConcurrentTakesOnTwoStores", testOAuthStateConcurrentTakes},
	{"SaveOAuthStateRefusesEmptyKey", testSaveOAuthStateRefusesEmptyKey},
	{"DeleteExpiredRemovesOAuthStates", testDeleteExpiredOAuthStates},
}

func testOAuthStateTakenOnce(t *testing.T, b Backend) {
	s := b.open(t)
	ctx := t.Context()
	want := parley.OAuthPending{Provider: "google", Verifier: "pkce-verifier", Session: `{"AuthURL":"https://x.example/?a=1&b=2"}`}
	if err := s.SaveOAuthState(ctx, []byte("state"), want, time.Now().Add(10*time.Minute)); err != nil {
		t.Fatalf("SaveOAuthState: %v", err)
	}
	other := parley.OAuthPending{Provider: "github"}
	if err := s.SaveOAuthState(ctx, []byte("other"), other, time.Now().Add(10*time.Minute)); err != nil {
		t.Fatalf("SaveOAuthState: %v", err)
	}
	got, err := s.TakeOAuthState(ctx, []byte("state"))
	if err != nil {
		t.Fatalf("TakeOAuthState: %v", err)
	}
	if got != want {
		t.Errorf("TakeOAuthState = %+v, want %+v", got, want)
	}
	got, err = s.TakeOAuthState(ctx, []byte("state"))
	b.assertNotFound(t, "second TakeOAuthState", err)
	if got != (parley.OAuthPending{}) {
		t.Errorf("second TakeOAuthState = %+v, want the zero OAuthPending", got)
	}
	if got, err := s.TakeOAuthState(ctx, []byte("other")); err != nil || got != other {
		t.Errorf("TakeOAuthState(other) = %+v, %v; want %+v", got, err, other)
	}
}

func testOAuthStateNotFound(t *testing.T, b Backend) {
	s := b.open(t)
	ctx := t.Context()
	pending := parley.OAuthPending{Provider: "github"}
	if err := s.SaveOAuthState(ctx, []byte("expired"), pending, time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	for _, hash := range []string{"expired", "unknown", "expire", ""} {
		_, err := s.TakeOAuthState(ctx, []byte(hash))
		b.assertNotFound(t, "TakeOAuthState("+hash+")", err)
	}
	// An expired state is gone once tried: its key is free.
	if err := s.SaveOAuthState(ctx, []byte("expired"), pending, time.Now().Add(time.Minute)); err != nil {
		t.Errorf("SaveOAuthState reusing a tried, expired key: %v", err)
	}
}

// testOAuthStateOnAnotherStore begins a sign-in on instance A and returns
// on B.
func testOAuthStateOnAnotherStore(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	a, other := open(t), open(t)
	want := parley.OAuthPending{Provider: "gitlab", Verifier: "v", Session: "s"}
	if err := a.SaveOAuthState(t.Context(), []byte("state"), want, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err := other.TakeOAuthState(t.Context(), []byte("state"))
	if err != nil || got != want {
		t.Fatalf("TakeOAuthState on another store = %+v, %v; want %+v", got, err, want)
	}
	_, err = a.TakeOAuthState(t.Context(), []byte("state"))
	b.assertNotFound(t, "TakeOAuthState on the first store after the other took it", err)
}

func testOAuthStateConcurrentTakes(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	stores := []parley.Store{open(t), open(t)}
	pending := parley.OAuthPending{Provider: "gitlab"}
	if err := stores[0].SaveOAuthState(t.Context(), []byte("race"), pending, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = stores[i%2].TakeOAuthState(t.Context(), []byte("race")) })
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
	if taken != 1 {
		t.Errorf("%d of %d concurrent takes succeeded, want 1", taken, n)
	}
}

func testSaveOAuthStateRefusesEmptyKey(t *testing.T, b Backend) {
	s := b.open(t)
	for _, key := range [][]byte{nil, {}} {
		err := s.SaveOAuthState(t.Context(), key, parley.OAuthPending{Provider: "github"}, time.Now().Add(time.Minute))
		if err == nil {
			t.Errorf("SaveOAuthState(%q) succeeded, want an error", key)
		}
		b.assertPrefix(t, "SaveOAuthState(empty key)", err)
	}
}

func testDeleteExpiredOAuthStates(t *testing.T, b Backend) {
	s := b.open(t)
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
	// Saving under the old key again works only if the expired row is gone.
	if err := s.SaveOAuthState(ctx, []byte("old"), pending, time.Now().Add(time.Minute)); err != nil {
		t.Errorf("SaveOAuthState after DeleteExpired: %v", err)
	}
	if _, err := s.TakeOAuthState(ctx, []byte("new")); err != nil {
		t.Errorf("unexpired state after DeleteExpired: %v", err)
	}
}
