package oauth_test

import (
	"encoding/base64"
	"strings"
	"sync"
	"testing"

	"github.com/parleychat/parley/app/oauth"
	"github.com/parleychat/parley/app/oauth/oauthtest"
	"golang.org/x/oauth2"
)

func TestValidateConfig(t *testing.T) {
	t.Parallel()
	pair := oauth.Credentials{ClientID: "id", ClientSecret: "secret"}
	oidcOK := oauth.OIDCConfig{Issuer: "https://id.example.com/realms/parley", ClientID: "id", ClientSecret: "secret"}
	withOIDC := func(f func(*oauth.OIDCConfig)) oauth.Config {
		c := oidcOK
		f(&c)
		return oauth.Config{BaseURL: testBaseURL, OIDC: c}
	}
	tests := []struct {
		name    string
		cfg     oauth.Config
		wantErr string // "" means valid
	}{
		{"nothing configured", oauth.Config{}, ""},
		{"all providers", oauth.Config{BaseURL: testBaseURL, GitHub: pair, Google: pair, GitLab: pair, OIDC: oidcOK}, ""},
		{"github id without secret", oauth.Config{BaseURL: testBaseURL, GitHub: oauth.Credentials{ClientID: "id"}},
			"GITHUB_CLIENT_SECRET is required when GITHUB_CLIENT_ID is set"},
		{"github secret without id", oauth.Config{BaseURL: testBaseURL, GitHub: oauth.Credentials{ClientSecret: "s"}},
			"GITHUB_CLIENT_ID is required when GITHUB_CLIENT_SECRET is set"},
		{"google id without secret", oauth.Config{BaseURL: testBaseURL, Google: oauth.Credentials{ClientID: "id"}},
			"GOOGLE_CLIENT_SECRET is required when GOOGLE_CLIENT_ID is set"},
		{"google secret without id", oauth.Config{BaseURL: testBaseURL, Google: oauth.Credentials{ClientSecret: "s"}},
			"GOOGLE_CLIENT_ID is required when GOOGLE_CLIENT_SECRET is set"},
		{"gitlab id without secret", oauth.Config{BaseURL: testBaseURL, GitLab: oauth.Credentials{ClientID: "id"}},
			"GITLAB_CLIENT_SECRET is required when GITLAB_CLIENT_ID is set"},
		{"gitlab secret without id", oauth.Config{BaseURL: testBaseURL, GitLab: oauth.Credentials{ClientSecret: "s"}},
			"GITLAB_CLIENT_ID is required when GITLAB_CLIENT_SECRET is set"},
		{"oidc issuer without client id", withOIDC(func(c *oauth.OIDCConfig) { c.ClientID = "" }),
			"OIDC_CLIENT_ID is required when OIDC_ISSUER is set"},
		{"oidc issuer without secret", withOIDC(func(c *oauth.OIDCConfig) { c.ClientSecret = "" }),
			"OIDC_CLIENT_SECRET is required when OIDC_ISSUER is set"},
		{"oidc client without issuer", withOIDC(func(c *oauth.OIDCConfig) { c.Issuer = "" }),
			"OIDC_ISSUER is required when OIDC_CLIENT_ID is set"},
		{"oidc secret alone", oauth.Config{BaseURL: testBaseURL, OIDC: oauth.OIDCConfig{ClientSecret: "s"}},
			"OIDC_ISSUER is required when OIDC_CLIENT_SECRET is set"},
		{"oidc name alone", oauth.Config{BaseURL: testBaseURL, OIDC: oauth.OIDCConfig{Name: "Acme"}},
			"OIDC_ISSUER is required when OIDC_NAME is set"},
		{"issuer not a URL", withOIDC(func(c *oauth.OIDCConfig) { c.Issuer = "id.example.com" }),
			"OIDC_ISSUER must be an https URL (http allowed only for localhost)"},
		{"issuer with bad syntax", withOIDC(func(c *oauth.OIDCConfig) { c.Issuer = "https://[::1" }),
			"OIDC_ISSUER must be an https URL"},
		{"issuer over plain http", withOIDC(func(c *oauth.OIDCConfig) { c.Issuer = "http://id.example.com" }),
			"OIDC_ISSUER must be an https URL"},
		{"issuer with query", withOIDC(func(c *oauth.OIDCConfig) { c.Issuer = "https://id.example.com/?x=1" }),
			"OIDC_ISSUER must be an https URL"},
		{"issuer with fragment", withOIDC(func(c *oauth.OIDCConfig) { c.Issuer = "https://id.example.com/#x" }),
			"OIDC_ISSUER must be an https URL"},
		{"issuer on localhost over http", withOIDC(func(c *oauth.OIDCConfig) { c.Issuer = "http://localhost:5556/dex" }), ""},
		{"issuer on loopback IP over http", withOIDC(func(c *oauth.OIDCConfig) { c.Issuer = "http://127.0.0.1:5556" }), ""},
		{"issuer on IPv6 loopback over http", withOIDC(func(c *oauth.OIDCConfig) { c.Issuer = "http://[::1]:5556" }), ""},
		{"base URL missing", oauth.Config{GitHub: pair}, "BASE_URL must be an http or https URL"},
		{"base URL not http", oauth.Config{BaseURL: "ftp://example.com", GitHub: pair}, "BASE_URL must be an http or https URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := oauth.ValidateConfig(tt.cfg)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("ValidateConfig: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("ValidateConfig = %v, want %q", err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), "\n"):
				t.Fatalf("error spans lines: %q", err)
			}
		})
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	t.Parallel()
	cfg := oauth.Config{BaseURL: testBaseURL, GitLab: oauth.Credentials{ClientID: "id"}}
	if p, err := oauth.New(t.Context(), cfg); err == nil || p != nil {
		t.Fatalf("New = %v, %v; want an error", p, err)
	}
}

