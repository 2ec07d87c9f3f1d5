package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// createRoom creates a room and opens it: 422 for a malformed name, 409
// for a taken one, 403 for someone who may not create rooms.
func (s *Server) createRoom(c *fiber.Ctx) error {
	user, ok := currentUser(c)
	if !ok {
		return signInFirst(c)
	}
	name := parley.NormalizeRoomName(c.FormValue("name"))
	if !s.canCreateRooms(user) {
		return s.renderRooms(c, fiber.StatusForbidden, user, "", i18n.Msg("Only admins create rooms on this server."))
	}
	if err := parley.ValidateRoomName(name); err != nil {
		return s.renderRooms(c, fiber.StatusUnprocessableEntity, user, name, err.Error())
	}
	ctx, cancel := storeContext(c)
	defer cancel()
	room, err := s.opts.Rooms.CreateRoom(ctx, name, user.ID)
	if errors.Is(err, parley.ErrRoomNameTaken) {
		return s.renderRooms(c, fiber.StatusConflict, user, name, locale(c).T("There is already a room called %s.", name))
	} else if err != nil {
		return err
	}
	return c.Redirect(components.RoomPath(room.Name), fiber.StatusSeeOther)
}
