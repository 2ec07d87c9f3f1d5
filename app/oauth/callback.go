package oauth

import (
	"errors"
	"fmt"
	"net/url"
)

// maxEchoed bounds how much of the provider's error text goes into logs.
const maxEchoed = 200

// checkCallback turns the provider's error response, a foreign issuer
// (RFC 9207 "iss") or a missing code into an error.
func (b *backend) checkCallback(q url.Values) error {
	if code := q.Get("error"); code != "" {
		cause := fmt.Errorf("error=%q error_description=%q", clip(code), clip(q.Get("error_description")))
		if code == "access_denied" {
			return b.fail(ErrDenied, cause)
		}
		return b.fail(ErrProviderError, cause)
	}
	if b.oidc != nil && q.Has("iss") && q.Get("iss") != b.oidc.issuer {
		return b.fail(ErrProviderError, fmt.Errorf("callback iss %q is not the issuer", clip(q.Get("iss"))))
	}
	if q.Get("code") == "" {
		return b.fail(ErrMissingCode, errors.New("no code in the callback"))
	}
	return nil
}

// clip shortens text the provider (or anyone crafting a URL) controls.
func clip(s string) string {
	if len(s) > maxEchoed {
		return s[:maxEchoed] + "..."
	}
	return s
}
