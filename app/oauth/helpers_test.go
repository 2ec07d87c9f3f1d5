package oauth_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/parleychat/parley/app/oauth"
	"github.com/parleychat/parley/app/oauth/oauthtest"
	"github.com/parleychat/parley/app/parley"
)

const testBaseURL = "http://localhost:8080"

// newProviders builds the providers or fails the test.
func newProviders(t *testing.T, cfg oauth.Config) *oauth.Providers {
	t.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = testBaseURL
	}
	p, err := oauth.New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// gitHubConfig points the GitHub provider at the fake.
func gitHubConfig(fake *oauthtest.GitHub) oauth.Config {
	return oauth.Config{GitHub: fake.Credentials(), GitHubEndpoints: fake.Endpoints()}
}

// flow is one sign-in in progress: what Begin returned and where the
// provider sent the browser back to.
type flow struct {
	authURL, state string
	pending        parley.OAuthPending
	callback       url.Values
}

// startFlow calls Begin and consents at the provider, then checks what the
// web layer would check: the callback path and the returned state.
func startFlow(t *testing.T, p *oauth.Providers, name string) flow {
	t.Helper()
	authURL, state, pending, err := p.Begin(name)
	if err != nil {
		t.Fatalf("Begin(%q): %v", name, err)
	}
	back := oauthtest.Consent(t, authURL)
	if want := "/auth/" + name + "/callback"; back.Path != want {
		t.Fatalf("provider redirected to %q, want path %q", back, want)
	}
	if got := back.Query().Get("state"); got != state {
		t.Fatalf("callback state = %q, want %q", got, state)
	}
	return flow{authURL: authURL, state: state, pending: pending, callback: back.Query()}
}

// signIn plays the whole redirect dance and completes it.
func signIn(t *testing.T, p *oauth.Providers, name string) (parley.Identity, error) {
	t.Helper()
	f := startFlow(t, p, name)
	return p.Complete(t.Context(), name, f.pending, f.callback)
}

// wantKind fails unless err is of the kind, and is an *oauth.Error.
func wantKind(t *testing.T, err, kind error) {
	t.Helper()
	t.Logf("error: %v", err)
	if !errors.Is(err, kind) {
		t.Fatalf("error = %v, want %v", err, kind)
	}
	var e *oauth.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *oauth.Error", err)
	}
}

// parleyPending is a well-formed pending record for a provider.
func parleyPending(name string) parley.OAuthPending {
	return parley.OAuthPending{Provider: name, Verifier: "v", Session: "{}"}
}

// mustURL parses a URL or fails the test.
func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// consentQuietly is Consent for goroutines other than the test's: it returns
// nil instead of failing the test.
func consentQuietly(authURL string) *url.URL {
	resp, err := oauthtest.NoRedirectClient().Get(authURL)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return nil
	}
	loc, err := resp.Location()
	if err != nil {
		return nil
	}
	return loc
}
