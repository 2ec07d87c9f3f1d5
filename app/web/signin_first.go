package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"
)

// signInFirst sends someone who is not signed in to the sign-in page, which
// brings them back to this page afterwards (the room general by default).
func signInFirst(c *fiber.Ctx) error {
	to := "/login"
	if path := nextPath(c.Path()); path != landingPath {
		to += "?next=" + url.QueryEscape(path)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}
