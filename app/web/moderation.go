package web

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/moderation"
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
	if page.Rooms, err = s.adminRooms(ctx); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, status, components.Admin(page))
}

// refusedModeration turns what the moderation service refused into the
// reason the admin page shows, for the person named raw (found as target):
// self and unchanged are the action's words for the admin themselves and
// for nothing to change. Other errors are the server's.
func refusedModeration(err error, raw string, target parley.User, self, unchanged string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, moderation.ErrNotAdmin):
		return fiber.NewError(fiber.StatusForbidden, adminsOnly)
	case errors.Is(err, parley.ErrAccountName):
		return formRefused(fiber.StatusUnprocessableEntity, parley.ErrAccountName.Error())
	case errors.Is(err, parley.ErrNotFound):
		return formRefused(fiber.StatusNotFound, i18n.Msg("There is no account named %q."), raw)
	case errors.Is(err, parley.ErrAmbiguousName):
		return formRefused(fiber.StatusConflict, i18n.Msg("Several accounts are named %q; none was picked."), raw)
	case errors.Is(err, moderation.ErrSelf) && self != "":
		return formRefused(fiber.StatusUnprocessableEntity, self)
	case errors.Is(err, parley.ErrNoChange) && unchanged != "":
		return formRefused(fiber.StatusConflict, unchanged, target.AccountName())
	}
	return fmt.Errorf("web: moderate: %w", err)
}

// adminRooms are the public and private rooms, with their member counts,
// for the moderation page; direct conversations are left out (their names
// say nothing, and who talks with whom is theirs).
func (s *Server) adminRooms(ctx context.Context) ([]components.RoomEntry, error) {
	rooms, err := s.opts.Rooms.Rooms(ctx)
	if err != nil {
		return nil, fmt.Errorf("web: admin page: %w", err)
	}
	counts, err := s.opts.Members.MemberCounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("web: admin page: %w", err)
	}
	var entries []components.RoomEntry
	for _, r := range rooms {
		if r.Kind != parley.RoomDirect {
			entries = append(entries, components.RoomEntry{Room: r, Members: counts[r.ID]})
		}
	}
	return entries, nil
}
