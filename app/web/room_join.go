package web

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// joinRoom puts a public room into the reader's sidebar (POST
// /r/{room}/join); in a private room or a direct conversation they can
// read, they are a member already. 303 back to the room, or for htmx an
// empty 200: the sidebar gets the room over the socket.
func (s *Server) joinRoom(c *fiber.Ctx) error {
	ctx, cancel := storeContext(c)
	defer cancel()
	user, room, access, err := s.roomInPath(ctx, c)
	if err != nil {
		return err
	}
	if _, err := s.join(ctx, user, room, access); err != nil {
		return err
	}
	return backTo(c, components.RoomPath(room.Name))
}

// join makes user a member of a public room they have not joined, puts it
// in their sidebar, and returns their access as it now is. Any other room
// they can read they are a member of already.
func (s *Server) join(ctx context.Context, user parley.User, room parley.Room, access parley.Access) (parley.Access, error) {
	if room.Kind != parley.RoomPublic || access.Leave {
		return access, nil
	}
	if err := s.opts.Members.JoinRoom(ctx, room.ID, user.ID); err != nil {
		return access, fmt.Errorf("web: join room: %w", err)
	}
	s.listRoom(room, user.ID)
	access, err := parley.RoomAccess(ctx, s.opts.Members, user, room)
	if err != nil {
		return access, fmt.Errorf("web: room access: %w", err)
	}
	return access, nil
}

// backTo answers a plain form with a 303 to path and htmx with an empty
// 200 (what changed reaches the page over its socket).
func backTo(c *fiber.Ctx, path string) error {
	if c.Get("HX-Request") == "true" {
		c.Status(fiber.StatusOK) // and no body: SendStatus would add "OK"
		return nil
	}
	return c.Redirect(path, fiber.StatusSeeOther)
}
