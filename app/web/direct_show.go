package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// showDirectPage shows the form that opens a direct conversation (GET
// /dm), filled in with the people ?user names (repeated).
func (s *Server) showDirectPage(c *fiber.Ctx) error {
	user, ok := currentUser(c)
	if !ok {
		return signInFirst(c)
	}
	var names []string
	for _, v := range c.Context().QueryArgs().PeekMulti("user") {
		names = append(names, string(v))
	}
	return s.renderDirect(c, fiber.StatusOK, user, names, "")
}

// renderDirect renders the direct conversation form, with the names and
// the reason after a refusal.
func (s *Server) renderDirect(c *fiber.Ctx, status int, user parley.User, names []string, errMsg string) error {
	if len(names) > components.MaxDirectOthers {
		names = names[:components.MaxDirectOthers]
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, status, components.Direct(components.DirectPage{User: user, Names: names, Error: errMsg}))
}
