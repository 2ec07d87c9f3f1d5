package oauthtest

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Test client credentials every fake accepts.
const (
	ClientID     = "parley-test-client"
	ClientSecret = "parley-test-secret"
)

// grant is what an authorization code stands for.
type grant struct {
	redirectURI string
	challenge   string
	nonce       string
}

// core is the OAuth machinery the fakes share: the server, codes, access
// tokens and the failure knobs. Its fields are guarded by mu because the
// server's handlers run on their own goroutines.
type core struct {
	srv *httptest.Server

	mu            sync.Mutex
	codes         map[string]grant
	tokens        map[string]bool
	lastChallenge string
	deny          bool
	failToken     bool
}

// start serves mux on loopback until the test ends.
func (c *core) start(t testing.TB, mux *http.ServeMux) {
	c.codes = map[string]grant{}
	c.tokens = map[string]bool{}
	c.srv = httptest.NewServer(mux)
	t.Cleanup(c.srv.Close)
}

// URL is the fake's base URL, e.g. http://127.0.0.1:40123.
func (c *core) URL() string { return c.srv.URL }

// DenyConsent makes the authorize endpoint send the browser back with
// error=access_denied, as when the person clicks "Cancel".
func (c *core) DenyConsent() { c.set(func() { c.deny = true }) }

// FailTokenEndpoint makes the token endpoint answer 500.
func (c *core) FailTokenEndpoint() { c.set(func() { c.failToken = true }) }

// LastChallenge returns the code_challenge of the latest authorization.
func (c *core) LastChallenge() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastChallenge
}

// set runs f under the lock.
func (c *core) set(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f()
}

// issueCode stores a grant and returns its single-use code.
func (c *core) issueCode(g grant) string {
	code := randomString()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.codes[code] = g
	c.lastChallenge = g.challenge
	return code
}

// takeCode returns and forgets the grant of a code.
func (c *core) takeCode(code string) (grant, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, ok := c.codes[code]
	delete(c.codes, code)
	return g, ok
}

// issueToken returns a new access token.
func (c *core) issueToken() string {
	tok := randomString()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tokens[tok] = true
	return tok
}

// authorized reports whether the request carries a valid bearer token
// ("Bearer" or GitHub's older "token" scheme).
func (c *core) authorized(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || (!strings.EqualFold(scheme, "bearer") && !strings.EqualFold(scheme, "token")) {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tokens[tok]
}

// denying reports whether the authorize endpoint denies.
func (c *core) denying() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deny
}

// failingToken reports whether the token endpoint fails.
func (c *core) failingToken() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failToken
}

// randomString returns 24 random bytes, base64url.
func randomString() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// IssuedTokens returns every access token the fake has handed out, so that
// a test can check that none of them shows up where it must not.
func (c *core) IssuedTokens() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	toks := make([]string, 0, len(c.tokens))
	for tok := range c.tokens {
		toks = append(toks, tok)
	}
	return toks
}
