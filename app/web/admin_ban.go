package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
)

// banUser bans a person: the store revokes their sessions and refuses new
// ones, and the chat closes their open pages.
func (s *Server) banUser(c *fiber.Ctx) error {
	admin, err := requireAdmin(c)
	if err != nil {
		return err
	}
	ctx, cancel := storeContext(c)
	defer cancel()
	target, err := s.opts.Moderator.Ban(ctx, admin, c.FormValue("user"))
	err = refusedModeration(err, c.FormValue("user"), target, i18n.Msg("You cannot ban yourself."), i18n.Msg("%s is banned already."))
	return s.finishModeration(c, admin, err)
}
