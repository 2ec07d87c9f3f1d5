package oauth_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/parleychat/parley/app/oauth"
	"github.com/parleychat/parley/app/oauth/oauthtest"
	"github.com/parleychat/parley/app/parley"
	"golang.org/x/oauth2"
)

func TestGitHubSignInTwiceGivesSameUser(t *testing.T) {
	t.Parallel()
	fake := oauthtest.NewGitHub(t)
	p := newProviders(t, gitHubConfig(fake))

	first, err := signIn(t, p, "github")
	if err != nil {
		t.Fatalf("first sign-in: %v", err)
	}
	want := parley.Identity{
		Provider:       "github",
		ProviderUserID: "4242",
		DisplayName:    "octocat",
		Email:          "octocat@example.test", // the verified primary from /user/emails
		AvatarURL:      "https://avatars.example.test/u/4242",
	}
	if first != want {
		t.Fatalf("identity = %+v, want %+v", first, want)
	}
	second, err := signIn(t, p, "github")
	if err != nil {
		t.Fatalf("second sign-in: %v", err)
	}
	if second.ProviderUserID != first.ProviderUserID {
		t.Fatalf("second ProviderUserID = %q, want %q", second.ProviderUserID, first.ProviderUserID)
	}
}

func TestGitHubProfileMapping(t *testing.T) {
	t.Parallel()
	primary := []oauthtest.GitHubEmail{{Email: "mona@example.test", Primary: true, Verified: true}}
	unverified := []oauthtest.GitHubEmail{{Email: "mona@example.test", Primary: true}}
	tests := []struct {
		name       string
		user       oauthtest.GitHubUser
		wantName   string
		wantEmail  string
		wantAvatar string
		wantErr    error
	}{
		{name: "nickname first",
			user:     oauthtest.GitHubUser{ID: 1, Login: "mona", Name: "Mona Lisa", Emails: primary},
			wantName: "mona", wantEmail: "mona@example.test"},
		{name: "name without nickname",
			user:     oauthtest.GitHubUser{ID: 1, Name: "Mona Lisa", Emails: primary},
			wantName: "Mona Lisa", wantEmail: "mona@example.test"},
		{name: "blank nickname falls back to name",
			user:     oauthtest.GitHubUser{ID: 1, Login: "  ", Name: " Mona  Lisa ", Emails: primary},
			wantName: "Mona Lisa", wantEmail: "mona@example.test"},
		{name: "email local part without nickname or name",
			user:     oauthtest.GitHubUser{ID: 1, Emails: primary},
			wantName: "mona", wantEmail: "mona@example.test"},
		{name: "public email is used first",
			user:     oauthtest.GitHubUser{ID: 1, Email: "public.mona@example.test", Emails: primary},
			wantName: "public.mona", wantEmail: "public.mona@example.test"},
		{name: "no verified email: signs in without email",
			user:     oauthtest.GitHubUser{ID: 1, Login: "mona", Emails: unverified},
			wantName: "mona"},
		{name: "control and bidi characters are removed",
			user:     oauthtest.GitHubUser{ID: 1, Name: "Mo\u202ena\nLisa\x00", Emails: primary},
			wantName: "Mona Lisa", wantEmail: "mona@example.test"},
		{name: "long names are cut",
			user:     oauthtest.GitHubUser{ID: 1, Name: strings.Repeat("é", 100)},
			wantName: strings.Repeat("é", oauth.MaxDisplayNameLength)},
		{name: "http avatar kept",
			user:       oauthtest.GitHubUser{ID: 1, Login: "mona", AvatarURL: "https://example.test/a.png"},
			wantName:   "mona",
			wantAvatar: "https://example.test/a.png"},
		{name: "script avatar dropped",
			user:     oauthtest.GitHubUser{ID: 1, Login: "mona", AvatarURL: "javascript:alert(1)"},
			wantName: "mona"},
		{name: "relative avatar dropped",
			user:     oauthtest.GitHubUser{ID: 1, Login: "mona", AvatarURL: "/a.png"},
			wantName: "mona"},
		{name: "no name at all",
			user:    oauthtest.GitHubUser{ID: 1, Emails: unverified},
			wantErr: oauth.ErrNoDisplayName},
		{name: "no user ID",
			user:    oauthtest.GitHubUser{Login: "mona"},
			wantErr: oauth.ErrProfile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := oauthtest.NewGitHub(t)
			fake.SetUser(tt.user)
			got, err := signIn(t, newProviders(t, gitHubConfig(fake)), "github")
			if tt.wantErr != nil {
				wantKind(t, err, tt.wantErr)
				if got != (parley.Identity{}) {
					t.Fatalf("identity %+v returned with error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("sign-in: %v", err)
			}
			if got.DisplayName != tt.wantName || got.Email != tt.wantEmail || got.AvatarURL != tt.wantAvatar {
				t.Fatalf("got name %q email %q avatar %q, want %q %q %q",
					got.DisplayName, got.Email, got.AvatarURL, tt.wantName, tt.wantEmail, tt.wantAvatar)
			}
		})
	}
}

func TestGitHubAuthURLCarriesPKCE(t *testing.T) {
	t.Parallel()
	fake := oauthtest.NewGitHub(t)
	p := newProviders(t, gitHubConfig(fake))
	f := startFlow(t, p, "github")

	u, err := url.Parse(f.authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	want := map[string]string{
		"client_id":             oauthtest.ClientID,
		"redirect_uri":          testBaseURL + "/auth/github/callback",
		"state":                 f.state,
		"scope":                 "user:email",
		"code_challenge_method": "S256",
		"code_challenge":        oauth2.S256ChallengeFromVerifier(f.pending.Verifier),
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("auth URL %s = %q, want %q", k, q.Get(k), v)
		}
	}
	if fake.LastChallenge() != want["code_challenge"] {
		t.Errorf("provider saw challenge %q, want %q", fake.LastChallenge(), want["code_challenge"])
	}
	if f.pending.Provider != "github" || f.pending.Session == "" {
		t.Errorf("pending = %+v", f.pending)
	}
}

func TestGitHubWrongVerifierFails(t *testing.T) {
	t.Parallel()
	fake := oauthtest.NewGitHub(t)
	p := newProviders(t, gitHubConfig(fake))
	f := startFlow(t, p, "github")
	f.pending.Verifier = oauth2.GenerateVerifier()
	_, err := p.Complete(t.Context(), "github", f.pending, f.callback)
	wantKind(t, err, oauth.ErrExchange)
}

func TestGitHubCodeIsSingleUse(t *testing.T) {
	t.Parallel()
	fake := oauthtest.NewGitHub(t)
	p := newProviders(t, gitHubConfig(fake))
	f := startFlow(t, p, "github")
	if _, err := p.Complete(t.Context(), "github", f.pending, f.callback); err != nil {
		t.Fatalf("first Complete: %v", err)
	}
	_, err := p.Complete(t.Context(), "github", f.pending, f.callback)
	wantKind(t, err, oauth.ErrExchange)
}

func TestGitHubDenied(t *testing.T) {
	t.Parallel()
	fake := oauthtest.NewGitHub(t)
	fake.DenyConsent()
	p := newProviders(t, gitHubConfig(fake))
	_, err := signIn(t, p, "github")
	wantKind(t, err, oauth.ErrDenied)
	if got, want := oauth.UserMessage(err), "GitHub sign-in was cancelled."; got != want {
		t.Fatalf("UserMessage = %q, want %q", got, want)
	}
}

func TestGitHubTokenEndpointFailure(t *testing.T) {
	t.Parallel()
	fake := oauthtest.NewGitHub(t)
	fake.FailTokenEndpoint()
	p := newProviders(t, gitHubConfig(fake))
	_, err := signIn(t, p, "github")
	wantKind(t, err, oauth.ErrExchange)
	if got, want := oauth.UserMessage(err), "Signing in with GitHub failed. Please try again."; got != want {
		t.Fatalf("UserMessage = %q, want %q", got, want)
	}
}

func TestCompleteRejectsBadCallbacks(t *testing.T) {
	t.Parallel()
	fake := oauthtest.NewGitHub(t)
	p := newProviders(t, gitHubConfig(fake))
	tests := []struct {
		name     string
		callback url.Values
		pending  func(*parley.OAuthPending)
		want     error
	}{
		{name: "missing code", callback: url.Values{"state": {"s"}}, want: oauth.ErrMissingCode},
		{name: "empty code", callback: url.Values{"code": {""}}, want: oauth.ErrMissingCode},
		{name: "access denied", callback: url.Values{"error": {"access_denied"}}, want: oauth.ErrDenied},
		{name: "other provider error",
			callback: url.Values{"error": {"server_error"}, "error_description": {"\nforged log line"}},
			want:     oauth.ErrProviderError},
		{name: "pending of another provider", callback: url.Values{"code": {"c"}},
			pending: func(p *parley.OAuthPending) { p.Provider = "gitlab" }, want: oauth.ErrPending},
		{name: "pending without verifier", callback: url.Values{"code": {"c"}},
			pending: func(p *parley.OAuthPending) { p.Verifier = "" }, want: oauth.ErrPending},
		{name: "unreadable goth session", callback: url.Values{"code": {"c"}},
			pending: func(p *parley.OAuthPending) { p.Session = "{" }, want: oauth.ErrPending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, pending, err := p.Begin("github")
			if err != nil {
				t.Fatal(err)
			}
			if tt.pending != nil {
				tt.pending(&pending)
			}
			_, err = p.Complete(t.Context(), "github", pending, tt.callback)
			wantKind(t, err, tt.want)
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error text has a newline: %q", err)
			}
		})
	}
}
