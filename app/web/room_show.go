package web

import (
	"context"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// showChat is the old address of the chat: the room general.
func (s *Server) showChat(c *fiber.Ctx) error {
	if _, ok := currentUser(c); !ok {
		return signInFirst(c)
	}
	return c.Redirect(landingPath, fiber.StatusSeeOther)
}

// showRoomPage shows a room with its last messages, or with ?before=ID a
// page of the messages before that one (for browsers without htmx).
// Opening a public room's live page joins it.
func (s *Server) showRoomPage(c *fiber.Ctx) error {
	user, ok := currentUser(c)
	if !ok {
		return signInFirst(c)
	}
	before, err := beforeParam(c)
	if err != nil {
		return err
	}
	ctx, cancel := storeContext(c)
	defer cancel()
	room, access, err := s.findRoom(ctx, user, c.Params("room"))
	if err != nil {
		return err
	}
	if before == 0 {
		if access, err = s.join(ctx, user, room, access); err != nil {
			return err
		}
	}
	title, err := s.roomTitle(ctx, room, user)
	if err != nil {
		return err
	}
	sidebar, err := s.sidebarOf(ctx, user)
	if err != nil {
		return err
	}
	page := components.ChatPage{User: user, Room: room, Access: access, Title: title, Sidebar: sidebar, Before: before}
	if before == 0 {
		page.Messages, page.Older, err = s.opts.Chat.Recent(ctx, room)
		page.Online, page.Listed = s.opts.Chat.PresenceWith(room.ID, user)
	} else {
		// A page of older messages opens no socket: its reader is not in
		// the room.
		page.Messages, page.Older, err = s.earlierMessages(ctx, room, before)
		page.Online, page.Listed = s.opts.Chat.Presence(room.ID)
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, fiber.StatusOK, components.Chat(page))
}

// beforeParam reads ?before=ID: 0 when absent, 400 unless a message ID.
func beforeParam(c *fiber.Ctx) (int64, error) {
	raw := c.Query("before")
	if raw == "" {
		return 0, nil
	}
	before, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || before <= 0 {
		return 0, fiber.NewError(fiber.StatusBadRequest, i18n.Msg("before must be a message ID: a whole number above 0."))
	}
	return before, nil
}

// earlierMessages returns the page of a room's messages before the given
// ID, oldest first, and whether even older ones exist.
func (s *Server) earlierMessages(ctx context.Context, room parley.Room, before int64) ([]parley.Message, bool, error) {
	msgs, err := s.opts.Messages.MessagesBefore(ctx, room.ID, before, parley.HistorySize+1)
	if err != nil {
		return nil, false, fmt.Errorf("web: earlier messages: %w", err)
	}
	if len(msgs) > parley.HistorySize {
		return msgs[1:], true, nil
	}
	return msgs, false, nil
}
