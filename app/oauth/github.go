package oauth

import (
	"net/http"

	"github.com/markbates/goth/providers/github"
	"golang.org/x/oauth2"
)

// githubScopes asks for the verified primary email address when the public
// profile shows none; the public profile needs no scope.
var githubScopes = []string{"user:email"}

// newGitHub sets up GitHub. GitHub supports PKCE S256 for OAuth apps.
func newGitHub(cfg Config, client *http.Client) *backend {
	e := githubEndpoints(cfg.GitHubEndpoints)
	c := cfg.GitHub
	callback := cfg.callbackURL("github")
	gp := github.NewCustomisedURL(c.ClientID, c.ClientSecret, callback,
		e.AuthURL, e.TokenURL, e.ProfileURL, e.EmailURL, githubScopes...)
	gp.HTTPClient = client
	return &backend{
		Provider:  Provider{Name: "github", Label: "GitHub"},
		goth:      gp,
		oauth:     exchangeConfig(c, callback, e.AuthURL, e.TokenURL, oauth2.AuthStyleInParams),
		client:    client,
		numericID: true,
	}
}

// githubEndpoints returns the override or github.com's URLs.
func githubEndpoints(override *GitHubEndpoints) GitHubEndpoints {
	if override != nil {
		return *override
	}
	return GitHubEndpoints{
		AuthURL:    github.AuthURL,
		TokenURL:   github.TokenURL,
		ProfileURL: github.ProfileURL,
		EmailURL:   github.EmailURL,
	}
}

// exchangeConfig is the oauth2 configuration this package uses to redeem the
// code with the PKCE verifier (goth's own exchange sends no verifier).
func exchangeConfig(c Credentials, callback, authURL, tokenURL string, style oauth2.AuthStyle) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		RedirectURL:  callback,
		Endpoint:     oauth2.Endpoint{AuthURL: authURL, TokenURL: tokenURL, AuthStyle: style},
	}
}
