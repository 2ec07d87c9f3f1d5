package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/components"
)

// settingsPath is the settings page, where its form comes back to.
const settingsPath = "/settings"

// showSettingsPage shows the language and time zone chosen so far: the
// account's for someone signed in, the browser's cookies for a visitor.
func (s *Server) showSettingsPage(c *fiber.Ctx) error {
	page := components.SettingsPage{Saved: c.Query("saved") != ""}
	if user, ok := currentUser(c); ok {
		page.SignedIn, page.Lang, page.Zone = true, user.Language, user.TimeZone
	} else {
		page.Lang, page.Zone = c.Cookies(langCookie), c.Cookies(zoneCookie)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, fiber.StatusOK, components.Settings(page))
}
