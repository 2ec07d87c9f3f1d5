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

// adminPath is the moderation page, where every admin form comes back to.
const adminPath = "/admin"

// Messages of refused moderation.
var (
	bannedAccount = i18n.Msg("This account is banned from Parley.")
	adminsOnly    = i18n.Msg("Only admins moderate.")
)

// requireAdmin returns the signed-in admin behind a moderation POST: 401
// for someone signed out, 403 for anyone else, whatever they posted.
func requireAdmin(c *fiber.Ctx) (parley.User, error) {
	user, ok := currentUser(c)
	if !ok {
		return parley.User{}, fiber.NewError(fiber.StatusUnauthorized, i18n.Msg("Sign in first."))
	}
	if !user.Admin {
		return parley.User{}, fiber.NewError(fiber.StatusForbidden, adminsOnly)
	}
	return user, nil
}

// refusal is a moderation form refused for what was typed in it: the
// admin page again, with the reason (a catalogue string and its
// arguments) and the status.
type refusal struct {
	status int
	format string
	args   []any
}

func (r *refusal) Error() string { return fmt.Sprintf(r.format, r.args...) }

func formRefused(status int, format string, args ...any) error {
	return &refusal{status: status, format: format, args: args}
}

// targetUser finds the person a moderation form names in its user field.
func (s *Server) targetUser(ctx context.Context, raw string) (parley.User, error) {
	provider, name, err := parley.ParseAccountName(raw)
	if err != nil {
		return parley.User{}, formRefused(fiber.StatusUnprocessableEntity, err.Error())
	}
	user, err := s.opts.Users.UserByName(ctx, provider, name)
	switch {
	case errors.Is(err, parley.ErrNotFound):
		return parley.User{}, formRefused(fiber.StatusNotFound, i18n.Msg("There is no account named %q."), raw)
	case errors.Is(err, parley.ErrAmbiguousName):
		return parley.User{}, formRefused(fiber.StatusConflict, i18n.Msg("Several accounts are named %q; none was picked."), raw)
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
			User: admin, Error: locale(c).T(r.format, r.args...), Name: c.FormValue("user"), Minutes: c.FormValue("minutes"),
		})
	}
	if err != nil {
		return err
	}
	return c.Redirect(adminPath, fiber.StatusSeeOther)
}

// renderAdmin renders the moderation page with its lists filled in.
func (s *Server) renderAdmin(c *fiber.Ctx, status int, page components.AdminPage) error {
	ctx, cancel := storeContext(c)
	defer cancel()
	var err error
	if page.Actions, err = s.opts.Moderation.RecentActions(ctx, parley.AdminLogSize); err != nil {
		return fmt.Errorf("web: admin page: %w", err)
	}
	if page.Mutes, err = s.opts.Moderation.Mutes(ctx); err != nil {
		return fmt.Errorf("web: admin page: %w", err)
	}
	if page.Bans, err = s.opts.Moderation.Bans(ctx); err != nil {
		return fmt.Errorf("web: admin page: %w", err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, status, components.Admin(page))
}

// notYourself refuses to mute or ban the admin who asks: they would lock
// themselves out, and another admin can do it if it must be done.
func notYourself(admin, target parley.User, msg string) error {
	if admin.ID == target.ID {
		return formRefused(fiber.StatusUnprocessableEntity, msg)
	}
	return nil
}

// unchanged turns parley.ErrNoChange into a refusal saying why; other
// errors are the store's.
func unchanged(err error, format string, args ...any) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, parley.ErrNoChange):
		return formRefused(fiber.StatusConflict, format, args...)
	}
	return fmt.Errorf("web: moderate: %w", err)
}
