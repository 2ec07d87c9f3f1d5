package chat

import (
	"time"

	"github.com/fasthttp/websocket"
)

// client is one open socket: one tab of one signed-in person.
type client struct {
	userID     int64
	name       string
	sessionKey string

	// send queues frames for the writer. The hub and the socket's own
	// reader send; when it is full the socket is dropped.
	send chan frame
	// count holds the latest count frame; a newer one replaces an unsent
	// older one, so a burst of changes costs a socket one frame.
	count chan *websocket.PreparedMessage
	// closing carries the close code that ends the socket now.
	closing chan int

	// sentCount is the count last offered to this socket (hub goroutine only).
	sentCount int
	// shownThrough is the highest message ID the page already shows, after
	// the catch-up (writer only).
	shownThrough int64
}

func newClient(p Peer, queueSize int) *client {
	return &client{
		userID:     p.User.ID,
		name:       p.User.DisplayName,
		sessionKey: p.SessionKey,
		send:       make(chan frame, queueSize),
		count:      make(chan *websocket.PreparedMessage, 1),
		closing:    make(chan int, 1),
		sentCount:  -1,
	}
}

// offerCount replaces any unsent count with pm. Only the hub calls it, so
// the slot is free again by the time it sends.
func (c *client) offerCount(pm *websocket.PreparedMessage) {
	select {
	case <-c.count:
	default:
	}
	c.count <- pm
}

// close asks the writer to close the socket with code; the first request wins.
func (c *client) close(code int) {
	select {
	case c.closing <- code:
	default:
	}
}

// reply queues a frame for this socket only (errors, a fresh form). A socket
// too far behind to take it is closed.
func (c *client) reply(pm *websocket.PreparedMessage) {
	if pm == nil {
		return
	}
	select {
	case c.send <- frame{pm: pm}:
	default:
		c.close(closeTooSlow)
	}
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
		case pm := <-c.count:
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
	return conn.WritePreparedMessage(pm)
}

func writeClose(conn Conn, cfg Config, code int) {
	msg := websocket.FormatCloseMessage(code, "")
	_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(cfg.WriteWait))
}
