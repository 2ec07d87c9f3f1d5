package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/oauth"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// errBadState is a callback whose state is missing, foreign to this
// browser, unknown, expired or already used.
var errBadState = errors.New("bad oauth state")

// finishOAuth completes a provider sign-in: it checks the state against the
// browser's cookie and takes the pending sign-in (once), lets the provider
// package redeem the code and read the profile, then finds or creates the
// user and starts a new session. Every failure of the sign-in itself shows
// the sign-in page again with a 4xx status and stores nothing; a failing
// database is a 500, as elsewhere.
func (s *Server) finishOAuth(c *fiber.Ctx) error {
	// Copied: Fiber reuses the request's buffers once the handler returns,
	// and these go into errors and the pending sign-in's checks.
	name := strings.Clone(c.Params("provider"))
	if _, ok := s.opts.Providers.Lookup(name); !ok {
		return fiber.NewError(fiber.StatusNotFound, noSuchProvider)
	}
	// The raw query (string() copies it), parsed by net/url: every value,
	// repeated ones too, as the provider sent it.
	query, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return s.refuseOAuth(c, name, fiber.StatusBadRequest, oauthStateFailed,
			fmt.Errorf("%w: malformed callback query: %v", errBadState, err))
	}
	// A state serves one callback, a failed one too: the states it names
	// lose their cookies. Only the one state of a callback that names one
	// is checked (takeOAuthState refuses none, several or an overlong one).
	states := query["state"]
	var cookie string
	for i, state := range states[:min(len(states), maxCallbackStates)] {
		if state == "" || len(state) > maxStateLength {
			continue
		}
		v := c.Cookies(stateCookieName(state))
		if v == "" {
			continue
		}
		if i == 0 && len(states) == 1 {
			cookie = strings.Clone(v)
		}
		s.clearStateCookie(c, state)
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), oauthTimeout)
	defer cancel()
	pending, err := s.takeOAuthState(ctx, name, query, cookie)
	if errors.Is(err, errBadState) {
		return s.refuseOAuth(c, name, fiber.StatusBadRequest, oauthStateFailed, err)
	} else if err != nil {
		return err
	}
	identity, err := s.opts.Providers.Complete(ctx, name, pending, query)
	if err != nil {
		return s.refuseOAuth(c, name, oauthFailureStatus(err), oauth.UserMessage(err), err)
	}
	user, err := s.opts.Users.UpsertIdentity(ctx, identity)
	if err != nil {
		return fmt.Errorf("web: %s sign-in: %w", name, err)
	}
	if err := s.startSession(c, user); errors.Is(err, parley.ErrBanned) {
		return s.refuseOAuth(c, name, fiber.StatusForbidden, bannedAccount, err)
	} else if err != nil {
		return err
	}
	s.log.Info("web: oauth sign-in", "provider", name, "user_id", user.ID)
	s.obs.SignIn(name, ResultOK)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Redirect(landingPath, fiber.StatusSeeOther)
}

// takeOAuthState checks that the callback carries exactly one state, that
// it equals the one this browser's cookie holds (constant time), and takes
// its pending sign-in from the store, which deletes it: a replay finds
// nothing. The pending sign-in must be for the provider of the callback.
// State problems wrap errBadState; other errors are the store's.
func (s *Server) takeOAuthState(ctx context.Context, provider string, query url.Values, cookie string) (parley.OAuthPending, error) {
	states := query["state"]
	switch {
	case len(states) == 0 || states[0] == "":
		return parley.OAuthPending{}, fmt.Errorf("%w: callback has no state", errBadState)
	case len(states) > 1:
		return parley.OAuthPending{}, fmt.Errorf("%w: callback has %d states", errBadState, len(states))
	case len(states[0]) > maxStateLength:
		return parley.OAuthPending{}, fmt.Errorf("%w: state of %d bytes", errBadState, len(states[0]))
	case cookie == "":
		return parley.OAuthPending{}, fmt.Errorf("%w: no state cookie in this browser", errBadState)
	}
	state := states[0]
	if subtle.ConstantTimeCompare([]byte(state), []byte(cookie)) != 1 {
		return parley.OAuthPending{}, fmt.Errorf("%w: state does not match this browser's cookie", errBadState)
	}
	pending, err := s.opts.OAuthStates.TakeOAuthState(ctx, hashState(state))
	switch {
	case errors.Is(err, parley.ErrNotFound):
		return parley.OAuthPending{}, fmt.Errorf("%w: state unknown, expired or already used", errBadState)
	case err != nil:
		return parley.OAuthPending{}, fmt.Errorf("web: %s sign-in: %w", provider, err)
	case pending.Provider != provider:
		return parley.OAuthPending{}, fmt.Errorf("%w: state was issued for provider %q", errBadState, pending.Provider)
	}
	return pending, nil
}

// oauthFailureStatus is the status of a sign-in the provider side refused:
// 403 when the person cancelled or the account cannot be used, 400 for a
// callback that does not fit, 401 when the provider's answer (token, ID
// token, profile) could not be trusted or read.
func oauthFailureStatus(err error) int {
	switch {
	case errors.Is(err, oauth.ErrUnknownProvider):
		return fiber.StatusNotFound
	case errors.Is(err, oauth.ErrDenied), errors.Is(err, oauth.ErrNoDisplayName):
		return fiber.StatusForbidden
	case errors.Is(err, oauth.ErrProviderError), errors.Is(err, oauth.ErrMissingCode), errors.Is(err, oauth.ErrPending):
		return fiber.StatusBadRequest
	}
	return fiber.StatusUnauthorized
}

// refuseOAuth logs why a sign-in failed and shows the sign-in page again
// with msg, which never repeats what the provider or the request said.
func (s *Server) refuseOAuth(c *fiber.Ctx, provider string, status int, msg string, err error) error {
	level := slog.LevelWarn
	if errors.Is(err, oauth.ErrDenied) {
		level = slog.LevelInfo
	}
	s.log.Log(context.Background(), level, "web: oauth sign-in refused",
		"provider", provider, "status", status, "ip", s.clientAddr(c), "err", err)
	s.obs.SignIn(provider, ResultFailed)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, status, components.Login(s.authForm("", msg)))
}
