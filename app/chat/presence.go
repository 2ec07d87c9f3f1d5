package chat

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/parleychat/parley/app/chat/outbox"
	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// hubRoom is who is in one room: its sockets, and the people behind
// them, each counted once however many tabs they have open. The hub
// goroutine owns it.
type hubRoom struct {
	id      int64
	clients map[*client]struct{}
	people  map[int64]*person
	// shown is the online list as of the room's last flush that changed
	// it, and gen counts those flushes (0: none yet); a socket whose
	// presenceGen is gen shows shown. change is what turned the list of
	// gen-1 into shown.
	shown  parley.OnlineList
	gen    int64
	change parley.PresenceChange
	// wholes and changes are shown and change rendered in each language
	// needed so far.
	wholes  map[i18n.Lang]*outbox.Fragment
	changes map[i18n.Lang]*outbox.Fragment

	// events are the arrivals and departures not yet announced, since
	// pendingSince (zero when nothing is pending); due is when they go out.
	events       []presenceEvent
	pendingSince time.Time
	due          time.Time

	// pacing holds the room's frames while it is busy (see fanout.go).
	pacing pacing
}

// person is one user in a room and how many sockets they have open there.
type person struct {
	user parley.User
	// sortKey orders the online list without regard to case.
	sortKey string
	sockets int
	// remotes is how many other instances have this person in the room.
	remotes int
}

func newHubRoom(id int64) *hubRoom {
	return &hubRoom{
		id:      id,
		clients: make(map[*client]struct{}),
		people:  make(map[int64]*person),
	}
}

// add adds a socket and reports whether its person has just arrived.
func (r *hubRoom) add(c *client) (arrived bool) {
	r.clients[c] = struct{}{}
	p := r.people[c.user.ID]
	if p == nil {
		p = &person{user: c.user, sortKey: strings.ToLower(c.user.DisplayName)}
		r.people[c.user.ID] = p
		arrived = true
	}
	p.sockets++
	return arrived
}

// remove removes a socket, reporting whether it was there and whether its
// person has now left.
func (r *hubRoom) remove(c *client) (left, ok bool) {
	if _, ok := r.clients[c]; !ok {
		return false, false
	}
	delete(r.clients, c)
	p := r.people[c.user.ID]
	if p.sockets--; p.sockets > 0 || p.remotes > 0 {
		return false, true
	}
	delete(r.people, c.user.ID)
	return true, true
}

// advance brings shown in line with who is in the room now, and starts a
// new generation when that changed anything a page shows.
func (r *hubRoom) advance() {
	next := parley.OnlineList{Online: len(r.people), Listed: r.listed(parley.OnlineListSize)}
	if r.gen > 0 && r.shown.Equal(next) {
		return
	}
	r.change = r.shown.ChangeTo(next)
	r.shown = next
	r.gen++
	r.wholes, r.changes = nil, nil
}

// changeParts is what r.change swaps on a page.
func (r *hubRoom) changeParts() outbox.Parts {
	var parts outbox.Parts
	if r.change.CountChanged {
		parts |= outbox.PartCount
	}
	if r.change.MoreChanged {
		parts |= outbox.PartMore
	}
	if len(r.change.Left) > 0 || len(r.change.Joined) > 0 {
		parts |= outbox.PartList
	}
	return parts
}

