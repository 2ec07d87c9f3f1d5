package web

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// startDirect opens the direct conversation of the sender and the 1 to 7
// people the repeated user field names (POST /dm), creating it on first
// use, and goes to it (303). 422 with the reason, the form kept, for no
// one, more than seven, a name that is nobody's, or only the sender.
// When it was created now, it enters the sidebar of each of its people.
func (s *Server) startDirect(c *fiber.Ctx) error {
	user, ok := currentUser(c)
	if !ok {
		return signInFirst(c)
	}
	var names []string
	for _, v := range c.Request().PostArgs().PeekMulti("user") {
		if name := strings.TrimSpace(string(v)); name != "" {
			names = append(names, name)
		}
	}
	refuse := func(status int, reason string) error {
		return s.renderDirect(c, status, user, names, reason)
	}
	switch {
	case len(names) == 0:
		return refuse(fiber.StatusUnprocessableEntity, locale(c).T("Name at least one person to talk to."))
	case len(names) > components.MaxDirectOthers:
		return refuse(fiber.StatusUnprocessableEntity, locale(c).T("A direct conversation has at most %d other people.", components.MaxDirectOthers))
	}
	ctx, cancel := storeContext(c)
	defer cancel()
	ids := []int64{user.ID}
	for _, name := range names {
		person, err := s.personNamed(ctx, name)
		if status, reason, ok := formRefusal(c, err); ok {
			return refuse(status, reason)
		} else if err != nil {
			return err
		}
		if !slices.Contains(ids, person.ID) {
			ids = append(ids, person.ID)
		}
	}
	if len(ids) == 1 {
		return refuse(fiber.StatusUnprocessableEntity, locale(c).T("Name someone other than yourself."))
	}
	// Only the request that created it announces it: of two started at
	// once, on any instances, one creates and the other finds it.
	room, created, err := s.opts.Members.DirectRoom(ctx, ids)
	if err != nil {
		return fmt.Errorf("web: direct room: %w", err)
	}
	if created {
		if err := s.listDirect(c, room); err != nil {
			return err
		}
	}
	return c.Redirect(components.RoomPath(room.Name), fiber.StatusSeeOther)
}

// listDirect puts a new direct conversation into the sidebar of each of
// its people, titled by the others' names.
func (s *Server) listDirect(c *fiber.Ctx, room parley.Room) error {
	ctx, cancel := storeContext(c)
	defer cancel()
	people, err := s.opts.Members.Members(ctx, room.ID)
	if err != nil {
		return fmt.Errorf("web: members: %w", err)
	}
	for _, p := range people {
		s.opts.Chat.ApplyPersonal(parley.RoomListed{UserID: p.ID, Room: room, Title: othersTitle(people, p.ID)})
	}
	return nil
}
