package app_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/parleychat/parley/app"
)

func TestTrustedProxiesConfig(t *testing.T) {
	cfg, err := app.LoadConfig(nil, getenv(map[string]string{"TRUSTED_PROXIES": " 10.0.0.0/8, 127.0.0.1 ,::1"}))
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
	if !slices.Equal(cfg.TrustedProxies, want) {
		t.Errorf("TrustedProxies = %v, want %v", cfg.TrustedProxies, want)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example", "10.0.0.1-10.0.0.9"} {
		_, err := app.LoadConfig(nil, getenv(map[string]string{"TRUSTED_PROXIES": bad}))
		if err == nil || !strings.Contains(err.Error(), "TRUSTED_PROXIES") || strings.Contains(err.Error(), "\n") {
			t.Errorf("TRUSTED_PROXIES=%q: error %v, want one line naming TRUSTED_PROXIES", bad, err)
		}
	}
}

// postVia signs in through a proxy that says the client is forwardedFor.
func (b *browser) postVia(forwardedFor string) int {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+"/login",
		strings.NewReader(url.Values{"username": {"x"}, "password": {"wrongwrong"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	req.Header.Set("X-Forwarded-For", forwardedFor)
	status, _, _ := b.do(req)
	return status
}

func TestSignInRateLimitBehindAProxy(t *testing.T) {
	// The test's connections come from 127.0.0.1: the proxy.
	t.Run("trusted proxy: one bucket per client", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.AuthRateLimit = 3
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		a := startApp(t, cfg)
		b := newBrowser(t, a.URL())
		// The attacker changes what it sends in X-Forwarded-For at each
		// try; the proxy appends the address it saw, which is what counts.
		for i, spoof := range []string{"1.1.1.1", "2.2.2.2", "3.3.3.3"} {
			if status := b.postVia(spoof + ", 203.0.113.7"); status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d, want 401", i+1, status)
			}
		}
		if status := b.postVia("4.4.4.4, 203.0.113.7"); status != http.StatusTooManyRequests {
			t.Errorf("4th attempt with a new spoofed address: %d, want 429", status)
		}
		// Another person behind the same proxy is not locked out.
		if status := b.postVia("198.51.100.9"); status != http.StatusUnauthorized {
			t.Errorf("another client behind the proxy: %d, want 401, not the attacker's 429", status)
		}
	})
	t.Run("no trusted proxy: the header is ignored", func(t *testing.T) {
		cfg := testConfig(t)
		cfg.AuthRateLimit = 3
		a := startApp(t, cfg)
		b := newBrowser(t, a.URL())
		for i, xff := range []string{"1.1.1.1", "2.2.2.2", "3.3.3.3"} {
			if status := b.postVia(xff); status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d, want 401", i+1, status)
			}
		}
		if status := b.postVia("4.4.4.4"); status != http.StatusTooManyRequests {
			t.Errorf("4th attempt claiming another address: %d, want 429 (a direct client cannot pick its bucket)", status)
		}
	})
}
