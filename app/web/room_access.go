package web

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// readableRoom returns the room of that name and what user may do in it,
// as parley.RoomAccess decides. A room they may not read is
// parley.ErrNotFound, exactly as one that does not exist: every handler
// that takes a room by name comes through here.
func (s *Server) readableRoom(ctx context.Context, user parley.User, name string) (parley.Room, parley.Access, error) {
	room, err := s.opts.Chat.Find(ctx, name)
	if err != nil {
		return parley.Room{}, parley.Access{}, err
	}
	access, err := parley.RoomAccess(ctx, s.opts.Members, user, room)
	if err != nil {
		return parley.Room{}, parley.Access{}, fmt.Errorf("web: room access: %w", err)
	}
	if !access.Read {
		return parley.Room{}, parley.Access{}, parley.ErrNotFound
	}
	return room, access, nil
}

// findRoom is readableRoom for the pages: the 404 page for a room that
// does not exist for user. An unknown name never creates a room.
func (s *Server) findRoom(ctx context.Context, user parley.User, name string) (parley.Room, parley.Access, error) {
	room, access, err := s.readableRoom(ctx, user, name)
	if errors.Is(err, parley.ErrNotFound) {
		return parley.Room{}, parley.Access{}, fiber.NewError(fiber.StatusNotFound, i18n.Msg("There is no room of that name. The room list shows every room."))
	}
	return room, access, err
}

// roomInPath starts every POST that acts on the room of the path: the
// signed-in user (401 for someone signed out) and the room with their
// access to it (findRoom: the unknown-room 404 for one they may not read).
func (s *Server) roomInPath(ctx context.Context, c *fiber.Ctx) (parley.User, parley.Room, parley.Access, error) {
	user, ok := currentUser(c)
	if !ok {
		return parley.User{}, parley.Room{}, parley.Access{}, fiber.NewError(fiber.StatusUnauthorized, i18n.Msg("Sign in first."))
	}
	room, access, err := s.findRoom(ctx, user, c.Params("room"))
	return user, room, access, err
}
