package web

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
)

// OAuth sign-in, in two handlers: beginOAuth (oauth_begin.go) sends the
// person to the provider, finishOAuth (oauth_finish.go) takes them back.
// The provider side (goth, PKCE, ID token checks) lives in app/oauth; this
// adapter keeps the state on the server, binds it to the browser with a
// short-lived cookie and turns the outcome into a session or a login page.
const (
	// oauthStateCookie begins the name of the cookie that holds the state
	// of a sign-in under way in this browser (see stateCookieName); the
	// callback must carry the same state in its query.
	oauthStateCookie = "parley_oauth_state_"
	// oauthCookiePath limits the cookie to the sign-in routes.
	oauthCookiePath = "/auth/"
	// oauthStateTTL is how long a person may take at the provider.
	oauthStateTTL = 10 * time.Minute
	// oauthTimeout bounds the callback's talk with the provider: token
	// exchange, keys and profile, each request also bounded by the client.
	oauthTimeout = 30 * time.Second
	// maxStateLength is far above the 43 characters of a real state.
	maxStateLength = 256
	// maxCallbackStates bounds the states of one callback whose cookies
	// it clears: a real one names one.
	maxCallbackStates = 4
)

// Messages for failures that are not the provider's.
var (
	oauthStateFailed = i18n.Msg("Sign-in failed: the request expired or was already used. Please try again.")
	noSuchProvider   = i18n.Msg("No such sign-in provider.")
)

// hashState is the key of a pending sign-in in the store: a copy of the
// database cannot be used to finish anyone's sign-in.
func hashState(state string) []byte {
	sum := sha256.Sum256([]byte(state))
	return sum[:]
}

// stateCookieName is the name of the cookie that holds state: each
// sign-in under way has its own, so that one begun in another tab (or
// begun again) does not make this one fail. The name comes from the
// state's hash, so that a callback finds its cookie and no other.
func stateCookieName(state string) string {
	return oauthStateCookie + hex.EncodeToString(hashState(state)[:8])
}

// setStateCookie binds a sign-in's state to this browser until expires.
// SameSite=Lax: the provider's redirect back is a top-level GET that must
// carry it.
func (s *Server) setStateCookie(c *fiber.Ctx, state string, expires time.Time) {
	c.Cookie(&fiber.Cookie{
		Name:     stateCookieName(state),
		Value:    state,
		Path:     oauthCookiePath,
		MaxAge:   int(oauthStateTTL / time.Second),
		Expires:  expires,
		HTTPOnly: true,
		Secure:   s.secure,
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// clearStateCookie removes state's cookie: a state serves one callback.
func (s *Server) clearStateCookie(c *fiber.Ctx, state string) {
	c.Cookie(&fiber.Cookie{
		Name:     stateCookieName(state),
		Value:    "",
		Path:     oauthCookiePath,
		MaxAge:   -1,
		Expires:  time.Unix(0, 0),
		HTTPOnly: true,
		Secure:   s.secure,
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}
