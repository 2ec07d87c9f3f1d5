package web

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// adminPath is the moderation page, where every admin form comes back to.
const adminPath = "/admin"

// Messages of refused moderation.
const (
	bannedAccount = "This account is banned from Parley."
	adminsOnly    = "Only admins moderate."
)

// requireAdmin returns the signed-in admin behind a moderation POST: 401
// for someone signed out, 403 for anyone else, whatever they posted.
func requireAdmin(c *fiber.Ctx) (parley.User, error) {
	user, ok := currentUser(c)
	if !ok {
		return parley.User{}, fiber.NewError(fiber.StatusUnauthorized, "Sign in first.")
	}
	if !user.Admin {
		return parley.User{}, fiber.NewError(fiber.StatusForbidden, adminsOnly)
	}
	return user, nil
}

// refusal is a moderation form refused for what was typed in it: the
// admin page again, with the reason and the status.
type refusal struct {
	status int
	msg    string
}

func (r *refusal) Error() string { return r.msg }

func formRefused(status int, msg string) error { return &refusal{status: status, msg: msg} }

// targetUser finds the person a moderation form names in its user field.
func (s *Server) targetUser(ctx context.Context, raw string) (parley.User, error) {
	provider, name, err := parley.ParseAccountName(raw)
	if err != nil {
		return parley.User{}, formRefused(fiber.StatusUnprocessableEntity, err.Error())
	}
	user, err := s.opts.Store.UserByName(ctx, provider, name)
	switch {
	case errors.Is(err, parley.ErrNotFound):
		return parley.User{}, formRefused(fiber.StatusNotFound, fmt.Sprintf("There is no account named %q.", raw))
	case errors.Is(err, parley.ErrAmbiguousName):
		return parley.User{}, formRefused(fiber.StatusConflict, fmt.Sprintf("Several accounts are named %q; none was picked.", raw))
	case err != nil:
		return parley.User{}, fmt.Errorf("web: find %q: %w", raw, err)
	}
	return user, nil
}

// finishModeration answers a moderation form: back to the admin page on
// success, the page again with the reason when it was refused.
func (s *Server) finishModeration(c *fiber.Ctx, admin parley.User, err error) error {
	var r *refusal
	if errors.As(err, &r) {
		return s.renderAdmin(c, r.status, components.AdminPage{
			User: admin, Error: r.msg, Name: c.FormValue("user"), Minutes: c.FormValue("minutes"),
		})
	}
	if err != nil {
		return err
	}
	return c.Redirect(adminPath, fiber.StatusSeeOther)
}

// renderAdmin renders the moderation page with its lists filled in.
func (s *Server) renderAdmin(c *fiber.Ctx, status int, page components.AdminPage) error {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	var err error
	if page.Actions, err = s.opts.Store.RecentActions(ctx, parley.AdminLogSize); err != nil {
		return fmt.Errorf("web: admin page: %w", err)
	}
	if page.Mutes, err = s.opts.Store.Mutes(ctx); err != nil {
		return fmt.Errorf("web: admin page: %w", err)
	}
	if page.Bans, err = s.opts.Store.Bans(ctx); err != nil {
		return fmt.Errorf("web: admin page: %w", err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, status, components.Admin(page))
}

// notYourself refuses to mute or ban the admin who asks: they would lock
// themselves out, and another admin can do it if it must be done.
func notYourself(admin, target parley.User, what string) error {
	if admin.ID == target.ID {
		return formRefused(fiber.StatusUnprocessableEntity, "You cannot "+what+" yourself.")
	}
	return nil
}

// unchanged turns parley.ErrNoChange into a refusal saying why; other
// errors are the store's.
func unchanged(err error, msg string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, parley.ErrNoChange):
		return formRefused(fiber.StatusConflict, msg)
	}
	return fmt.Errorf("web: moderate: %w", err)
}
