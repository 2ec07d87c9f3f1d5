package web

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/components"
)

// addMember adds the person the user field names to a private room
// (POST /r/{room}/members), which any member may: 403 in a room that
// takes no members that way, 422 with the reason for a name that is
// nobody's. The room enters the added person's sidebar. 303 back to the
// members page.
func (s *Server) addMember(c *fiber.Ctx) error {
	ctx, cancel := storeContext(c)
	defer cancel()
	user, room, access, err := s.roomInPath(ctx, c)
	if err != nil {
		return err
	}
	if !access.AddMembers {
		return fiber.NewError(fiber.StatusForbidden, i18n.Msg("Members are added only to private rooms."))
	}
	name := c.FormValue("user")
	person, err := s.personNamed(ctx, name)
	if status, reason, ok := formRefusal(c, err); ok {
		return s.renderMembers(ctx, c, status, user, room, access, name, reason)
	} else if err != nil {
		return err
	}
	already, err := s.opts.Members.IsMember(ctx, room.ID, person.ID)
	if err != nil {
		return fmt.Errorf("web: is member: %w", err)
	}
	if !already {
		if err := s.opts.Members.JoinRoom(ctx, room.ID, person.ID); err != nil {
			return fmt.Errorf("web: add member: %w", err)
		}
		s.listRoom(room, person.ID)
	}
	return c.Redirect(components.MembersPath(room.Name), fiber.StatusSeeOther)
}
