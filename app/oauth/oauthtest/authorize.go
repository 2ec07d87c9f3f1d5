package oauthtest

import (
	"net/http"
	"net/url"
)

// authorize is the authorization endpoint: it checks the client and the PKCE
// challenge and redirects back to redirect_uri like a consenting person, or
// with error=access_denied when the fake denies.
func (c *core) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	if q.Get("client_id") != ClientID || err != nil || !back.IsAbs() {
		// Never redirect to an unverified redirect_uri.
		http.Error(w, "unknown client or bad redirect_uri", http.StatusBadRequest)
		return
	}
	answer := url.Values{"state": {q.Get("state")}}
	switch {
	case c.denying():
		answer.Set("error", "access_denied")
		answer.Set("error_description", "The user has denied your application access.")
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		answer.Set("error", "invalid_request")
		answer.Set("error_description", "PKCE S256 code_challenge required")
	default:
		answer.Set("code", c.issueCode(grant{
			redirectURI: back.String(),
			challenge:   q.Get("code_challenge"),
			nonce:       q.Get("nonce"),
		}))
	}
	back.RawQuery = answer.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}
