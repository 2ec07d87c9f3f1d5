package web

import "github.com/gofiber/fiber/v2"

// showHome sends people to the chat room, or to sign in first.
func (s *Server) showHome(c *fiber.Ctx) error {
	if _, ok := currentUser(c); ok {
		return c.Redirect(landingPath, fiber.StatusSeeOther)
	}
	return c.Redirect("/login", fiber.StatusSeeOther)
}
