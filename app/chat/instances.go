package chat

import (
	"strings"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// instance is what this instance knows of another: when it last spoke,
// and who has a socket there, by room and user ID.
type instance struct {
	seen  time.Time
	rooms map[int64]map[int64]parley.User
}

// Receive applies another instance's event. It implements BusHandler. A
// change of a room takes the one way in that this instance's own changes
// take (Rooms.apply); the signals about instances stay here.
func (cl *link) Receive(e Event) {
	if e.From == cl.cfg.Instance || e.From == "" {
		return // our own, should the bus echo it
	}
	if ch, ok := e.Body.(parley.Change); ok {
		cl.rooms.apply(e.From, ch)
		return
	}
	h := cl.rooms.hub
	h.call(func() { cl.signal(h, e, time.Now()) })
}

// heard records that another instance spoke, and returns what this
// instance knows of it (hub).
func (cl *link) heard(from string, now time.Time) *instance {
	in := cl.instances[from]
	if in == nil {
		in = &instance{rooms: make(map[int64]map[int64]parley.User)}
		cl.instances[from] = in
		// New, or back after it was dropped: it may have stored messages
		// whose events never came across.
		cl.requestResync()
	}
	in.seen = now
	return in
}

// signal changes the hub's state after another instance's signal (hub).
func (cl *link) signal(h *hub, e Event, now time.Time) {
	if _, ok := e.Body.(Goodbye); ok {
		cl.forget(h, e.From)
		return
	}
	in := cl.heard(e.From, now)
	switch b := e.Body.(type) {
	case Snapshot:
		for roomID, people := range in.rooms {
			for userID := range people {
				if !hasUser(b.Rooms[roomID], userID) {
					cl.remoteLeave(h, in, roomID, userID)
				}
			}
		}
		for roomID, users := range b.Rooms {
			for _, u := range users {
				cl.remoteJoin(h, in, roomID, u)
			}
		}
	case CloseSockets:
		if b.SessionKey != "" {
			h.closeSession(b.SessionKey)
		} else if b.UserID != 0 {
			h.closeUser(b.UserID)
		}
	}
}

func hasUser(users []parley.User, id int64) bool {
	for _, u := range users {
		if u.ID == id {
			return true
		}
	}
	return false
}

// expire drops the instances silent for longer than InstanceTimeout,
// unless this instance's own link is down: then silence proves nothing,
// and LinkUp gives everyone a fresh InstanceTimeout to speak again (hub).
func (cl *link) expire(h *hub, now time.Time) {
	if cl.down {
		return
	}
	for id, in := range cl.instances {
		if now.Sub(in.seen) > cl.cfg.InstanceTimeout {
			cl.log.Info("chat: instance went silent; dropping its people", "silent_instance", id)
			cl.forget(h, id)
			// It may have died between storing a message and sending it.
			cl.requestResync()
		}
	}
}

// forget forgets an instance and its people (hub).
func (cl *link) forget(h *hub, id string) {
	in := cl.instances[id]
	if in == nil {
		return
	}
	for roomID, people := range in.rooms {
		for userID := range people {
			cl.remoteLeave(h, in, roomID, userID)
		}
	}
	delete(cl.instances, id)
}

// remoteJoin records that u has a socket of the room on in (hub).
func (cl *link) remoteJoin(h *hub, in *instance, roomID int64, u parley.User) {
	people := in.rooms[roomID]
	if people == nil {
		people = make(map[int64]parley.User)
		in.rooms[roomID] = people
	}
	if _, ok := people[u.ID]; ok {
		return
	}
	people[u.ID] = u
	r := h.rooms[roomID]
	if r == nil {
		return // nobody here to tell; fill adds them when someone comes
	}
	if p := r.people[u.ID]; p != nil {
		p.remotes++
		return
	}
	r.people[u.ID] = &person{user: u, sortKey: strings.ToLower(u.DisplayName), remotes: 1}
	h.changed(r, presenceEvent{name: u.NoticeName(), joined: true})
}

// remoteLeave records that the user has no socket of the room on in any
// more (hub).
func (cl *link) remoteLeave(h *hub, in *instance, roomID, userID int64) {
	people := in.rooms[roomID]
	if _, ok := people[userID]; !ok {
		return
	}
	delete(people, userID)
	if len(people) == 0 {
		delete(in.rooms, roomID)
	}
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

// fill adds the other instances' people to a room that has just got its
// first socket here, without notices: they were there before (hub).
func (cl *link) fill(h *hub, r *hubRoom) {
	if cl == nil || !cl.addRemotes(r) {
		return
	}
	h.touch(r)
}

// addRemotes adds the other instances' people of r's room to r and
// reports whether there were any.
func (cl *link) addRemotes(r *hubRoom) bool {
	added := false
	for _, in := range cl.instances {
		for _, u := range in.rooms[r.id] {
			added = true
			if p := r.people[u.ID]; p != nil {
				p.remotes++
				continue
			}
			r.people[u.ID] = &person{user: u, sortKey: strings.ToLower(u.DisplayName), remotes: 1}
		}
	}
	return added
}

// countRemoteRooms adds to counts the rooms that have people only on
// other instances (hub).
func (cl *link) countRemoteRooms(counts map[int64]int, local map[int64]*hubRoom) {
	if cl == nil {
		return
	}
	seen := make(map[int64]map[int64]struct{})
	for _, in := range cl.instances {
		for roomID, people := range in.rooms {
			if local[roomID] != nil {
				continue
			}
			if seen[roomID] == nil {
				seen[roomID] = make(map[int64]struct{})
			}
			for userID := range people {
				seen[roomID][userID] = struct{}{}
			}
		}
	}
	for roomID, people := range seen {
		if len(people) > 0 {
			counts[roomID] = len(people)
		}
	}
}
