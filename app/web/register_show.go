package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/components"
)

// showRegisterPage shows the sign-up form while registration is open.
func (s *Server) showRegisterPage(c *fiber.Ctx) error {
	if !s.opts.RegistrationOpen {
		return fiber.NewError(fiber.StatusNotFound, i18n.Msg("Registration is closed on this server."))
	}
	if _, ok := currentUser(c); ok {
		return c.Redirect(landingPath, fiber.StatusSeeOther)
	}
	return render(c, fiber.StatusOK, components.Register(s.authForm("", "")))
}
