package chat

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleychat/parley/app/chat/outbox"
	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// Why Send refused a message. parley.ErrMessageTooLong and the other
// errors of parley.NormalizeMessage come back as they are.
var (
	// ErrEmpty: nothing is left of the message once trimmed; nothing is
	// sent and nobody needs telling.
	ErrEmpty = errors.New("chat: empty message")
	// ErrMayNotPost: the author may not post in the room (parley.Access).
	ErrMayNotPost = errors.New("chat: may not post in this room")
	// ErrTooFast: the author sent more messages than the rate limit allows.
	ErrTooFast = errors.New("chat: too many messages")
)

// MutedError refuses a message from someone muted until Until.
type MutedError struct{ Until time.Time }

func (e *MutedError) Error() string {
	return "chat: muted until " + e.Until.UTC().Format(time.RFC3339)
}

// Send is the one way a message gets sent, with its rules: the text as
// parley.NormalizeMessage makes it, an access to the room that lets the
// author post (parley.RoomAccess, decided once per socket, not per
// message), and an author neither muted (a *MutedError: the store
// answers, so a mute counts from the next message on every instance) nor
// over the rate limit (ErrTooFast). It stores the message and makes it
// live on every instance, in the order of the room's posts here.
func (r *Rooms) Send(ctx context.Context, author parley.User, access parley.Access, room parley.Room, text string) (parley.Message, error) {
	text, err := parley.NormalizeMessage(text)
	switch {
	case err != nil:
		return parley.Message{}, err
	case text == "":
		return parley.Message{}, ErrEmpty
	case !access.Post:
		return parley.Message{}, ErrMayNotPost
	}
	until, err := r.store.MutedUntil(ctx, author.ID)
	switch {
	case err != nil:
		return parley.Message{}, fmt.Errorf("chat: read mute: %w", err)
	case !until.IsZero():
		return parley.Message{}, &MutedError{Until: until}
	case !r.limiter.Allow(author.ID):
		return parley.Message{}, ErrTooFast
	}
	return r.storeMessage(ctx, r.cache.use(room), author.ID, text)
}

// storeMessage stores a message in a room and makes it live.
func (r *Rooms) storeMessage(ctx context.Context, lr *cachedRoom, userID int64, text string) (parley.Message, error) {
	lr.postMu.Lock()
	defer lr.postMu.Unlock()
	m, err := r.store.CreateMessage(ctx, lr.room.ID, userID, text)
	if err != nil {
		return parley.Message{}, fmt.Errorf("chat: store message: %w", err)
	}
	r.cfg.Observer.MessageStored()
	// Shared after the local delivery: the sender's fresh form never waits
	// for the bus, and postMu keeps this instance's messages in ID order.
	r.Apply(parley.MessagePosted{Message: m})
	return m, nil
}

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

// ApplyPersonal makes a change of what one person sees live on every
// open page of theirs, in whatever room, here first and then on every
// other instance, which take it the same way in (applyPersonal).
func (r *Rooms) ApplyPersonal(ch parley.PersonalChange) {
	r.applyPersonal(ch)
	r.link.Load().tellOthers(Event{Body: ch})
}

// applyPersonal sends a personal change to every socket here of its
// person, rendered once per language among them.
func (r *Rooms) applyPersonal(ch parley.PersonalChange) {
	r.hub.call(func() {
		r.hub.toPerson(ch.Person(), func(lang i18n.Lang) ([]byte, error) {
			return r.render.Personal(View{Locale: i18n.Locale{Lang: lang}}, ch)
		})
	})
}

// closeMember closes the sockets here of someone no longer in a room,
// after what replaces the form on their pages of it.
func (r *Rooms) closeMember(ch parley.MemberRemoved) {
	r.hub.call(func() {
		r.hub.closeWhere(func(c *client) bool { return c.user.ID == ch.UserID && c.roomID() == ch.RoomID },
			func(lang i18n.Lang) ([]byte, error) {
				return r.render.Change(View{Locale: i18n.Locale{Lang: lang}}, ch)
			})
	})
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
	case parley.MemberRemoved:
		r.closeMember(ch)
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
	rf := delivery{roomID: m.RoomID, frame: outbox.Frame{Added: added}, message: &m}
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
	case r.hub.deliveries <- delivery{roomID: ch.Room(), frame: outbox.Frame{Fragment: pm}}:
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

// resyncAll brings every room in memory back in line with the store, for
// the times this instance may have missed other instances' messages and
// deletions: when its link to them is back (what they sent meanwhile may
// not have come across), when one of them went silent (it may have died
// between storing a message and sending it) and when one is heard from
// for the first time (it may be one that was cut off, back with what it
// stored meanwhile). It stops early once stop is closed. A room whose
// store read fails reads its messages again on next use instead.
func (r *Rooms) resyncAll(stop <-chan struct{}) {
	for _, lr := range r.cache.all() {
		select {
		case <-stop:
			return
		default:
		}
		if err := r.resync(lr); err != nil {
			r.log.Warn("chat: resync", "room", lr.room.Name, "err", err)
			lr.history.markStale()
		}
	}
}

// resync reads a room's last messages from the store and sends its open
// pages here what they lack: the messages they missed, each as if it had
// just arrived (at the bottom of the page, in ID order among themselves),
// and the removal of those deleted meanwhile. Both take the one way in
// (apply), as if heard from another instance.
func (r *Rooms) resync(lr *cachedRoom) error {
	gone, err := r.compareWithStore(lr)
	// Taken off once compareWithStore has released postMu: apply takes
	// it, in line with posts.
	for _, id := range gone {
		r.apply("", parley.MessageDeleted{RoomID: lr.room.ID, MessageID: id})
	}
	return err
}

// compareWithStore shows a room's open pages here the messages they
// lack, and returns the IDs of those it holds that the store has deleted.
func (r *Rooms) compareWithStore(lr *cachedRoom) (gone []int64, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), parley.StoreTimeout)
	defer cancel()
	// In line with posts, so that none is stored between the read and the
	// comparison and taken for a deleted one.
	lr.postMu.Lock()
	defer lr.postMu.Unlock()
	fresh, err := r.store.MessagesBefore(ctx, lr.room.ID, 0, parley.HistorySize)
	if err != nil {
		return nil, fmt.Errorf("chat: resync room %d: %w", lr.room.ID, err)
	}
	lacking, suspects := lr.history.compare(fresh)
	for _, m := range lacking {
		r.apply("", parley.MessagePosted{Message: m})
	}
	// Another instance's message can have been stored after the read and
	// arrived since: only the store can tell it from a deleted one.
	for _, id := range suspects {
		_, err := r.store.MessageByID(ctx, id)
		switch {
		case errors.Is(err, parley.ErrNotFound):
			gone = append(gone, id)
		case err != nil:
			return gone, fmt.Errorf("chat: resync room %d: message %d: %w", lr.room.ID, id, err)
		}
	}
	return gone, nil
}
