package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
)

// unbanUser lifts a ban: the person may sign in again.
func (s *Server) unbanUser(c *fiber.Ctx) error {
	admin, err := requireAdmin(c)
	if err != nil {
		return err
	}
	ctx, cancel := storeContext(c)
	defer cancel()
	target, err := s.opts.Moderator.Unban(ctx, admin, c.FormValue("user"))
	err = refusedModeration(err, c.FormValue("user"), target, "", i18n.Msg("%s is not banned."))
	return s.finishModeration(c, admin, err)
}