func TestListShowsConfiguredProvidersInOrder(t *testing.T) {
	t.Parallel()
	gh, op := oauthtest.NewGitHub(t), oauthtest.NewOIDC(t)
	pair := oauth.Credentials{ClientID: "id", ClientSecret: "secret"}
	all := oauth.Config{OIDC: op.Config(), GitLab: pair, Google: pair, GitHub: gh.Credentials(), GitHubEndpoints: gh.Endpoints()}
	tests := []struct {
		name string
		cfg  oauth.Config
		want []oauth.Provider
	}{
		{"none", oauth.Config{}, nil},
		{"gitlab only", oauth.Config{GitLab: pair}, []oauth.Provider{{Name: "gitlab", Label: "GitLab"}}},
		{"oidc and google", oauth.Config{OIDC: op.Config(), Google: pair},
			[]oauth.Provider{{Name: "google", Label: "Google"}, {Name: "oidc", Label: "OpenID Connect"}}},
		{"all", all, []oauth.Provider{
			{Name: "github", Label: "GitHub"}, {Name: "google", Label: "Google"},
			{Name: "gitlab", Label: "GitLab"}, {Name: "oidc", Label: "OpenID Connect"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProviders(t, tt.cfg)
			got := p.List()
			if len(got) != len(tt.want) {
				t.Fatalf("List = %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("List = %+v, want %+v", got, tt.want)
				}
				if found, ok := p.Lookup(got[i].Name); !ok || found != got[i] {
					t.Fatalf("Lookup(%q) = %+v, %v", got[i].Name, found, ok)
				}
			}
		})
	}
}

func TestUnknownProvider(t *testing.T) {
	t.Parallel()
	p := newProviders(t, oauth.Config{GitLab: oauth.Credentials{ClientID: "id", ClientSecret: "s"}})
	for _, name := range []string{"github", "GitLab", "", "../x"} {
		if _, ok := p.Lookup(name); ok {
			t.Errorf("Lookup(%q) found a provider", name)
		}
		_, _, _, err := p.Begin(name)
		wantKind(t, err, oauth.ErrUnknownProvider)
		_, err = p.Complete(t.Context(), name, parleyPending(name), nil)
		wantKind(t, err, oauth.ErrUnknownProvider)
	}
	var none *oauth.Providers
	if none.List() != nil {
		t.Error("nil Providers lists providers")
	}
	if _, _, _, err := none.Begin("github"); err == nil {
		t.Error("nil Providers began a sign-in")
	}
}

func TestBeginGoogleAndGitLab(t *testing.T) {
	t.Parallel()
	pair := oauth.Credentials{ClientID: "the-id", ClientSecret: "s"}
	p := newProviders(t, oauth.Config{BaseURL: "https://chat.example.com/", Google: pair, GitLab: pair})
	tests := []struct {
		name, host string
		want       map[string]string
	}{
		{"google", "accounts.google.com", map[string]string{"scope": "profile email", "access_type": "online"}},
		{"gitlab", "gitlab.com", map[string]string{"scope": "read_user"}},
	}
	for _, tt := range tests {
		authURL, state, pending, err := p.Begin(tt.name)
		if err != nil {
			t.Fatalf("Begin(%q): %v", tt.name, err)
		}
		u := mustURL(t, authURL)
		if u.Scheme != "https" || u.Host != tt.host {
			t.Errorf("%s auth URL %s, want https://%s", tt.name, authURL, tt.host)
		}
		q := u.Query()
		tt.want["client_id"] = "the-id"
		tt.want["state"] = state
		tt.want["redirect_uri"] = "https://chat.example.com/auth/" + tt.name + "/callback"
		tt.want["code_challenge_method"] = "S256"
		tt.want["code_challenge"] = oauth2.S256ChallengeFromVerifier(pending.Verifier)
		tt.want["response_type"] = "code"
		for k, v := range tt.want {
			if q.Get(k) != v {
				t.Errorf("%s auth URL %s = %q, want %q", tt.name, k, q.Get(k), v)
			}
		}
	}
}

func TestStateIsFreshAndLong(t *testing.T) {
	t.Parallel()
	p := newProviders(t, oauth.Config{GitLab: oauth.Credentials{ClientID: "id", ClientSecret: "s"}})
	seen := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, state, pending, err := p.Begin("gitlab")
			if err != nil {
				t.Error(err)
				return
			}
			raw, err := base64.RawURLEncoding.DecodeString(state)
			if err != nil || len(raw) < 32 {
				t.Errorf("state %q: %d bytes, %v", state, len(raw), err)
			}
			if len(pending.Verifier) < 43 {
				t.Errorf("verifier %q too short", pending.Verifier)
			}
			mu.Lock()
			defer mu.Unlock()
			if seen[state] {
				t.Errorf("state %q repeated", state)
			}
			seen[state] = true
		}()
	}
	wg.Wait()
}

func TestConcurrentSignIns(t *testing.T) {
	t.Parallel()
	gh, op := oauthtest.NewGitHub(t), oauthtest.NewOIDC(t)
	p := newProviders(t, oauth.Config{GitHub: gh.Credentials(), GitHubEndpoints: gh.Endpoints(), OIDC: op.Config()})
	var wg sync.WaitGroup
	for i := range 16 {
		name := []string{"github", "oidc"}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			authURL, _, pending, err := p.Begin(name)
			if err != nil {
				t.Error(err)
				return
			}
			back := consentQuietly(authURL)
			if back == nil {
				t.Errorf("%s: consent failed", name)
				return
			}
			if _, err := p.Complete(t.Context(), name, pending, back.Query()); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}()
	}
	wg.Wait()
}
