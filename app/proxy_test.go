package app_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

// loginFrom tries a wrong password with X-Forwarded-For set to forwarded,
// as a proxy in front of Parley would, and returns the status.
func loginFrom(t *testing.T, base, forwarded string) int {
	t.Helper()
	form := url.Values{"username": {"x"}, "password": {"wrongwrong"}}
	req, err := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", forwarded)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Behind a trusted proxy, the sign-in limit counts each client apart;
// without one, X-Forwarded-For is the client's own word and changing it
// gets around nothing.
func TestAuthRateLimitBehindProxy(t *testing.T) {
	t.Run("trusted proxy", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.AuthRateLimit = 2
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		a := startApp(t, cfg)
		for i := range 2 {
			if got := loginFrom(t, a.URL(), "198.51.100.1"); got != http.StatusUnauthorized {
				t.Fatalf("attempt %d from 198.51.100.1: got %d, want 401", i+1, got)
			}
		}
		if got := loginFrom(t, a.URL(), "198.51.100.1"); got != http.StatusTooManyRequests {
			t.Errorf("3rd attempt from 198.51.100.1: got %d, want 429", got)
		}
		if got := loginFrom(t, a.URL(), "198.51.100.2"); got != http.StatusUnauthorized {
			t.Errorf("first attempt from another client behind the proxy: got %d, want 401, not the other client's 429", got)
		}
		// A client that writes its own X-Forwarded-For before the proxy's
		// entry is still counted by the proxy's entry.
		if got := loginFrom(t, a.URL(), "203.0.113.7, 198.51.100.1"); got != http.StatusTooManyRequests {
			t.Errorf("198.51.100.1 claiming to be 203.0.113.7: got %d, want 429", got)
		}
	})
	t.Run("no trusted proxy", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.AuthRateLimit = 2
		a := startApp(t, cfg)
		for i, forwarded := range []string{"198.51.100.1", "198.51.100.2"} {
			if got := loginFrom(t, a.URL(), forwarded); got != http.StatusUnauthorized {
				t.Fatalf("attempt %d: got %d, want 401", i+1, got)
			}
		}
		if got := loginFrom(t, a.URL(), "198.51.100.3"); got != http.StatusTooManyRequests {
			t.Errorf("3rd attempt with a new X-Forwarded-For: got %d, want 429: the header must not be believed without TRUSTED_PROXIES", got)
		}
	})
}
