package web

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

var invalidCredentials = i18n.Msg("Invalid username or password")

// signIn checks a username and password and starts a session.
func (s *Server) signIn(c *fiber.Ctx) error {
	username, password := c.FormValue("username"), c.FormValue("password")
	next := nextPath(c.FormValue("next"))
	refuse := func(status int, msg string) error {
		f := s.authForm(username, msg)
		f.Next = next
		return render(c, status, components.Login(f))
	}
	if !s.authLimiter.Allow(s.clientAddr(c)) {
		s.obs.SignIn("password", ResultRateLimited)
		return refuse(fiber.StatusTooManyRequests, tooManyAttempts)
	}
	ctx, cancel := storeContext(c)
	defer cancel()
	user, hash, err := s.opts.Users.UserByUsername(ctx, username)
	if errors.Is(err, parley.ErrNotFound) {
		hash = s.dummyHash()
	} else if err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || err != nil {
		s.obs.SignIn("password", ResultInvalid)
		return refuse(fiber.StatusUnauthorized, invalidCredentials)
	}
	// The session first: a banned account gets none, and no sign-in is
	// recorded for it.
	if err := s.startSession(c, user); errors.Is(err, parley.ErrBanned) {
		s.obs.SignIn("password", ResultBanned)
		return refuse(fiber.StatusForbidden, bannedAccount)
	} else if err != nil {
		return err
	}
	if err := s.opts.Users.RecordLogin(ctx, user.ID); err != nil {
		return fmt.Errorf("web: record login: %w", err)
	}
	s.obs.SignIn("password", ResultOK)
	return c.Redirect(next, fiber.StatusSeeOther)
}
