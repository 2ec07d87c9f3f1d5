package web

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/moderation"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// deleteMessage removes a message for its author or an admin: 403 for
// anyone else, 404 for an unknown message. Every open page of the room
// loses it over its socket. htmx gets an empty 200 (the socket does the
// swap); a plain form goes back to the room.
func (s *Server) deleteMessage(c *fiber.Ctx) error {
	user, ok := currentUser(c)
	if !ok {
		return fiber.NewError(fiber.StatusUnauthorized, i18n.Msg("Sign in first."))
	}
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return fiber.NewError(fiber.StatusNotFound, noSuchMessage)
	}
	ctx, cancel := storeContext(c)
	defer cancel()
	_, room, err := s.opts.Moderator.DeleteMessage(ctx, user, id)
	switch {
	case errors.Is(err, parley.ErrNotFound):
		return fiber.NewError(fiber.StatusNotFound, noSuchMessage)
	case errors.Is(err, moderation.ErrNotAllowed):
		return fiber.NewError(fiber.StatusForbidden, i18n.Msg("Only its author or an admin can delete this message."))
	case err != nil:
		return fmt.Errorf("web: delete message: %w", err)
	}
	if c.Get("HX-Request") == "true" {
		c.Status(fiber.StatusOK) // and no body: SendStatus would add "OK"
		return nil
	}
	return c.Redirect(components.RoomPath(room.Name), fiber.StatusSeeOther)
}

var noSuchMessage = i18n.Msg("There is no such message. It may have been deleted already.")
