package chat

import (
	"time"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// client is one open socket: one tab of one signed-in person, in one room.
type client struct {
	user       parley.User
	sessionKey string
	// locale is the language and time zone the socket's page is in.
	locale i18n.Locale
	// room is the room the socket belongs to; it holds the room's history
	// and orders its posts.
	room *liveRoom

	// send queues frames for the writer. The hub and the socket's own
	// reader send; when it is full the socket is dropped.
	send chan frame
	// answer holds the latest fragment for this socket alone (a fresh form,
	// an error): each replaces the one before, so only the latest matters.
	answer chan *websocket.PreparedMessage
	// presence holds the latest count and online list; a newer frame
	// replaces an unsent older one, so a burst of changes costs a socket
	// one frame.
	presence chan *websocket.PreparedMessage
	// closing carries the close code that ends the socket now.
	closing chan int

	// sentVersion is the room's presence version last offered to this
	// socket (hub goroutine only).
	sentVersion int64
	// shownThrough is the highest message ID the page already shows, after
	// the catch-up (writer only).
	shownThrough int64
}

func newClient(p Peer, room *liveRoom, queueSize int) *client {
	return &client{
		user:        p.User,
		sessionKey:  p.SessionKey,
		locale:      p.Locale,
		room:        room,
		send:        make(chan frame, queueSize),
		answer:      make(chan *websocket.PreparedMessage, 1),
		presence:    make(chan *websocket.PreparedMessage, 1),
		closing:     make(chan int, 1),
		sentVersion: -1,
	}
}

// roomID is the ID of the socket's room.
func (c *client) roomID() int64 { return c.room.room.ID }

// offerPresence replaces any unsent presence frame with pm. Only the hub
// calls it, so the slot is free again by the time it sends.
func (c *client) offerPresence(pm *websocket.PreparedMessage) {
	select {
	case <-c.presence:
	default:
	}
	c.presence <- pm
}

// close asks the writer to close the socket with code; the first request wins.
func (c *client) close(code int) {
	select {
	case c.closing <- code:
	default:
	}
}

// reply offers a fragment to this socket only (an error, a fresh form),
// replacing one not written yet: both swap the same elements, so the
// latest is all the page needs. Only the socket's reader calls it, so the
// slot is free again by the time it sends.
func (c *client) reply(pm *websocket.PreparedMessage) {
	if pm == nil {
		return
	}
	select {
	case <-c.answer:
	default:
	}
	c.answer <- pm
}

// writeLoop is the socket's only writer. It returns when a write fails,
// when the socket is to be closed, or when the reader has stopped; it then
// closes the connection so that the reader stops too.
func (c *client) writeLoop(conn Conn, cfg Config, readerDone <-chan struct{}) {
	ping := time.NewTicker(cfg.PingInterval)
	defer ping.Stop()
	defer conn.Close()
	for {
		select {
		case f := <-c.send:
			if f.messageID != 0 && f.messageID <= c.shownThrough {
				continue // the catch-up already showed it
			}
			if f.pm != nil && write(conn, cfg, f.pm) != nil {
				return
			}
			if f.closeCode != 0 {
				writeClose(conn, cfg, f.closeCode)
				return
			}
		case pm := <-c.answer:
			if write(conn, cfg, pm) != nil {
				return
			}
		case pm := <-c.presence:
			if write(conn, cfg, pm) != nil {
				return
			}
		case code := <-c.closing:
			writeClose(conn, cfg, code)
			return
		case <-ping.C:
			if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(cfg.WriteWait)) != nil {
				return
			}
		case <-readerDone:
			return
		}
	}
}

func write(conn Conn, cfg Config, pm *websocket.PreparedMessage) error {
	if err := conn.SetWriteDeadline(time.Now().Add(cfg.WriteWait)); err != nil {
		return err
	}
	if err := conn.WritePreparedMessage(pm); err != nil {
		return err
	}
	cfg.Observer.FrameWritten()
	return nil
}

func writeClose(conn Conn, cfg Config, code int) {
	msg := websocket.FormatCloseMessage(code, "")
	_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(cfg.WriteWait))
}
