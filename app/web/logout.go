package web

import (
	"github.com/gofiber/fiber/v2"
)

// signOut revokes the session, closes its sockets and clears the cookie.
func (s *Server) signOut(c *fiber.Ctx) error {
	if hash, ok := currentSession(c); ok {
		ctx, cancel := storeContext(c)
		defer cancel()
		if err := s.endSession(ctx, hash); err != nil {
			return err
		}
	}
	clearSessionCookie(c, s.secure)
	return c.Redirect("/login", fiber.StatusSeeOther)
}
