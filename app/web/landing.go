package web

import (
	"strings"

	"github.com/parleychat/parley/app/parley"
)

// landingPath is where people land after signing in: the room general.
const landingPath = "/r/" + parley.DefaultRoom

// nextPath returns where a sign-in should lead: next when it is a room's
// page, the room directory or the moderation page on this site, else
// landingPath. Anything else is refused, so that the form cannot send
// people to another site.
func nextPath(next string) string {
	if next == "/rooms" || next == adminPath {
		return next
	}
	if name, ok := strings.CutPrefix(next, "/r/"); ok && parley.ValidateRoomName(name) == nil {
		return next
	}
	return landingPath
}
