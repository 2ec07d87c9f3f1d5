package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/components"
)

// showAdminPage shows the moderation page to admins. To anyone else it
// does not exist: a 404, as for any unknown address.
func (s *Server) showAdminPage(c *fiber.Ctx) error {
	user, ok := currentUser(c)
	if !ok {
		return signInFirst(c)
	}
	if !user.Admin {
		return s.showNotFound(c)
	}
	return s.renderAdmin(c, fiber.StatusOK, components.AdminPage{User: user})
}
