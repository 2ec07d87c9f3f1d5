package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// createRoom creates a public or private room (visibility) and opens it:
// 422 for a malformed name or an unknown visibility, 409 for a taken name
// of whatever kind, 403 for someone who may not create rooms. The
// creator is its first member, and it enters their sidebar.
func (s *Server) createRoom(c *fiber.Ctx) error {
	user, ok := currentUser(c)
	if !ok {
		return signInFirst(c)
	}
	form := roomForm{Name: parley.NormalizeRoomName(c.FormValue("name")), Visibility: c.FormValue("visibility", parley.RoomPublic.String())}
	if !s.canCreateRooms(user) {
		return s.renderRooms(c, fiber.StatusForbidden, user, roomForm{}, i18n.Msg("Only admins create rooms on this server."))
	}
	kind, err := parley.ParseRoomKind(form.Visibility)
	if err != nil || kind == parley.RoomDirect {
		return s.renderRooms(c, fiber.StatusUnprocessableEntity, user, form, i18n.Msg("Visibility must be public or private."))
	}
	if err := parley.ValidateRoomName(form.Name); err != nil {
		return s.renderRooms(c, fiber.StatusUnprocessableEntity, user, form, err.Error())
	}
	ctx, cancel := storeContext(c)
	defer cancel()
	room, err := s.opts.Members.CreateRoomOfKind(ctx, form.Name, kind, user.ID)
	if errors.Is(err, parley.ErrRoomNameTaken) {
		// Whatever the kind of the room that has it: the name is no secret.
		return s.renderRooms(c, fiber.StatusConflict, user, form, locale(c).T("There is already a room called %s.", form.Name))
	} else if err != nil {
		return err
	}
	s.listRoom(room, user.ID)
	return c.Redirect(components.RoomPath(room.Name), fiber.StatusSeeOther)
}

// roomForm is what the creation form sent, kept after a refusal.
type roomForm = components.RoomForm
