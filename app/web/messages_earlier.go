package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/components"
)

// showEarlierMessages answers "Load earlier messages": the messages before
// ?before=ID, which take the link's place, with a new link on top while
// even older ones exist.
func (s *Server) showEarlierMessages(c *fiber.Ctx) error {
	user, ok := currentUser(c)
	if !ok {
		return fiber.NewError(fiber.StatusUnauthorized, i18n.Msg("Sign in first."))
	}
	before, err := beforeParam(c)
	if err != nil {
		return err
	}
	if before == 0 {
		return fiber.NewError(fiber.StatusBadRequest, i18n.Msg("before is required: the ID of the oldest message shown."))
	}
	ctx, cancel := storeContext(c)
	defer cancel()
	room, access, err := s.findRoom(ctx, user, c.Params("room"))
	if err != nil {
		return err
	}
	msgs, older, err := s.earlierMessages(ctx, room, before)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, fiber.StatusOK, components.EarlierMessages(room, msgs, older, user, access))
}
