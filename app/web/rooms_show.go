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
	return s.renderRooms(c, fiber.StatusOK, user, "", "")
}

// renderRooms renders the directory, with a refused name and its reason
// after a failed creation.
func (s *Server) renderRooms(c *fiber.Ctx, status int, user parley.User, name, errMsg string) error {
	ctx, cancel := storeContext(c)
	defer cancel()
	rooms, err := s.opts.Rooms.Rooms(ctx)
	if err != nil {
		return fmt.Errorf("web: rooms: %w", err)
	}
	online := s.opts.Chat.OnlineByRoom()
	page := components.RoomsPage{User: user, CanCreate: s.canCreateRooms(user), Name: name, Error: errMsg}
	for _, r := range rooms {
		page.Rooms = append(page.Rooms, components.RoomEntry{Room: r, Online: online[r.ID]})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, status, components.Rooms(page))
}

// canCreateRooms reports whether the user may create rooms: anyone, unless
// ROOM_CREATION=admins, and then admins only.
func (s *Server) canCreateRooms(user parley.User) bool {
	return !s.opts.RoomCreationAdminsOnly || user.Admin
}
