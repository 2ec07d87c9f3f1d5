package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// showChatPage shows the room with its last messages.
func (s *Server) showChatPage(c *fiber.Ctx) error {
	user, ok := currentUser(c)
	if !ok {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	msgs, err := s.opts.Store.RecentMessages(ctx, parley.HistorySize)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, fiber.StatusOK, components.Chat(components.ChatPage{
		User:     user,
		Messages: msgs,
		Online:   s.opts.Room.Online(),
	}))
}
