package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/components"
)

// beginOAuth sends the person to the provider's consent page with a fresh
// state (and PKCE challenge), keeping what the callback needs on the server.
func (s *Server) beginOAuth(c *fiber.Ctx) error {
	name := strings.Clone(c.Params("provider"))
	if _, ok := s.opts.Providers.Lookup(name); !ok {
		return fiber.NewError(fiber.StatusNotFound, noSuchProvider)
	}
	if !s.authLimiter.Allow(s.clientAddr(c)) {
		return render(c, fiber.StatusTooManyRequests, components.Login(s.authForm("", tooManyAttempts)))
	}
	authURL, state, pending, err := s.opts.Providers.Begin(name)
	if err != nil {
		return fmt.Errorf("web: begin %s sign-in: %w", name, err)
	}
	expires := time.Now().Add(oauthStateTTL)
	ctx, cancel := storeContext(c)
	defer cancel()
	if err := s.opts.OAuthStates.SaveOAuthState(ctx, hashState(state), pending, expires); err != nil {
		return fmt.Errorf("web: begin %s sign-in: %w", name, err)
	}
	s.setStateCookie(c, state, expires)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Redirect(authURL, fiber.StatusSeeOther)
}
