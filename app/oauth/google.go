package oauth

import (
	"net/http"

	"github.com/markbates/goth/providers/google"
	"golang.org/x/oauth2"
)

// googleScopes give the profile (name, picture) and the email address.
var googleScopes = []string{"profile", "email"}

// newGoogle sets up Google. Google supports PKCE S256.
func newGoogle(cfg Config, client *http.Client) *backend {
	c := cfg.Google
	callback := cfg.callbackURL("google")
	gp := google.New(c.ClientID, c.ClientSecret, callback, googleScopes...)
	gp.HTTPClient = client
	// goth asks for offline access (a refresh token) by default; signing in
	// needs none.
	gp.SetAccessType("online")
	e := google.Endpoint
	return &backend{
		Provider: Provider{Name: "google", Label: "Google"},
		goth:     gp,
		oauth:    exchangeConfig(c, callback, e.AuthURL, e.TokenURL, oauth2.AuthStyleInParams),
		client:   client,
	}
}
