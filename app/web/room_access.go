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
// as parley.AccessTo decides. A room they may not read is
// parley.ErrNotFound, exactly as one that does not exist: every handler
// that takes a room by name comes through here.
func (s *Server) readableRoom(ctx context.Context, user parley.User, name string) (parley.Room, parley.Access, error) {
	room, err := s.opts.Chat.Find(ctx, name)
	if err != nil {
		return parley.Room{}, parley.Access{}, err
	}
	access := parley.AccessTo(user, room)
	if !access.Read {
		return parley.Room{}, parley.Access{}, parley.ErrNotFound
	}
	return room, access, nil
}

// readableRoomByID is readableRoom for a room known by its ID (a
// message's): parley.ErrNotFound when it has gone or user may not read it.
func (s *Server) readableRoomByID(ctx context.Context, user parley.User, roomID int64) (parley.Room, parley.Access, error) {
	rooms, err := s.opts.Rooms.Rooms(ctx)
	if err != nil {
		return parley.Room{}, parley.Access{}, fmt.Errorf("web: rooms: %w", err)
	}
	for _, room := range rooms {
		if room.ID != roomID {
			continue
		}
		if access := parley.AccessTo(user, room); access.Read {
			return room, access, nil
		}
		break
	}
	return parley.Room{}, parley.Access{}, parley.ErrNotFound
}

// findRoom is readableRoom for the pages: the 404 page for a room that
// does not exist for user. An unknown name never creates a room.
func (s *Server) findRoom(ctx context.Context, user parley.User, name string) (parley.Room, error) {
	room, _, err := s.readableRoom(ctx, user, name)
	if errors.Is(err, parley.ErrNotFound) {
		return parley.Room{}, fiber.NewError(fiber.StatusNotFound, i18n.Msg("There is no room of that name. The room list shows every room."))
	}
	return room, err
}
