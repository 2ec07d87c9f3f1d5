package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

var tooManyAttempts = i18n.Msg("Too many attempts from your address. Wait a minute and try again.")

// register creates a local account and signs it in.
func (s *Server) register(c *fiber.Ctx) error {
	if !s.opts.RegistrationOpen {
		return fiber.NewError(fiber.StatusNotFound, i18n.Msg("Registration is closed on this server."))
	}
	username, password := c.FormValue("username"), c.FormValue("password")
	refuse := func(status int, msg string) error {
		result := ResultInvalid
		switch status {
		case fiber.StatusTooManyRequests:
			result = ResultRateLimited
		case fiber.StatusConflict:
			result = ResultTaken
		}
		s.obs.SignIn("register", result)
		return render(c, status, components.Register(s.authForm(username, msg)))
	}
	if !s.authLimiter.Allow(s.clientAddr(c)) {
		return refuse(fiber.StatusTooManyRequests, tooManyAttempts)
	}
	if err := parley.ValidateUsername(username); err != nil {
		return refuse(fiber.StatusUnprocessableEntity, err.Error())
	}
	if err := parley.ValidatePassword(password); err != nil {
		return refuse(fiber.StatusUnprocessableEntity, err.Error())
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.opts.BcryptCost)
	if err != nil {
		return err
	}
	ctx, cancel := storeContext(c)
	defer cancel()
	user, err := s.opts.Users.CreateUser(ctx, username, hash)
	if errors.Is(err, parley.ErrUsernameTaken) {
		return refuse(fiber.StatusConflict, i18n.Msg("That username is already taken."))
	} else if err != nil {
		return err
	}
	if err := s.startSession(c, user); err != nil {
		return err
	}
	s.obs.SignIn("register", ResultOK)
	return c.Redirect(landingPath, fiber.StatusSeeOther)
}
