package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/github"
	"github.com/parleychat/parley/app/parley"
)

// Complete finishes a sign-in from the provider's callback: callback is the
// callback URL's query and pending the record Begin returned for its state.
// The caller must already have checked the state (constant time, single use);
// Complete does not. It handles the provider's error responses, redeems the
// code with the PKCE verifier, verifies the OpenID Connect ID token, fetches
// the profile through goth and maps it to an Identity. Every error is an
// *Error whose Kind is one of the Err* values.
func (p *Providers) Complete(ctx context.Context, name string, pending parley.OAuthPending, callback url.Values) (parley.Identity, error) {
	b, err := p.backend(name)
	if err != nil {
		return parley.Identity{}, err
	}
	if err := b.checkPending(pending); err != nil {
		return parley.Identity{}, err
	}
	if err := b.checkCallback(callback); err != nil {
		return parley.Identity{}, err
	}
	user, err := b.signIn(ctx, pending, callback.Get("code"))
	if err != nil {
		return parley.Identity{}, err
	}
	return b.identity(user)
}

// checkPending rejects a record made for another provider or without PKCE.
func (b *backend) checkPending(pending parley.OAuthPending) error {
	if pending.Provider != b.Name {
		return b.fail(ErrPending, fmt.Errorf("record is for provider %q", pending.Provider))
	}
	if pending.Verifier == "" {
		return b.fail(ErrPending, errors.New("record has no PKCE verifier"))
	}
	return nil
}

// signIn redeems the code, verifies the ID token where there is one and
// fetches the user through goth.
func (b *backend) signIn(ctx context.Context, pending parley.OAuthPending, code string) (goth.User, error) {
	sess, err := b.goth.UnmarshalSession(pending.Session)
	if err != nil {
		return goth.User{}, b.fail(ErrPending, fmt.Errorf("goth session: %w", err))
	}
	tok, err := b.exchange(ctx, code, pending.Verifier)
	if err != nil {
		return goth.User{}, b.fail(ErrExchange, err)
	}
	var idToken string
	if b.oidc != nil {
		if idToken, err = b.oidc.check(ctx, tok, nonceFor(pending.Verifier)); err != nil {
			return goth.User{}, b.fail(ErrIDToken, err)
		}
	}
	if err := setToken(sess, tok, idToken); err != nil {
		return goth.User{}, b.fail(ErrExchange, err)
	}
	user, err := b.fetchUser(sess)
	if err != nil {
		return goth.User{}, b.fail(ErrProfile, err)
	}
	return user, nil
}

// fetchUser asks goth for the profile. goth's GitHub provider fails when the
// account has no verified primary email; the email is optional here, so the
// sign-in goes on without it.
func (b *backend) fetchUser(sess goth.Session) (goth.User, error) {
	user, err := b.goth.FetchUser(sess)
	if errors.Is(err, github.ErrNoVerifiedGitHubPrimaryEmail) {
		user.Email, err = "", nil
	}
	return user, err
}
