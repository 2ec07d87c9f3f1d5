package web

import (
	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
)

// render writes a templ component as the HTML response.
func render(c *fiber.Ctx, status int, page templ.Component) error {
	c.Status(status)
	c.Type("html", "utf-8")
	return page.Render(c.UserContext(), c.Response().BodyWriter())
}
