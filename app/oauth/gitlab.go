package oauth

import (
	"net/http"

	"github.com/markbates/goth/providers/gitlab"
	"golang.org/x/oauth2"
)

// GitLab's URLs. goth's default profile URL still points at API v3, which
// GitLab removed in 2018, so this package names v4 itself.
const (
	gitlabAuthURL    = "https://gitlab.com/oauth/authorize"
	gitlabTokenURL   = "https://gitlab.com/oauth/token"
	gitlabProfileURL = "https://gitlab.com/api/v4/user"
)

// gitlabScopes allow reading the signed-in user's profile.
var gitlabScopes = []string{"read_user"}

// newGitLab sets up GitLab.com. GitLab supports PKCE S256.
func newGitLab(cfg Config, client *http.Client) *backend {
	c := cfg.GitLab
	callback := cfg.callbackURL("gitlab")
	gp := gitlab.NewCustomisedURL(c.ClientID, c.ClientSecret, callback,
		gitlabAuthURL, gitlabTokenURL, gitlabProfileURL, gitlabScopes...)
	gp.HTTPClient = client
	return &backend{
		Provider:  Provider{Name: "gitlab", Label: "GitLab"},
		goth:      gp,
		oauth:     exchangeConfig(c, callback, gitlabAuthURL, gitlabTokenURL, oauth2.AuthStyleInParams),
		client:    client,
		numericID: true,
	}
}
