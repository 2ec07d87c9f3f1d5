// Package oauthtest provides fake OAuth providers for tests: a GitHub and an
// OpenID Connect provider, each an httptest server on loopback that speaks the
// real HTTP protocol (authorize redirect, token endpoint with client
// authentication and PKCE check, profile or userinfo, discovery and JWKS), with
// knobs to make them fail. Consent plays the browser at the authorize step.
//
// The fakes insist on PKCE S256: an authorization request without a
// code_challenge is refused, and the token endpoint checks the verifier.
package oauthtest
