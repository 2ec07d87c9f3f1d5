package web

import "github.com/gofiber/fiber/v2"

// beginOAuth sends the person to the provider's consent page.
func (s *Server) beginOAuth(c *fiber.Ctx) error {
	return fiber.NewError(fiber.StatusNotFound, "No such sign-in provider.")
}

// finishOAuth completes a provider sign-in.
func (s *Server) finishOAuth(c *fiber.Ctx) error {
	return fiber.NewError(fiber.StatusNotFound, "No such sign-in provider.")
}
