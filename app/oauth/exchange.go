package oauth

import (
	"context"
	"errors"
	"fmt"

	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/github"
	"github.com/markbates/goth/providers/gitlab"
	"github.com/markbates/goth/providers/google"
	"github.com/markbates/goth/providers/openidConnect"
	"golang.org/x/oauth2"
)

// exchange redeems the code with the PKCE verifier at the token endpoint.
// goth's Session.Authorize cannot send a verifier (openidConnect's reads it,
// with redirect_uri, from the callback's query, which the browser controls),
// so the exchange is done here and the token handed to goth afterwards.
func (b *backend) exchange(ctx context.Context, code, verifier string) (*oauth2.Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, b.client)
	tok, err := b.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, err
	}
	if !tok.Valid() {
		return nil, errors.New("token endpoint returned no usable access token")
	}
	return tok, nil
}

// setToken fills the goth session with the token, as the provider's own
// Session.Authorize would, so that goth's FetchUser can run. idToken is the
// verified ID token, set only for OpenID Connect.
func setToken(sess goth.Session, tok *oauth2.Token, idToken string) error {
	switch s := sess.(type) {
	case *github.Session:
		s.AccessToken = tok.AccessToken
	case *google.Session:
		s.AccessToken, s.RefreshToken, s.ExpiresAt = tok.AccessToken, tok.RefreshToken, tok.Expiry
	case *gitlab.Session:
		s.AccessToken, s.RefreshToken, s.ExpiresAt = tok.AccessToken, tok.RefreshToken, tok.Expiry
	case *openidConnect.Session:
		s.AccessToken, s.RefreshToken, s.ExpiresAt = tok.AccessToken, tok.RefreshToken, tok.Expiry
		s.IDToken = idToken
	default:
		return fmt.Errorf("unsupported goth session %T", sess)
	}
	return nil
}
