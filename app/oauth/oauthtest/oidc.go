package oauthtest

import (
	"crypto/rsa"
	"net/http"
	"testing"
	"time"

	"github.com/parleychat/parley/app/oauth"
)

// OIDCUser is who the fake OpenID Connect provider signs in. Empty claims
// are left out of the ID token and the userinfo answer.
type OIDCUser struct {
	Subject, Name, PreferredUsername, Email, Picture string
}

// DefaultOIDCUser is the person a new fake OIDC provider signs in.
func DefaultOIDCUser() OIDCUser {
	return OIDCUser{
		Subject:           "248289761001",
		Name:              "Ada Lovelace",
		PreferredUsername: "ada",
		Email:             "ada@example.test",
		Picture:           "https://id.example.test/ada.png",
	}
}

// OIDC is a fake OpenID Connect provider: discovery, JWKS, authorize, token
// (with an RS256-signed ID token) and userinfo. Its issuer is its URL.
type OIDC struct {
	core
	key, wrongKey *rsa.PrivateKey

	user       OIDCUser
	audience   string
	expired    bool
	badSig     bool
	forgeNonce bool
}

// NewOIDC starts a fake OpenID Connect provider on loopback for the length
// of the test.
func NewOIDC(t testing.TB) *OIDC {
	keys, err := testKeys()
	if err != nil {
		t.Fatalf("oauthtest: generate RSA keys: %v", err)
	}
	o := &OIDC{key: keys[0], wrongKey: keys[1], user: DefaultOIDCUser(), audience: ClientID}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", o.discovery)
	mux.HandleFunc("GET /jwks", o.keys)
	mux.HandleFunc("GET /authorize", o.authorize)
	mux.HandleFunc("POST /token", o.token)
	mux.HandleFunc("GET /userinfo", o.userinfo)
	o.start(t, mux)
	return o
}

// Issuer is the fake's issuer URL (for OIDC_ISSUER).
func (o *OIDC) Issuer() string { return o.URL() }

// Config is the OIDC configuration that signs in at this fake.
func (o *OIDC) Config() oauth.OIDCConfig {
	return oauth.OIDCConfig{Issuer: o.Issuer(), ClientID: ClientID, ClientSecret: ClientSecret}
}

// SetUser changes who the fake signs in.
func (o *OIDC) SetUser(u OIDCUser) { o.set(func() { o.user = u }) }

// SignWithWrongKey signs ID tokens with a key the JWKS does not publish
// (under the published key ID): a bad signature.
func (o *OIDC) SignWithWrongKey() { o.set(func() { o.badSig = true }) }

// SetAudience puts aud in ID tokens instead of the client ID.
func (o *OIDC) SetAudience(aud string) { o.set(func() { o.audience = aud }) }

// IssueExpiredTokens issues ID tokens that expired an hour ago.
func (o *OIDC) IssueExpiredTokens() { o.set(func() { o.expired = true }) }

// ForgeNonce puts a nonce in ID tokens other than the one the client sent.
func (o *OIDC) ForgeNonce() { o.set(func() { o.forgeNonce = true }) }

// discovery serves the provider metadata.
func (o *OIDC) discovery(w http.ResponseWriter, _ *http.Request) {
	base := o.URL()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                base,
		"authorization_endpoint":                base + "/authorize",
		"token_endpoint":                        base + "/token",
		"userinfo_endpoint":                     base + "/userinfo",
		"jwks_uri":                              base + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "profile", "email"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

// keys serves the JWKS with the issuer's public key only.
func (o *OIDC) keys(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jwks(&o.key.PublicKey))
}

// token redeems a code for an access token and a signed ID token.
func (o *OIDC) token(w http.ResponseWriter, r *http.Request) {
	if o.failingToken() {
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	g, terr := o.redeem(r)
	if terr == nil && r.PostForm.Get("grant_type") != "authorization_code" {
		terr = &tokenError{"unsupported_grant_type", "want authorization_code"}
	}
	if terr != nil {
		status := http.StatusBadRequest
		if terr.code == "invalid_client" {
			status = http.StatusUnauthorized
		}
		writeJSON(w, status, map[string]string{"error": terr.code, "error_description": terr.description})
		return
	}
	idToken, err := o.idToken(g)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": o.issueToken(), "token_type": "Bearer",
		"expires_in": 3600, "id_token": idToken,
	})
}

// idToken signs the ID token for a grant, applying the knobs.
func (o *OIDC) idToken(g grant) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := time.Now()
	if o.expired {
		now = now.Add(-2 * time.Hour)
	}
	claims := o.user.claims()
	claims["iss"] = o.URL()
	claims["aud"] = o.audience
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(time.Hour).Unix()
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	if o.forgeNonce {
		claims["nonce"] = "forged-" + randomString()
	}
	key := o.key
	if o.badSig {
		key = o.wrongKey
	}
	return signRS256(key, claims)
}

// userinfo serves the signed-in person's claims to a bearer of a token.
func (o *OIDC) userinfo(w http.ResponseWriter, r *http.Request) {
	if !o.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	o.mu.Lock()
	claims := o.user.claims()
	o.mu.Unlock()
	writeJSON(w, http.StatusOK, claims)
}

// claims are the user's non-empty standard claims.
func (u OIDCUser) claims() map[string]any {
	c := map[string]any{}
	for name, value := range map[string]string{
		"sub": u.Subject, "name": u.Name, "preferred_username": u.PreferredUsername,
		"email": u.Email, "picture": u.Picture,
	} {
		if value != "" {
			c[name] = value
		}
	}
	return c
}
