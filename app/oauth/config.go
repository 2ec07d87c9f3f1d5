package oauth

import (
	"net/http"
	"strings"
)

// DefaultOIDCLabel is the button label of the OpenID Connect provider when
// OIDC_NAME is not set.
const DefaultOIDCLabel = "OpenID Connect"

// Credentials are a provider's OAuth client ID and secret. A provider is
// enabled when both are set.
type Credentials struct{ ClientID, ClientSecret string }

// OIDCConfig configures the generic OpenID Connect provider. Name is the
// label on the sign-in button ("Continue with Name").
type OIDCConfig struct{ Issuer, ClientID, ClientSecret, Name string }

// GitHubEndpoints overrides GitHub's URLs, for tests and GitHub Enterprise.
type GitHubEndpoints struct{ AuthURL, TokenURL, ProfileURL, EmailURL string }

// Config is what New needs to set up the providers.
type Config struct {
	// BaseURL is the public URL of the app, e.g. http://localhost:8080; each
	// provider's callback is BaseURL + "/auth/" + name + "/callback".
	BaseURL string

	GitHub, Google, GitLab Credentials
	OIDC                   OIDCConfig

	// HTTPClient is used for discovery, token exchange, key and profile
	// fetches. Nil means a client with a 15 second timeout.
	HTTPClient *http.Client
	// GitHubEndpoints overrides GitHub's URLs; nil means github.com.
	GitHubEndpoints *GitHubEndpoints
}

// set reports whether any credential of the pair is given.
func (c Credentials) set() bool { return c.ClientID != "" || c.ClientSecret != "" }

// set reports whether any OIDC variable is given.
func (c OIDCConfig) set() bool {
	return c.Issuer != "" || c.ClientID != "" || c.ClientSecret != "" || c.Name != ""
}

// label is the OIDC button label, with its default.
func (c OIDCConfig) label() string {
	if name := strings.TrimSpace(c.Name); name != "" {
		return name
	}
	return DefaultOIDCLabel
}

// callbackURL is where the provider sends the browser back to.
func (c Config) callbackURL(name string) string {
	return strings.TrimRight(c.BaseURL, "/") + "/auth/" + name + "/callback"
}
