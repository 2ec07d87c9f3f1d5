package oauthtest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
)

// tokenError is an OAuth error answer of the token endpoint.
type tokenError struct {
	code, description string
}

// redeem checks a token request: client authentication (HTTP Basic or form),
// the code (single use), the redirect_uri and the PKCE verifier.
func (c *core) redeem(r *http.Request) (grant, *tokenError) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		return grant{}, &tokenError{"invalid_request", "POST a form"}
	}
	if !clientAuthenticated(r) {
		return grant{}, &tokenError{"invalid_client", "client authentication failed"}
	}
	g, ok := c.takeCode(r.PostForm.Get("code"))
	if !ok {
		return grant{}, &tokenError{"invalid_grant", "unknown or used code"}
	}
	if r.PostForm.Get("redirect_uri") != g.redirectURI {
		return grant{}, &tokenError{"invalid_grant", "redirect_uri mismatch"}
	}
	if !pkceMatches(g.challenge, r.PostForm.Get("code_verifier")) {
		return grant{}, &tokenError{"invalid_grant", "PKCE verification failed"}
	}
	return g, nil
}

// clientAuthenticated accepts client_secret_basic and client_secret_post.
func clientAuthenticated(r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	return id == ClientID && subtle.ConstantTimeCompare([]byte(secret), []byte(ClientSecret)) == 1
}

// pkceMatches checks an S256 code verifier against its challenge.
func pkceMatches(challenge, verifier string) bool {
	if verifier == "" {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}
