package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// idTokenCheck verifies an OpenID Connect ID token: signature against the
// issuer's JWKS, issuer, audience and expiry (go-oidc), then the nonce.
type idTokenCheck struct {
	issuer   string
	verifier *oidc.IDTokenVerifier
}

// check returns the raw ID token of the token response once it is verified.
func (c *idTokenCheck) check(ctx context.Context, tok *oauth2.Token, nonce string) (string, error) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", errors.New("token response has no id_token")
	}
	idToken, err := c.verifier.Verify(ctx, raw)
	if err != nil {
		return "", err
	}
	if subtle.ConstantTimeCompare([]byte(idToken.Nonce), []byte(nonce)) != 1 {
		return "", errors.New("id_token nonce does not match the sign-in")
	}
	return raw, nil
}

// nonceFor derives the OpenID Connect nonce from the PKCE verifier, so that
// the pending record needs no extra field. The verifier is secret and random;
// the nonce reveals nothing of it.
func nonceFor(verifier string) string {
	sum := sha256.Sum256([]byte("parley oidc nonce\x00" + verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
