package web

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// showRooms shows the room directory.
func (s *Server) showRooms(c *fiber.Ctx) error {
	user, ok := currentUser(c)
	if !ok {
		return signInFirst(c)
	}
	return s.renderRooms(c, fiber.StatusOK, user, components.RoomForm{}, "")
}

// renderRooms renders the directory: the public rooms and the private
// rooms the reader may read (parley.AccessTo, with their memberships looked up at once), never a direct
// conversation; with a refused form and its reason after a failed
// creation.
func (s *Server) renderRooms(c *fiber.Ctx, status int, user parley.User, form components.RoomForm, errMsg string) error {
	ctx, cancel := storeContext(c)
	defer cancel()
	rooms, err := s.opts.Rooms.Rooms(ctx)
	if err != nil {
		return fmt.Errorf("web: rooms: %w", err)
	}
	members, err := s.opts.Members.MemberCounts(ctx)
	if err != nil {
		return fmt.Errorf("web: member counts: %w", err)
	}
	mine, err := s.opts.Members.RoomsOf(ctx, user.ID)
	if err != nil {
		return fmt.Errorf("web: rooms of user: %w", err)
	}
	member := make(map[int64]bool, len(mine))
	for _, r := range mine {
		member[r.ID] = true
	}
	online := s.opts.Chat.OnlineByRoom()
	page := components.RoomsPage{User: user, CanCreate: s.canCreateRooms(user), Form: form, Error: errMsg}
	for _, r := range rooms {
		if r.Kind == parley.RoomDirect {
			continue
		}
		if !parley.AccessTo(user, r, member[r.ID]).Read {
			continue
		}
		page.Rooms = append(page.Rooms, components.RoomEntry{Room: r, Online: online[r.ID], Members: members[r.ID]})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, status, components.Rooms(page))
}

// canCreateRooms reports whether the user may create rooms: anyone, unless
// ROOM_CREATION=admins, and then admins only.
func (s *Server) canCreateRooms(user parley.User) bool {
	return !s.opts.RoomCreationAdminsOnly || user.Admin
}
