package chat

import (
	"github.com/parleychat/parley/app/chat/outbox"
	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// client is one open socket: one tab of one signed-in person, in one
// room. Who and where it is are its own; what waits to be written to it,
// and its writer, are its outbox, which knows no rooms.
type client struct {
	user       parley.User
	sessionKey string
	// access is what user may do in the socket's room, decided once when
	// it opened (Peer.Access).
	access parley.Access
	// locale is the language and time zone the socket's page is in.
	locale i18n.Locale
	// room is the room the socket belongs to; it holds the room's history
	// and orders its posts.
	room *cachedRoom

	// presenceGen is the generation of the room's presence last offered
	// to this socket, 0 for none (hub goroutine only).
	presenceGen int64

	outbox.Outbox
}

func newClient(p Peer, room *cachedRoom, conn Conn, cfg *Config) *client {
	c := &client{
		user:       p.User,
		sessionKey: p.SessionKey,
		access:     p.Access,
		locale:     p.Locale,
		room:       room,
	}
	c.Init(conn, cfg.writerConfig(), cfg.SendQueueSize, &room.writers)
	return c
}

// roomID is the ID of the socket's room.
func (c *client) roomID() int64 { return c.room.room.ID }
