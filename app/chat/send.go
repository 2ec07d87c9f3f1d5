package chat

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// Why Send refused a message. parley.ErrMessageTooLong and the other
// errors of parley.NormalizeMessage come back as they are.
var (
	// ErrEmpty: nothing is left of the message once trimmed; nothing is
	// sent and nobody needs telling.
	ErrEmpty = errors.New("chat: empty message")
	// ErrMayNotPost: the author may not post in the room (parley.AccessTo).
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
// parley.NormalizeMessage makes it, an author who may post in the room
// (parley.AccessTo) and is neither muted (a *MutedError: the store
// answers, so a mute counts from the next message on every instance) nor
// over the rate limit (ErrTooFast). It stores the message and makes it
// live on every instance, in the order of the room's posts here.
func (r *Rooms) Send(ctx context.Context, author parley.User, room parley.Room, text string) (parley.Message, error) {
	text, err := parley.NormalizeMessage(text)
	switch {
	case err != nil:
		return parley.Message{}, err
	case text == "":
		return parley.Message{}, ErrEmpty
	case !parley.AccessTo(author, room).Post:
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
