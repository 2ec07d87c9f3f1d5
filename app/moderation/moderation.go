// Package moderation is the home of the actions that act on other people's
// messages and accounts: deleting a message, muting, unmuting, banning and
// unbanning. Each is one method with its rules in it; the web handlers
// parse a form, call it and render what it says.
package moderation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// Errors of refused moderation. The store's parley.ErrNotFound,
// parley.ErrAmbiguousName and parley.ErrNoChange, and the parsing's
// parley.ErrAccountName, come back as they are.
var (
	// ErrNotAdmin: only admins mute, unmute, ban and unban.
	ErrNotAdmin = errors.New("moderation: only admins moderate")
	// ErrSelf: an admin may not mute or ban themselves: they would lock
	// themselves out, and another admin can do it if it must be done.
	ErrSelf = errors.New("moderation: not on yourself")
	// ErrNotAllowed: only a message's author or a moderator of its room
	// may delete it.
	ErrNotAllowed = errors.New("moderation: only its author or a moderator may delete a message")
)

// Store is what moderation reads and changes.
type Store interface {
	UserByName(ctx context.Context, provider, name string) (parley.User, error)
	RoomByID(ctx context.Context, id int64) (parley.Room, error)
	IsMember(ctx context.Context, roomID, userID int64) (bool, error)
	MessageByID(ctx context.Context, id int64) (parley.Message, error)
	DeleteMessage(ctx context.Context, actorID, messageID int64) (parley.Message, error)
	Mute(ctx context.Context, actorID, userID int64, until time.Time) error
	Unmute(ctx context.Context, actorID, userID int64) error
	Ban(ctx context.Context, actorID, userID int64) error
	Unban(ctx context.Context, actorID, userID int64) error
}

// Live is what moderation needs of the live rooms, on every instance:
// taking a deleted message off every open page, and closing the pages of
// someone banned.
type Live interface {
	Remove(m parley.Message)
	EndUser(userID int64)
}

// Service carries out moderation. Create it with New.
type Service struct {
	store Store
	live  Live
	now   func() time.Time
}

// New returns the moderation service over store and the live rooms.
func New(store Store, live Live) *Service {
	return &Service{store: store, live: live, now: time.Now}
}

// DeleteMessage deletes message id for actor, who must be able to read
// its room (parley.RoomAccess) and be its author or a moderator there, and
// takes it off every open page. It returns the message and its room.
// Someone who may not read the room gets parley.ErrNotFound, as for a
// message that does not exist or was deleted already.
func (s *Service) DeleteMessage(ctx context.Context, actor parley.User, id int64) (parley.Message, parley.Room, error) {
	m, err := s.store.MessageByID(ctx, id)
	if err != nil {
		return parley.Message{}, parley.Room{}, wrap("delete message", err)
	}
	room, access, err := s.roomByID(ctx, actor, m.RoomID)
	if err != nil {
		return parley.Message{}, parley.Room{}, err
	}
	if !access.MayDelete(actor, m) {
		return parley.Message{}, parley.Room{}, ErrNotAllowed
	}
	if m, err = s.store.DeleteMessage(ctx, actor.ID, id); err != nil {
		return parley.Message{}, parley.Room{}, wrap("delete message", err)
	}
	s.live.Remove(m)
	return m, room, nil
}

// roomByID is the room of that ID with actor's access to it
// (parley.RoomAccess), or parley.ErrNotFound when it has gone or actor
// may not read it.
func (s *Service) roomByID(ctx context.Context, actor parley.User, roomID int64) (parley.Room, parley.Access, error) {
	room, err := s.store.RoomByID(ctx, roomID)
	if err != nil {
		return parley.Room{}, parley.Access{}, wrap("room", err)
	}
	access, err := parley.RoomAccess(ctx, s.store, actor, room)
	if err != nil {
		return parley.Room{}, parley.Access{}, wrap("room access", err)
	}
	if !access.Read {
		return parley.Room{}, parley.Access{}, parley.ErrNotFound
	}
	return room, access, nil
}

// Mute keeps the person named target (a username or provider:name) from
// sending for length; they still read. It returns who that is.
func (s *Service) Mute(ctx context.Context, admin parley.User, target string, length time.Duration) (parley.User, error) {
	u, err := s.otherThan(ctx, admin, target)
	if err != nil {
		return u, err
	}
	return u, wrap("mute", s.store.Mute(ctx, admin.ID, u.ID, s.now().Add(length)))
}

// Unmute ends target's mute now; parley.ErrNoChange when they are not
// muted.
func (s *Service) Unmute(ctx context.Context, admin parley.User, target string) (parley.User, error) {
	u, err := s.person(ctx, admin, target)
	if err != nil {
		return u, err
	}
	return u, wrap("unmute", s.store.Unmute(ctx, admin.ID, u.ID))
}

// Ban bans target: the store ends their sessions and refuses new ones,
// and their open pages close on every instance. parley.ErrNoChange when
// they are banned already.
func (s *Service) Ban(ctx context.Context, admin parley.User, target string) (parley.User, error) {
	u, err := s.otherThan(ctx, admin, target)
	if err != nil {
		return u, err
	}
	if err := s.store.Ban(ctx, admin.ID, u.ID); err != nil {
		return u, wrap("ban", err)
	}
	s.live.EndUser(u.ID)
	return u, nil
}

// Unban lifts target's ban; parley.ErrNoChange when they are not banned.
func (s *Service) Unban(ctx context.Context, admin parley.User, target string) (parley.User, error) {
	u, err := s.person(ctx, admin, target)
	if err != nil {
		return u, err
	}
	return u, wrap("unban", s.store.Unban(ctx, admin.ID, u.ID))
}

// person finds the account an admin names.
func (s *Service) person(ctx context.Context, admin parley.User, target string) (parley.User, error) {
	if admin.ID == 0 || !admin.Admin {
		return parley.User{}, ErrNotAdmin
	}
	provider, name, err := parley.ParseAccountName(target)
	if err != nil {
		return parley.User{}, err
	}
	u, err := s.store.UserByName(ctx, provider, name)
	return u, wrap("find "+target, err)
}

// otherThan is person, refusing the admin themselves.
func (s *Service) otherThan(ctx context.Context, admin parley.User, target string) (parley.User, error) {
	u, err := s.person(ctx, admin, target)
	if err == nil && u.ID == admin.ID {
		return u, ErrSelf
	}
	return u, err
}

// wrap names the package and the action on store errors; nil stays nil,
// and the domain's errors stay matchable with errors.Is.
func wrap(action string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("moderation: %s: %w", action, err)
}
