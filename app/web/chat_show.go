package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/components"
)

// showChatPage shows the room with its last messages.
func (s *Server) showChatPage(c *fiber.Ctx) error {
	user, ok := currentUser(c)
	if !ok {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, fiber.StatusOK, components.Chat(components.ChatPage{
		User:     user,
		Messages: s.opts.Room.Recent(),
		Online:   s.opts.Room.OnlineWith(user.ID),
	}))
}
