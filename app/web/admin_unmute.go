package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
)

// unmuteUser ends a mute early.
func (s *Server) unmuteUser(c *fiber.Ctx) error {
	admin, err := requireAdmin(c)
	if err != nil {
		return err
	}
	ctx, cancel := storeContext(c)
	defer cancel()
	target, err := s.opts.Moderator.Unmute(ctx, admin, c.FormValue("user"))
	err = refusedModeration(err, c.FormValue("user"), target, "", i18n.Msg("%s is not muted."))
	return s.finishModeration(c, admin, err)
}
