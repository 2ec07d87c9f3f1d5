// Package i18n is what Parley says in each of its languages (English and
// Spanish) and how it shows times in a reader's time zone. Strings are
// keyed by their English text, as with gettext: code calls T with the
// English words, and the Spanish catalogue (catalogue.go) gives their
// translation. A test fails when a string passed to T, Plural or Msg
// anywhere in Parley has no Spanish entry, and when a template shows
// English text that does not go through T.
//
// A request or a socket carries a Locale (a language and a time zone);
// templates read it from their context with From.
package i18n

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	// Time zones load the same on a machine without a tz database.
	_ "time/tzdata"

	"golang.org/x/text/language"
)

// Lang is a language Parley speaks, as a BCP 47 tag.
type Lang string

// The languages Parley speaks; English is the default.
const (
	English Lang = "en"
	Spanish Lang = "es"
)

// Langs are the languages Parley speaks, the default first.
var Langs = []Lang{English, Spanish}

// String returns the language's tag, as <html lang> wants it.
func (l Lang) String() string { return string(l) }

// Name is the language's name in itself, for the settings page.
func (l Lang) Name() string {
	if l == Spanish {
		return "Español"
	}
	return "English"
}

// ParseLang returns the language of a tag Parley speaks ("en", "es"), and
// false for any other.
func ParseLang(tag string) (Lang, bool) {
	for _, l := range Langs {
		if string(l) == tag {
			return l, true // the constant, not tag's memory
		}
	}
	return "", false
}

// matcher picks among Parley's languages; the first is the fallback.
var matcher = language.NewMatcher([]language.Tag{language.English, language.Spanish})

// Match picks the language of an Accept-Language header: Spanish for
// "es-MX,es;q=0.9", English for "fr" or an unreadable header.
func Match(acceptLanguage string) Lang {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return English
	}
	_, i, confidence := matcher.Match(tags...)
	if confidence == language.No {
		return English
	}
	return Langs[i]
}

// Locale is how one reader sees Parley: their language and their time
// zone. It is comparable, so that fragments can be rendered once per
// Locale present rather than once per reader.
type Locale struct {
	Lang Lang
	// Zone is an IANA time zone name; "" is UTC.
	Zone string
}

// Default is the Locale of a reader who chose nothing and sent no
// Accept-Language Parley speaks.
var Default = Locale{Lang: English}

// ZoneNames returns the time zones a reader may pick, UTC first.
func ZoneNames() []string { return slices.Clone(zoneNames) }

// ValidZone reports whether name is a time zone a reader may pick: "" (UTC)
// or one of ZoneNames.
func ValidZone(name string) bool {
	if name == "" {
		return true
	}
	_, found := slices.BinarySearch(zoneNames[1:], name)
	return found || name == "UTC"
}

// zones caches loaded time zones by name.
var zones sync.Map // string -> *time.Location

// Location is the Locale's time zone; UTC when Zone is empty or unknown.
func (l Locale) Location() *time.Location {
	if l.Zone == "" || l.Zone == "UTC" {
		return time.UTC
	}
	if loc, ok := zones.Load(l.Zone); ok {
		return loc.(*time.Location)
	}
	if !ValidZone(l.Zone) {
		return time.UTC
	}
	loc, err := time.LoadLocation(l.Zone)
	if err != nil {
		return time.UTC
	}
	zones.Store(l.Zone, loc)
	return loc
}

// T returns msg in the Locale's language, formatted with args as by
// fmt.Sprintf when there are any. msg is the English text; one without a
// Spanish entry shows in English (and fails the catalogue test).
func (l Locale) T(msg string, args ...any) string {
	if l.Lang == Spanish {
		if es, ok := spanish[msg]; ok {
			msg = es
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Plural returns the form for n of a message that has one form for 1 and
// another for other counts, in the Locale's language, formatted with n:
// Plural(3, "%d user online", "%d users online") is "3 users online", or
// "3 usuarios en línea". English and Spanish both have these two forms
// for whole numbers.
func (l Locale) Plural(n int, one, other string) string {
	forms := [2]string{one, other}
	if l.Lang == Spanish {
		if es, ok := spanishPlural[forms]; ok {
			forms = es
		}
	}
	form := forms[1]
	if n == 1 {
		form = forms[0]
	}
	if !strings.Contains(form, "%") {
		return form
	}
	return fmt.Sprintf(form, n)
}

// Msg marks a string as shown to people, to be translated where it is
// shown (an error message made before the reader is known): it returns
// msg unchanged, and the catalogue test checks that msg has a translation.
func Msg(msg string) string { return msg }

// List joins names as a sentence does: "Ann", "Ann and Bo", "Ann, Bo and Cy".
func (l Locale) List(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return l.T("%s and %s", strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
}

// Joined words a join or leave notice: "Ann joined the chat", "Ann and Bo
// left the chat", "Ann, Bo, Cy and 2 others joined the chat". Names are
// never translated.
func (l Locale) Joined(joined bool, names []string, others int) string {
	people := len(names) + others
	if others > 0 {
		names = append(names[:len(names):len(names)], l.Plural(others, "%d other", "%d others"))
	}
	if len(names) == 0 {
		return ""
	}
	// English says "joined" of one or many; Spanish "se unió", "se unieron".
	verb := l.Plural(people, "left the chat", "left the chat")
	if joined {
		verb = l.Plural(people, "joined the chat", "joined the chat")
	}
	return l.List(names) + " " + verb
}

type ctxKey struct{}

// With returns a context that carries loc, for templates.
func With(ctx context.Context, loc Locale) context.Context {
	return context.WithValue(ctx, ctxKey{}, loc)
}

// From returns the Locale ctx carries, or Default.
func From(ctx context.Context) Locale {
	if loc, ok := ctx.Value(ctxKey{}).(Locale); ok {
		return loc
	}
	return Default
}

// T is From(ctx).T: the way templates translate.
func T(ctx context.Context, msg string, args ...any) string { return From(ctx).T(msg, args...) }

// Plural is From(ctx).Plural.
func Plural(ctx context.Context, n int, one, other string) string {
	return From(ctx).Plural(n, one, other)
}
