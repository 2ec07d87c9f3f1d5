package web

import (
	"github.com/gofiber/fiber/v2"
)

// showMembersPage lists a room's members (GET /r/{room}/members): the
// people who joined a public room, with no way to add or remove anyone
// (anyone may join it, and leave it); the members of a private room, with
// the form to add one and, for its creator and admins, a remove button
// per member; the fixed people of a direct conversation.
func (s *Server) showMembersPage(c *fiber.Ctx) error {
	user, ok := currentUser(c)
	if !ok {
		return signInFirst(c)
	}
	ctx, cancel := storeContext(c)
	defer cancel()
	room, access, err := s.findRoom(ctx, user, c.Params("room"))
	if err != nil {
		return err
	}
	return s.renderMembers(ctx, c, fiber.StatusOK, user, room, access, "", "")
}
