package oauth

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"

	"github.com/parleychat/parley/app/parley"
	"golang.org/x/oauth2"
)

// StateBytes is the number of random bytes in a state; the state itself is
// their unpadded base64url form (43 characters).
const StateBytes = 32

// Begin starts a sign-in with the named provider. It returns the URL to send
// the browser to, the fresh random state carried in that URL, and the record
// to keep on the server until the callback: the provider's name, the PKCE
// verifier and goth's marshalled session. The state is not in the record:
// the caller keys the record by a hash of the state and binds the state to
// the browser.
func (p *Providers) Begin(name string) (authURL, state string, pending parley.OAuthPending, err error) {
	b, err := p.backend(name)
	if err == nil {
		state, err = randomToken(StateBytes)
	}
	if err == nil {
		authURL, pending, err = b.begin(state)
	}
	if err != nil {
		return "", "", parley.OAuthPending{}, err
	}
	return authURL, state, pending, nil
}

// begin asks goth for the authorization URL and adds PKCE (and the nonce).
func (b *backend) begin(state string) (string, parley.OAuthPending, error) {
	verifier := oauth2.GenerateVerifier()
	sess, err := b.goth.BeginAuth(state)
	if err != nil {
		return "", parley.OAuthPending{}, fmt.Errorf("oauth: %s: begin: %w", b.Name, err)
	}
	gothURL, err := sess.GetAuthURL()
	if err != nil {
		return "", parley.OAuthPending{}, fmt.Errorf("oauth: %s: begin: %w", b.Name, err)
	}
	authURL, err := withParams(gothURL, b.authParams(verifier))
	if err != nil {
		return "", parley.OAuthPending{}, fmt.Errorf("oauth: %s: begin: %w", b.Name, err)
	}
	pending := parley.OAuthPending{Provider: b.Name, Verifier: verifier, Session: sess.Marshal()}
	return authURL, pending, nil
}

// authParams are what this package adds to goth's authorization URL: the
// PKCE S256 challenge, and for OpenID Connect the nonce.
func (b *backend) authParams(verifier string) url.Values {
	v := url.Values{
		"code_challenge":        {oauth2.S256ChallengeFromVerifier(verifier)},
		"code_challenge_method": {"S256"},
	}
	if b.oidc != nil {
		v.Set("nonce", nonceFor(verifier))
	}
	return v
}

// withParams sets extra query parameters on a URL.
func withParams(raw string, extra url.Values) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	q := u.Query()
	for k, vs := range extra {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// randomToken returns n bytes from crypto/rand, base64url without padding.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("oauth: random state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
