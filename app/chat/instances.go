package chat

import (
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
		cl.chat.applyHeard(e.From, ch)
		return
	}
	if ch, ok := e.Body.(parley.PersonalChange); ok {
		cl.chat.applyPersonal(ch)
		return
	}
	cl.chat.call(func() { cl.signal(e, time.Now()) })
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
func (cl *link) signal(e Event, now time.Time) {
	if _, ok := e.Body.(Goodbye); ok {
		cl.forget(e.From)
		return
	}
	in := cl.heard(e.From, now)
	switch b := e.Body.(type) {
	case Snapshot:
		for roomID, people := range in.rooms {
			for userID := range people {
				if !hasUser(b.Rooms[roomID], userID) {
					cl.remoteLeave(in, roomID, userID)
				}
			}
		}
		for roomID, users := range b.Rooms {
			for _, u := range users {
				cl.remoteJoin(in, roomID, u)
			}
		}
	case CloseSockets:
		if b.SessionKey != "" {
			cl.chat.closeSession(b.SessionKey)
		} else if b.UserID != 0 {
			cl.chat.closeUser(b.UserID)
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
func (cl *link) expire(now time.Time) {
	if cl.down {
		return
	}
	for id, in := range cl.instances {
		if now.Sub(in.seen) > cl.cfg.InstanceTimeout {
			cl.log.Info("chat: instance went silent; dropping its people", "silent_instance", id)
			cl.forget(id)
			// It may have died between storing a message and sending it.
			cl.requestResync()
		}
	}
}

// forget forgets an instance and its people (hub).
func (cl *link) forget(id string) {
	in := cl.instances[id]
	if in == nil {
		return
	}
	for roomID, people := range in.rooms {
		for userID := range people {
			cl.remoteLeave(in, roomID, userID)
		}
	}
	delete(cl.instances, id)
}

// remoteJoin records that u has a socket of the room on in (hub).
func (cl *link) remoteJoin(in *instance, roomID int64, u parley.User) {
	people := in.rooms[roomID]
	if people == nil {
		people = make(map[int64]parley.User)
		in.rooms[roomID] = people
	}
	if _, ok := people[u.ID]; ok {
		return
	}
	people[u.ID] = u
	cl.chat.remoteArrived(roomID, u)
}

// remoteLeave records that the user has no socket of the room on in any
// more (hub).
func (cl *link) remoteLeave(in *instance, roomID, userID int64) {
	people := in.rooms[roomID]
	if _, ok := people[userID]; !ok {
		return
	}
	delete(people, userID)
	if len(people) == 0 {
		delete(in.rooms, roomID)
	}
	cl.chat.remoteLeft(roomID, userID)
}

// eachRemote calls f with each person the other instances have in the
// room, once for each instance that has them (hub).
func (cl *link) eachRemote(roomID int64, f func(u parley.User)) {
	for _, in := range cl.instances {
		for _, u := range in.rooms[roomID] {
			f(u)
		}
	}
}

// countRemoteRooms adds to counts the rooms that have people only on
// other instances (hub).
func (cl *link) countRemoteRooms(counts map[int64]int, isLocal func(roomID int64) bool) {
	if cl == nil {
		return
	}
	seen := make(map[int64]map[int64]struct{})
	for _, in := range cl.instances {
		for roomID, people := range in.rooms {
			if isLocal(roomID) {
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