// listed returns the first n people of the online list, sorted by display
// name without regard to case. It keeps only n at a time, so a room of
// 10,000 costs a pass over them, not a sort of them all.
func (r *hubRoom) listed(n int) []parley.User {
	first := make([]*person, 0, min(n, len(r.people)))
	for _, p := range r.people {
		if len(first) == n && comparePeople(p, first[n-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(first, p, comparePeople)
		if len(first) == n {
			first = first[:n-1]
		}
		first = slices.Insert(first, i, p)
	}
	users := make([]parley.User, len(first))
	for i, p := range first {
		users[i] = p.user
	}
	return users
}

// with returns the room's count and online list as they are once user is
// in the room too: what a page about to open its socket should show.
func (r *hubRoom) with(user parley.User, n int) (int, []parley.User) {
	if r == nil {
		return 1, []parley.User{user}
	}
	if _, ok := r.people[user.ID]; ok {
		return len(r.people), r.listed(n)
	}
	r.people[user.ID] = &person{user: user, sortKey: strings.ToLower(user.DisplayName)}
	defer delete(r.people, user.ID)
	return len(r.people), r.listed(n)
}

// comparePeople orders people by name without regard to case, then by
// name, provider and ID so that the order is the same on every flush.
func comparePeople(a, b *person) int {
	return cmp.Or(
		strings.Compare(a.sortKey, b.sortKey),
		strings.Compare(a.user.DisplayName, b.user.DisplayName),
		strings.Compare(a.user.Provider, b.user.Provider),
		cmp.Compare(a.user.ID, b.user.ID),
	)
}

// changed records an arrival or departure in a room and schedules the
// room's flush: after PresenceQuiet without further change in the room, or
// PresenceMaxDelay after its first unannounced change, whichever is first.
func (h *hub) changed(r *hubRoom, e presenceEvent) {
	r.events = append(r.events, e)
	h.touch(r)
}

// touch schedules a room's flush as changed does, for a change that
// announces nobody.
func (h *hub) touch(r *hubRoom) {
	now := time.Now()
	if r.pendingSince.IsZero() {
		r.pendingSince = now
		h.dirty[r] = struct{}{}
	}
	r.due = now.Add(h.cfg.PresenceQuiet)
	if last := r.pendingSince.Add(h.cfg.PresenceMaxDelay); last.Before(r.due) {
		r.due = last
	}
	h.schedule(r.due)
}

// flush sends a room's notices to its sockets and brings each socket's
// count and online list up to date, each fragment rendered once per
// language present. A room left empty is forgotten.
func (h *hub) flush(r *hubRoom, now time.Time) {
	events := r.events
	r.events, r.pendingSince = nil, time.Time{}
	if len(r.clients) == 0 {
		if h.rooms[r.id] == r {
			delete(h.rooms, r.id)
		}
		r.pacing.held = nil
		delete(h.holding, r)
		return
	}
	// Messages held for the room go first, so that a notice never
	// overtakes them.
	h.releaseHeld(r, now)
	var summary []Notice
	if len(events) > 0 {
		summary = summarize(events, now)
	}
	notices := make(map[i18n.Lang]*outbox.Fragment)
	r.advance()
	for c := range r.clients {
		lang := c.locale.Lang
		if summary != nil {
			pm, ok := notices[lang]
			if !ok {
				pm = h.prepare(h.render.Notices(lang, summary))
				notices[lang] = pm
			}
			if pm != nil {
				h.pushOrDrop(c, outbox.Frame{Fragment: pm})
			}
		}
		h.bringUp(c, r)
	}
}

// bringUp offers a socket what its page lacks of the room's presence as
// of the last flush: the last change alone when the page shows the list
// just before it, else the whole count and list (a socket that has just
// opened, or one whose writer has fallen several changes behind).
func (h *hub) bringUp(c *client, r *hubRoom) {
	if c.presenceGen == r.gen {
		return
	}
	lang := c.locale.Lang
	if c.presenceGen > 0 && c.presenceGen == r.gen-1 {
		if pm := h.presenceChangeIn(r, lang); pm != nil && c.OfferPresenceChange(pm, r.changeParts()) {
			c.presenceGen = r.gen
			return
		}
	}
	if pm := h.presenceIn(r, lang); pm != nil {
		c.OfferWholePresence(pm)
		c.presenceGen = r.gen
	}
}

// presenceIn is the room's whole presence as of its last flush in lang,
// rendered the first time a socket of that language needs it.
func (h *hub) presenceIn(r *hubRoom, lang i18n.Lang) *outbox.Fragment {
	return h.prepareOnce(&r.wholes, lang, func() ([]byte, error) { return h.render.Presence(lang, r.shown) })
}

// presenceChangeIn is the room's last presence change in lang, rendered
// the first time a socket of that language needs it.
func (h *hub) presenceChangeIn(r *hubRoom, lang i18n.Lang) *outbox.Fragment {
	return h.prepareOnce(&r.changes, lang, func() ([]byte, error) { return h.render.PresenceChanged(lang, r.change) })
}

// view returns a room's presence: the hub's own when it has sockets
// there, else one made of the other instances' people, or nil (hub).
func (h *hub) view(roomID int64) *hubRoom {
	if r := h.rooms[roomID]; r != nil || h.link == nil {
		return r
	}
	r := newHubRoom(roomID)
	if !h.addRemotes(r) {
		return nil
	}
	return r
}

// localPeople is everyone with a socket here, by room ID.
func (h *hub) localPeople() map[int64][]parley.User {
	rooms := make(map[int64][]parley.User)
	for id, r := range h.rooms {
		for _, p := range r.people {
			if p.sockets > 0 {
				rooms[id] = append(rooms[id], p.user)
			}
		}
	}
	return rooms
}

// remoteArrived records that u has a socket of the room on one more
// other instance.
func (h *hub) remoteArrived(roomID int64, u parley.User) {
	r := h.rooms[roomID]
	if r == nil {
		return // nobody here to tell; fillRemotes adds them when someone comes
	}
	if p := r.people[u.ID]; p != nil {
		p.remotes++
		return
	}
	r.people[u.ID] = &person{user: u, sortKey: strings.ToLower(u.DisplayName), remotes: 1}
	h.changed(r, presenceEvent{name: u.NoticeName(), joined: true})
}

// remoteLeft records that the user has a socket of the room on one other
// instance fewer.
func (h *hub) remoteLeft(roomID, userID int64) {
	r := h.rooms[roomID]
	if r == nil {
		return
	}
	p := r.people[userID]
	if p == nil {
		return
	}
	if p.remotes--; p.remotes > 0 || p.sockets > 0 {
		return
	}
	delete(r.people, userID)
	h.changed(r, presenceEvent{name: p.user.NoticeName(), joined: false})
}

// fillRemotes adds the other instances' people to a room that has just
// got its first socket here, without notices: they were there before.
func (h *hub) fillRemotes(r *hubRoom) {
	if h.link == nil || !h.addRemotes(r) {
		return
	}
	h.touch(r)
}

// addRemotes adds the other instances' people of r's room to r and
// reports whether there were any.
func (h *hub) addRemotes(r *hubRoom) bool {
	added := false
	h.link.eachRemote(r.id, func(u parley.User) {
		added = true
		if p := r.people[u.ID]; p != nil {
			p.remotes++
			return
		}
		r.people[u.ID] = &person{user: u, sortKey: strings.ToLower(u.DisplayName), remotes: 1}
	})
	return added
}
