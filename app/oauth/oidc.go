package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/markbates/goth/providers/openidConnect"
	"golang.org/x/oauth2"
)

// oidcScopes ask for the subject, the profile (names, picture) and the email.
var oidcScopes = []string{oidc.ScopeOpenID, "profile", "email"}

// discovery holds the discovery fields go-oidc does not expose directly.
type discovery struct {
	EndSession  string   `json:"end_session_endpoint"`
	AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
}

// newOIDC discovers the issuer once, with go-oidc and the configured client,
// and hands the endpoints it found to goth's openidConnect provider (goth's
// own discovery would use http.DefaultClient and check nothing). The ID token
// is verified by go-oidc: goth only decodes it.
func newOIDC(ctx context.Context, cfg Config, client *http.Client) (*backend, error) {
	c := cfg.OIDC
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, client), c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oauth: OIDC_ISSUER: discovery failed: %w", err)
	}
	var meta discovery
	if err := op.Claims(&meta); err != nil {
		return nil, fmt.Errorf("oauth: OIDC_ISSUER: discovery failed: %w", err)
	}
	e := op.Endpoint()
	if e.AuthURL == "" || e.TokenURL == "" {
		return nil, errors.New("oauth: OIDC_ISSUER: discovery failed: no authorization or token endpoint")
	}
	e.AuthStyle = authStyle(meta.AuthMethods)
	callback := cfg.callbackURL("oidc")
	gp, err := openidConnect.NewCustomisedURL(c.ClientID, c.ClientSecret, callback,
		e.AuthURL, e.TokenURL, c.Issuer, op.UserInfoEndpoint(), meta.EndSession, oidcScopes...)
	if err != nil {
		return nil, fmt.Errorf("oauth: OIDC_ISSUER: %w", err)
	}
	gp.SetName("oidc")
	gp.HTTPClient = client
	creds := Credentials{ClientID: c.ClientID, ClientSecret: c.ClientSecret}
	return &backend{
		Provider: Provider{Name: "oidc", Label: cfg.OIDC.label()},
		goth:     gp,
		oauth:    exchangeConfig(creds, callback, e.AuthURL, e.TokenURL, e.AuthStyle),
		client:   client,
		oidc:     &idTokenCheck{issuer: c.Issuer, verifier: op.Verifier(&oidc.Config{ClientID: c.ClientID})},
	}, nil
}

// authStyle picks how to send the client secret from the methods the issuer
// supports; OpenID Connect's default is client_secret_basic.
func authStyle(methods []string) oauth2.AuthStyle {
	if len(methods) == 0 || slices.Contains(methods, "client_secret_basic") {
		return oauth2.AuthStyleInHeader
	}
	if slices.Contains(methods, "client_secret_post") {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleAutoDetect
}
