package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// banUser bans a person: the store revokes their sessions and refuses new
// ones, and the chat closes their open pages.
func (s *Server) banUser(c *fiber.Ctx) error {
	admin, err := requireAdmin(c)
	if err != nil {
		return err
	}
	return s.finishModeration(c, admin, s.ban(c, admin))
}

func (s *Server) ban(c *fiber.Ctx, admin parley.User) error {
	ctx, cancel := storeContext(c)
	defer cancel()
	target, err := s.targetUser(ctx, c.FormValue("user"))
	if err != nil {
		return err
	}
	if err := notYourself(admin, target, i18n.Msg("You cannot ban yourself.")); err != nil {
		return err
	}
	if err := s.opts.Moderation.Ban(ctx, admin.ID, target.ID); err != nil {
		return unchanged(err, i18n.Msg("%s is banned already."), target.AccountName())
	}
	s.opts.Chat.EndUser(target.ID)
	return nil
}
