package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/static"
)

const (
	// langCookie and zoneCookie keep a signed-out visitor's choices.
	langCookie = "parley_lang"
	zoneCookie = "parley_zone"
	// choiceTTL is how long a browser keeps them.
	choiceTTL = 365 * 24 * time.Hour
	// localsLocale is where pickLocale leaves the request's Locale.
	localsLocale = "parley.locale"
)

// pickLocale decides the language and time zone of the request: the
// person's choice on their account, else the cookie of a signed-out
// visitor, else the language of Accept-Language and UTC. Templates find it
// in the request's context.
func (s *Server) pickLocale(c *fiber.Ctx) error {
	if strings.HasPrefix(c.Path(), static.Prefix) {
		return c.Next()
	}
	loc := requestLocale(c)
	c.Locals(localsLocale, loc)
	c.SetUserContext(i18n.With(c.UserContext(), loc))
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
	return c.Next()
}

func requestLocale(c *fiber.Ctx) i18n.Locale {
	lang, zone := c.Cookies(langCookie), c.Cookies(zoneCookie)
	if user, ok := currentUser(c); ok {
		lang, zone = user.Language, user.TimeZone
	}
	loc := i18n.Locale{Lang: i18n.Match(c.Get(fiber.HeaderAcceptLanguage))}
	if l, ok := i18n.ParseLang(lang); ok {
		loc.Lang = l
	}
	if zone != "" && i18n.ValidZone(zone) {
		// Copied: a cookie's value points into the request's buffer, and
		// a socket keeps its Locale.
		loc.Zone = strings.Clone(zone)
	}
	return loc
}

// locale returns the request's Locale.
func locale(c *fiber.Ctx) i18n.Locale {
	if loc, ok := c.Locals(localsLocale).(i18n.Locale); ok {
		return loc
	}
	return requestLocale(c)
}
