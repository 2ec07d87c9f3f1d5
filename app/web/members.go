package web

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// renderMembers renders a room's members page, with a refused name and
// its reason after a failed change.
func (s *Server) renderMembers(ctx context.Context, c *fiber.Ctx, status int, user parley.User, room parley.Room, access parley.Access, name, errMsg string) error {
	members, err := s.opts.Members.Members(ctx, room.ID)
	if err != nil {
		return fmt.Errorf("web: members: %w", err)
	}
	title, err := s.roomTitle(ctx, room, user)
	if err != nil {
		return err
	}
	page := components.MembersPage{User: user, Room: room, Title: title, Access: access, Members: members, Name: name, Error: errMsg}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, status, components.Members(page))
}

// personNamed is the account a form's user field names (a username or
// provider:name), or a *pageError of 422 that says why there is none.
func (s *Server) personNamed(ctx context.Context, name string) (parley.User, error) {
	provider, username, err := parley.ParseAccountName(name)
	if err != nil {
		return parley.User{}, fiber.NewError(fiber.StatusUnprocessableEntity, parley.ErrAccountName.Error())
	}
	u, err := s.opts.Users.UserByName(ctx, provider, username)
	if errors.Is(err, parley.ErrNotFound) {
		return parley.User{}, newPageError(fiber.StatusUnprocessableEntity, i18n.Msg("There is nobody called %s."), name)
	} else if err != nil {
		return parley.User{}, fmt.Errorf("web: user by name: %w", err)
	}
	return u, nil
}

// formRefusal is the status and the reader's-language reason of a 4xx error
// from personNamed, or ok false for any other error.
func formRefusal(c *fiber.Ctx, err error) (status int, reason string, ok bool) {
	var fe *fiber.Error
	var pe *pageError
	switch {
	case errors.As(err, &pe):
		return pe.status, locale(c).T(pe.format, pe.args...), true
	case errors.As(err, &fe) && fe.Code < 500:
		return fe.Code, locale(c).T(fe.Message), true
	}
	return 0, "", false
}
