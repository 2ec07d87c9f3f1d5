package web

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// leaveRoom takes the reader out of a room (POST /r/{room}/leave). A
// public room leaves their sidebar and stays readable; a private room
// leaves it too and becomes invisible to them, their open pages of it
// closing with a notice. A direct conversation cannot be left (403), nor
// can general: everyone is in it (the stores make every account a member
// as they create it), it is where sign-in lands, and leaving it would only
// last until the next sign-in opens it again. 303 to the directory, for
// htmx an empty 200.
func (s *Server) leaveRoom(c *fiber.Ctx) error {
	ctx, cancel := storeContext(c)
	defer cancel()
	user, room, access, err := s.roomInPath(ctx, c)
	if err != nil {
		return err
	}
	switch {
	case room.Kind == parley.RoomDirect:
		return fiber.NewError(fiber.StatusForbidden, i18n.Msg("A direct conversation cannot be left."))
	case room.Name == parley.DefaultRoom:
		return fiber.NewError(fiber.StatusForbidden, i18n.Msg("Everyone is in general: it cannot be left."))
	case !access.Leave:
		// A public room they had not joined: nothing to do.
		return backTo(c, roomsPath)
	}
	err = s.opts.Members.LeaveRoom(ctx, room.ID, user.ID)
	if err != nil && !errors.Is(err, parley.ErrNoChange) {
		return fmt.Errorf("web: leave room: %w", err)
	}
	s.unlistMember(room, user.ID)
	return backTo(c, roomsPath)
}

// roomsPath is the room directory.
const roomsPath = "/rooms"

// unlistMember makes live that userID is no longer a member of room: out
// of their sidebar, and out of their open pages of a room that is not
// public.
func (s *Server) unlistMember(room parley.Room, userID int64) {
	if room.Kind != parley.RoomPublic {
		s.opts.Chat.Apply(parley.MemberRemoved{RoomID: room.ID, UserID: userID})
	}
	s.opts.Chat.ApplyPersonal(parley.RoomUnlisted{UserID: userID, Room: room})
}
