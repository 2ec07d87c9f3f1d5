package chat

import (
	"cmp"
	"slices"
	"strings"
	"time"

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
	wholes  map[i18n.Lang]*fragment
	changes map[i18n.Lang]*fragment

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
func (r *hubRoom) changeParts() presenceParts {
	var parts presenceParts
	if r.change.CountChanged {
		parts |= partCount
	}
	if r.change.MoreChanged {
		parts |= partMore
	}
	if len(r.change.Left) > 0 || len(r.change.Joined) > 0 {
		parts |= partList
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
