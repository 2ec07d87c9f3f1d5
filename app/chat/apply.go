package chat

import (
	"time"

	"github.com/parleychat/parley/app/parley"
)

// Apply makes a change made on this instance live: on every open page of
// its room here first, then on every other instance, where it takes the
// same way in (apply) as here. The store holds the change already. People
// arrive and leave by opening and closing sockets, not through Apply: a
// PersonArrived or PersonLeft given to it does nothing.
func (r *Rooms) Apply(ch parley.Change) {
	if r.apply("", ch) {
		r.link.Load().tellOthers(Event{Body: ch})
	}
}

// Remove takes a deleted message off its room: out of the room's last
// messages, and off every open page of the room at once, on every
// instance, with one fragment rendered once. The store has already
// deleted it. It is Apply of a parley.MessageDeleted.
func (r *Rooms) Remove(m parley.Message) {
	r.Apply(parley.MessageDeleted{RoomID: m.RoomID, MessageID: m.ID})
}

// apply is the one way in for a change of a room on this instance: made
// here (from is empty), heard from the instance from, or found in the
// store by a resync. It changes what this instance keeps of the room and
// sends the change to the room's sockets here, as Renderer.Change renders
// it. It reports whether it applied the change; only such changes made
// here are shared.
func (r *Rooms) apply(from string, ch parley.Change) bool {
	switch ch := ch.(type) {
	case parley.MessagePosted:
		r.deliverMessage(ch.Message)
	case parley.MessageDeleted:
		r.removeMessage(ch)
	case parley.PersonArrived:
		return r.heardPerson(from, ch.RoomID, ch.User, true)
	case parley.PersonLeft:
		return r.heardPerson(from, ch.RoomID, ch.User, false)
	default:
		// A change that keeps nothing in memory here and looks the same
		// to every reader needs nothing more than its fragment.
		r.deliverChange(ch)
	}
	return true
}

// deliverMessage adds an already stored message to its room's history and sends it
// to every socket of the room here. One the history already holds, or saw
// deleted, is not sent again (another instance's copy, or a resync's).
// The hub renders the message once per kind of reader present in the
// room: per Locale (its time), with its Delete control for its author and
// admins or without for everyone else.
func (r *Rooms) deliverMessage(m parley.Message) {
	var added uint64
	if lr := r.cache.byRoomID(m.RoomID); lr != nil {
		if added = lr.history.add(m); added == 0 {
			return
		}
	}
	rf := delivery{roomID: m.RoomID, frame: frame{added: added}, message: &m}
	select {
	case r.hub.deliveries <- rf:
	case <-r.hub.done:
	}
}

// removeMessage takes a deleted message out of its room's history, when the
// room is in memory, and off every open page of the room here.
func (r *Rooms) removeMessage(ch parley.MessageDeleted) {
	lr := r.cache.byRoomID(ch.RoomID)
	if lr != nil {
		// In line with posts: a message deleted while it was being
		// stored is added and delivered first, then taken away.
		lr.postMu.Lock()
		defer lr.postMu.Unlock()
		lr.history.remove(ch.MessageID)
	}
	r.deliverChange(ch)
}

// deliverChange renders a change once, the same for every reader, and sends it
// to every socket of its room here.
func (r *Rooms) deliverChange(ch parley.Change) {
	pm := r.hub.prepare(r.render.Change(View{}, ch))
	if pm == nil {
		return
	}
	select {
	case r.hub.deliveries <- delivery{roomID: ch.Room(), frame: frame{pm: pm}}:
	case <-r.hub.done:
	}
}

// heardPerson records that a person arrived in a room (or left it) on the
// instance from, for the room's count and online list here. People here
// arrive and leave by their sockets (hub.add, hub.remove), so a
// change made here (from is empty) does nothing.
func (r *Rooms) heardPerson(from string, roomID int64, u parley.User, arrived bool) bool {
	if from == "" {
		return false
	}
	h := r.hub
	h.call(func() {
		cl := h.link
		if cl == nil {
			return
		}
		in := cl.heard(from, time.Now())
		if arrived {
			cl.remoteJoin(in, roomID, u)
		} else {
			cl.remoteLeave(in, roomID, u.ID)
		}
	})
	return true
}
