package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// unbanUser lifts a ban: the person may sign in again.
func (s *Server) unbanUser(c *fiber.Ctx) error {
	admin, err := requireAdmin(c)
	if err != nil {
		return err
	}
	return s.finishModeration(c, admin, s.unban(c, admin))
}

func (s *Server) unban(c *fiber.Ctx, admin parley.User) error {
	ctx, cancel := storeContext(c)
	defer cancel()
	target, err := s.targetUser(ctx, c.FormValue("user"))
	if err != nil {
		return err
	}
	err = s.opts.Moderation.Unban(ctx, admin.ID, target.ID)
	return unchanged(err, i18n.Msg("%s is not banned."), target.AccountName())
}
