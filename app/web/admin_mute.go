package web

import (
	"fmt"
	"time"

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
	return s.finishModeration(c, admin, s.mute(c, admin))
}

func (s *Server) mute(c *fiber.Ctx, admin parley.User) error {
	length, err := parley.ParseMuteMinutes(c.FormValue("minutes"))
	if err != nil {
		return formRefused(fiber.StatusUnprocessableEntity, err.Error())
	}
	ctx, cancel := storeContext(c)
	defer cancel()
	target, err := s.targetUser(ctx, c.FormValue("user"))
	if err != nil {
		return err
	}
	if err := notYourself(admin, target, i18n.Msg("You cannot mute yourself.")); err != nil {
		return err
	}
	if err := s.opts.Moderation.Mute(ctx, admin.ID, target.ID, time.Now().Add(length)); err != nil {
		return fmt.Errorf("web: mute: %w", err)
	}
	return nil
}
