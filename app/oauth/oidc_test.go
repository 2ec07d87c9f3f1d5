package oauth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/parleychat/parley/app/oauth"
	"github.com/parleychat/parley/app/oauth/oauthtest"
	"github.com/parleychat/parley/app/parley"
)

func oidcConfig(fake *oauthtest.OIDC) oauth.Config {
	return oauth.Config{OIDC: fake.Config()}
}

func TestOIDCSignIn(t *testing.T) {
	t.Parallel()
	fake := oauthtest.NewOIDC(t)
	p := newProviders(t, oidcConfig(fake))

	f := startFlow(t, p, "oidc")
	q := mustURL(t, f.authURL).Query()
	for _, k := range []string{"nonce", "code_challenge"} {
		if q.Get(k) == "" {
			t.Errorf("auth URL has no %s: %s", k, f.authURL)
		}
	}
	if !strings.Contains(" "+q.Get("scope")+" ", " openid ") {
		t.Errorf("scope %q lacks openid", q.Get("scope"))
	}
	got, err := p.Complete(t.Context(), "oidc", f.pending, f.callback)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	want := parley.Identity{
		Provider:       "oidc",
		ProviderUserID: "248289761001",
		DisplayName:    "ada",
		Email:          "ada@example.test",
		AvatarURL:      "https://id.example.test/ada.png",
	}
	if got != want {
		t.Fatalf("identity = %+v, want %+v", got, want)
	}
	again, err := signIn(t, p, "oidc")
	if err != nil || again.ProviderUserID != want.ProviderUserID {
		t.Fatalf("second sign-in = %+v, %v", again, err)
	}
}

func TestOIDCNameFallback(t *testing.T) {
	t.Parallel()
	fake := oauthtest.NewOIDC(t)
	fake.SetUser(oauthtest.OIDCUser{Subject: "s1", Name: "Grace Hopper", Email: "grace@example.test"})
	got, err := signIn(t, newProviders(t, oidcConfig(fake)), "oidc")
	if err != nil {
		t.Fatal(err)
	}
	if got.DisplayName != "Grace Hopper" || got.AvatarURL != "" {
		t.Fatalf("identity = %+v", got)
	}
}

func TestOIDCFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		knob  func(*oauthtest.OIDC)
		want  error
		label string
	}{
		{"bad signature", (*oauthtest.OIDC).SignWithWrongKey, oauth.ErrIDToken, ""},
		{"wrong audience", func(o *oauthtest.OIDC) { o.SetAudience("someone-else") }, oauth.ErrIDToken, ""},
		{"expired", (*oauthtest.OIDC).IssueExpiredTokens, oauth.ErrIDToken, ""},
		{"forged nonce", (*oauthtest.OIDC).ForgeNonce, oauth.ErrIDToken, ""},
		{"token endpoint 500", (*oauthtest.OIDC).FailTokenEndpoint, oauth.ErrExchange, ""},
		{"denied", (*oauthtest.OIDC).DenyConsent, oauth.ErrDenied, "OpenID Connect sign-in was cancelled."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := oauthtest.NewOIDC(t)
			tt.knob(fake)
			got, err := signIn(t, newProviders(t, oidcConfig(fake)), "oidc")
			wantKind(t, err, tt.want)
			if got != (parley.Identity{}) {
				t.Fatalf("identity %+v returned with error", got)
			}
			if tt.label != "" && oauth.UserMessage(err) != tt.label {
				t.Fatalf("UserMessage = %q, want %q", oauth.UserMessage(err), tt.label)
			}
		})
	}
}

func TestOIDCForeignIssuerInCallback(t *testing.T) {
	t.Parallel()
	fake := oauthtest.NewOIDC(t)
	p := newProviders(t, oidcConfig(fake))
	f := startFlow(t, p, "oidc")
	f.callback["iss"] = []string{"https://attacker.example"}
	_, err := p.Complete(t.Context(), "oidc", f.pending, f.callback)
	wantKind(t, err, oauth.ErrProviderError)
}

func TestOIDCLabel(t *testing.T) {
	t.Parallel()
	fake := oauthtest.NewOIDC(t)
	cfg := oidcConfig(fake)
	cfg.OIDC.Name = "Acme SSO"
	got, ok := newProviders(t, cfg).Lookup("oidc")
	if !ok || got != (oauth.Provider{Name: "oidc", Label: "Acme SSO"}) {
		t.Fatalf("Lookup = %+v, %v", got, ok)
	}
}

func TestOIDCDiscoveryFailures(t *testing.T) {
	t.Parallel()
	fake := oauthtest.NewOIDC(t)
	tests := map[string]string{
		"no discovery document": fake.Issuer() + "/nowhere",
		"issuer mismatch":       fake.Issuer() + "/",
		"nothing listening":     "http://127.0.0.1:1",
	}
	for name, issuer := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := oidcConfig(fake)
			cfg.BaseURL = testBaseURL
			cfg.OIDC.Issuer = issuer
			p, err := oauth.New(t.Context(), cfg)
			if err == nil || p != nil {
				t.Fatalf("New = %v, %v; want an error", p, err)
			}
			if !strings.Contains(err.Error(), "OIDC_ISSUER: discovery failed") {
				t.Fatalf("error %q does not name OIDC_ISSUER", err)
			}
			var e *oauth.Error
			if errors.As(err, &e) {
				t.Fatalf("configuration error should not be a sign-in *Error: %v", err)
			}
		})
	}
}
