package i18n

import (
	"strconv"
	"time"
)

// RFC3339 is the format of <time datetime>, always in UTC.
const RFC3339 = time.RFC3339

// spanishMonths are the months' abbreviations in Spanish; Go's time
// formats know only English ones.
var spanishMonths = [12]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"}

// Clock is the time of day of t in the reader's zone: "15:04".
func (l Locale) Clock(t time.Time) string { return t.In(l.Location()).Format("15:04") }

// Date is the day of t in the reader's zone: "2 Jan 2006", "2 ene 2006".
func (l Locale) Date(t time.Time) string {
	t = t.In(l.Location())
	if l.Lang == Spanish {
		return strconv.Itoa(t.Day()) + " " + spanishMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return t.Format("2 Jan 2006")
}

// Stamp is the day, time and zone of t in the reader's zone:
// "2 Jan 2006 15:04 CET".
func (l Locale) Stamp(t time.Time) string {
	t = t.In(l.Location())
	return l.Date(t) + " " + t.Format("15:04 MST")
}

// UTC is t for <time datetime>: RFC 3339 in UTC, whatever the reader's zone.
func UTC(t time.Time) string { return t.UTC().Format(RFC3339) }
