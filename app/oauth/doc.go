// Package oauth signs people in through OAuth providers: GitHub, Google,
// GitLab and any OpenID Connect provider. It calls goth's providers directly
// (never gothic), adds PKCE (S256) to every flow, does the code exchange
// itself with golang.org/x/oauth2 and verifies OpenID Connect ID tokens with
// github.com/coreos/go-oidc.
//
// The package knows no HTTP framework and no database. The web layer:
//
//  1. calls [Providers.Begin], keeps the returned [parley.OAuthPending] on the
//     server keyed by a hash of the state, binds the state to the browser
//     (cookie) and redirects to the returned URL;
//  2. on the callback, checks the state (constant time, single use), takes the
//     pending record and calls [Providers.Complete] with the callback's query;
//  3. shows [UserMessage] of any error to the person.
//
// Callback URL to register with each provider: BASE_URL/auth/{name}/callback,
// where name is github, google, gitlab or oidc.
package oauth
