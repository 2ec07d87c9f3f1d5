package web

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// removeMember takes the person the user field names out of a private
// room (POST /r/{room}/members/remove), which its creator and admins
// may: 403 for anyone else, 422 with the reason for a name that is
// nobody's or not a member's. Their open pages of the room get the notice
// and close, on every instance, and the room leaves their sidebar. 303
// back to the members page.
func (s *Server) removeMember(c *fiber.Ctx) error {
	ctx, cancel := storeContext(c)
	defer cancel()
	user, room, access, err := s.roomInPath(ctx, c)
	if err != nil {
		return err
	}
	if !access.RemoveMembers {
		return fiber.NewError(fiber.StatusForbidden, i18n.Msg("Only the room's creator or an admin removes its members."))
	}
	name := c.FormValue("user")
	person, err := s.personNamed(ctx, name)
	if status, reason, ok := formRefusal(c, err); ok {
		return s.renderMembers(ctx, c, status, user, room, access, name, reason)
	} else if err != nil {
		return err
	}
	err = s.opts.Members.LeaveRoom(ctx, room.ID, person.ID)
	if errors.Is(err, parley.ErrNoChange) {
		return s.renderMembers(ctx, c, fiber.StatusUnprocessableEntity, user, room, access, name, locale(c).T("%s is not a member of this room.", name))
	} else if err != nil {
		return fmt.Errorf("web: remove member: %w", err)
	}
	s.unlistMember(room, person.ID)
	if person.ID == user.ID {
		return c.Redirect(roomsPath, fiber.StatusSeeOther)
	}
	return c.Redirect(components.MembersPath(room.Name), fiber.StatusSeeOther)
}
