package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/components"
)

// saveSettings keeps a language and time zone: on the account of someone
// signed in, in cookies for a visitor. A language Parley does not speak
// or an unknown time zone is refused with 422 and changes nothing.
func (s *Server) saveSettings(c *fiber.Ctx) error {
	// Copied: form values point into the request's buffer.
	lang, zone := strings.Clone(c.FormValue("lang")), strings.Clone(c.FormValue("zone"))
	user, signedIn := currentUser(c)
	refuse := func(msg string, args ...any) error {
		page := components.SettingsPage{SignedIn: signedIn, Lang: lang, Zone: zone, Error: locale(c).T(msg, args...)}
		return render(c, fiber.StatusUnprocessableEntity, components.Settings(page))
	}
	if _, ok := i18n.ParseLang(lang); !ok && lang != "" {
		return refuse(i18n.Msg("Parley does not speak %q: pick English or Español."), lang)
	}
	if !i18n.ValidZone(zone) {
		return refuse(i18n.Msg("%q is not a time zone Parley knows: pick one from the list."), zone)
	}
	if zone == "UTC" {
		zone = "" // the default: follows no later change of it
	}
	if signedIn {
		ctx, cancel := storeContext(c)
		defer cancel()
		if err := s.opts.Users.SetPreferences(ctx, user.ID, lang, zone); err != nil {
			return fmt.Errorf("web: save settings: %w", err)
		}
	} else {
		s.setChoiceCookie(c, langCookie, lang)
		s.setChoiceCookie(c, zoneCookie, zone)
	}
	return c.Redirect(settingsPath+"?saved=1", fiber.StatusSeeOther)
}

// setChoiceCookie keeps one of a visitor's choices, or forgets it when
// value is empty.
func (s *Server) setChoiceCookie(c *fiber.Ctx, name, value string) {
	cookie := &fiber.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		Expires:  time.Now().Add(choiceTTL),
		HTTPOnly: true,
		Secure:   s.secure,
		SameSite: fiber.CookieSameSiteLaxMode,
	}
	if value == "" {
		cookie.MaxAge, cookie.Expires = -1, time.Unix(0, 0)
	}
	c.Cookie(cookie)
}
