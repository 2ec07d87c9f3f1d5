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
