package oauthtest

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// NoRedirectClient returns an HTTP client that does not follow redirects, so
// that a test can read each Location itself, like a browser's address bar.
func NoRedirectClient() *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Consent plays a consenting person at the provider: it opens authURL and
// returns the callback URL the provider redirects the browser back to
// (with code and state, or with error=access_denied when the fake denies).
func Consent(t testing.TB, authURL string) *url.URL {
	t.Helper()
	resp, err := NoRedirectClient().Get(authURL)
	if err != nil {
		t.Fatalf("oauthtest: open authorize URL: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("oauthtest: authorize answered %d, want a redirect", resp.StatusCode)
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("oauthtest: authorize redirect: %v", err)
	}
	return loc
}
