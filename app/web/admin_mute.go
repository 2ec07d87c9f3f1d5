package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// muteUser keeps a person from sending for some minutes; they still read.
func (s *Server) muteUser(c *fiber.Ctx) error {
	admin, err := requireAdmin(c)
	if err != nil {
		return err
	}
	length, err := parley.ParseMuteMinutes(c.FormValue("minutes"))
	if err != nil {
		return s.finishModeration(c, admin, formRefused(fiber.StatusUnprocessableEntity, err.Error()))
	}
	ctx, cancel := storeContext(c)
	defer cancel()
	target, err := s.opts.Moderator.Mute(ctx, admin, c.FormValue("user"), length)
	err = refusedModeration(err, c.FormValue("user"), target, i18n.Msg("You cannot mute yourself."), "")
	return s.finishModeration(c, admin, err)
}
