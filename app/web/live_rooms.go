package web

import (
	"context"

	"github.com/parleychat/parley/app/chat"
	"github.com/parleychat/parley/app/parley"
)

// LiveRooms is what the handlers need of the live rooms (*chat.Rooms):
// finding a room, its latest messages and who is in it, serving its
// sockets, and closing a session's sockets when it signs out.
type LiveRooms interface {
	// Find returns the room of that name, or parley.ErrNotFound.
	Find(ctx context.Context, name string) (parley.Room, error)
	// Recent returns the room's latest messages and whether older ones exist.
	Recent(ctx context.Context, room parley.Room) ([]parley.Message, bool, error)
	// Presence is the room's count and the people its list names.
	Presence(roomID int64) (online int, listed []parley.User)
	// PresenceWith is Presence as it will be once user's socket opens.
	PresenceWith(roomID int64, user parley.User) (online int, listed []parley.User)
	// OnlineByRoom counts the people in each room that has any.
	OnlineByRoom() map[int64]int
	// Open serves a socket in the background and returns when it has
	// joined its room; ended closes when the socket has.
	Open(conn chat.Conn, p chat.Peer) (ended <-chan struct{}, err error)
	// Serve serves a socket until it closes.
	Serve(conn chat.Conn, p chat.Peer) error
	// EndSession closes every socket of the session, on every instance.
	EndSession(sessionKey string)
	// Apply makes a change of a room (one the store holds already) live on
	// every instance: parley.MemberRemoved closes the member's pages of it.
	Apply(ch parley.Change)
	// ApplyPersonal makes a change of one person's sidebar live on every
	// open page of theirs, on every instance.
	ApplyPersonal(ch parley.PersonalChange)
}
