package chat

import (
	"time"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app/parley"
)

// client is one open socket: one tab of one signed-in person, in one room.
type client struct {
	user       parley.User
	sessionKey string
	// room is the room the socket belongs to; it holds the room's history
	// and orders its posts.
	room *liveRoom

	// send queues frames for the writer. The hub and the socket's own
	// reader send; when it is full the socket is dropped.
	send chan frame
	// answer holds the latest fragment for this socket alone (a fresh form,
	// an error): each replaces the one before, so only the latest matters.
	answer chan *fragment
	// presence holds the latest count and online list; a newer frame
	// replaces an unsent older one, so a burst of changes costs a socket
	// one frame.
	presence chan *fragment
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
		room:        room,
		send:        make(chan frame, queueSize),
		answer:      make(chan *fragment, 1),
		presence:    make(chan *fragment, 1),
		closing:     make(chan int, 1),
		sentVersion: -1,
	}
}

// roomID is the ID of the socket's room.
func (c *client) roomID() int64 { return c.room.room.ID }

// offerPresence replaces any unsent presence frame with pm. Only the hub
// calls it, so the slot is free again by the time it sends.
func (c *client) offerPresence(pm *fragment) {
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
func (c *client) reply(pm *fragment) {
	if pm == nil {
		return
	}
	select {
	case <-c.answer:
	default:
	}
	c.answer <- pm
}

// maxBatch bounds the fragments written as one websocket message, so that
// one write never holds a socket's queue for long.
const maxBatch = 64

// batch is the fragments one write sends, in the order they were taken.
type batch struct {
	frags []*fragment
	// closeCode, when not 0, closes the socket once the batch is written.
	closeCode int
}

// addFrame adds a queued frame, unless the catch-up already showed it.
func (c *client) addFrame(b *batch, f frame) {
	if f.messageID != 0 && f.messageID <= c.shownThrough {
		return // the catch-up already showed it
	}
	if f.pm != nil {
		b.frags = append(b.frags, f.pm)
	}
	b.closeCode = f.closeCode
}

// gather adds to b whatever else is waiting for the socket, without
// waiting: a burst then costs the socket one write. It stops at a frame
// that closes the socket, which must be the last one written.
func (c *client) gather(b *batch) {
	for b.closeCode == 0 && len(b.frags) < maxBatch {
		select {
		case f := <-c.send:
			c.addFrame(b, f)
		case pm := <-c.answer:
			b.frags = append(b.frags, pm)
		case pm := <-c.presence:
			b.frags = append(b.frags, pm)
		default:
			return
		}
	}
}

// writeLoop is the socket's only writer. It returns when a write fails,
// when the socket is to be closed, or when the reader has stopped; it then
// closes the connection so that the reader stops too.
func (c *client) writeLoop(conn Conn, cfg Config, readerDone <-chan struct{}) {
	ping := time.NewTicker(cfg.PingInterval)
	defer ping.Stop()
	defer conn.Close()
	// One array for the writer's whole life: batching allocates nothing.
	var frags [maxBatch]*fragment
	for {
		b := batch{frags: frags[:0]}
		select {
		case f := <-c.send:
			c.addFrame(&b, f)
		case pm := <-c.answer:
			b.frags = append(b.frags, pm)
		case pm := <-c.presence:
			b.frags = append(b.frags, pm)
		case code := <-c.closing:
			writeClose(conn, cfg, code)
			return
		case <-ping.C:
			if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(cfg.WriteWait)) != nil {
				return
			}
			continue
		case <-readerDone:
			return
		}
		c.gather(&b)
		if writeBatch(conn, cfg, b.frags) != nil {
			return
		}
		clear(frags[:]) // let the fragments go once written
		if b.closeCode != 0 {
			writeClose(conn, cfg, b.closeCode)
			return
		}
	}
}

// writeBatch writes frags as one websocket message: one fragment as it was
// framed for every socket, several as their HTML one after the other,
// through the connection's pooled write buffer (htmx swaps every
// out-of-band element of a message, in order).
func writeBatch(conn Conn, cfg Config, frags []*fragment) error {
	switch len(frags) {
	case 0:
		return nil
	case 1:
		return write(conn, cfg, frags[0])
	}
	if err := conn.SetWriteDeadline(time.Now().Add(cfg.WriteWait)); err != nil {
		return err
	}
	w, err := conn.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	for _, f := range frags {
		if _, err := w.Write(f.html); err != nil {
			_ = w.Close()
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	cfg.Observer.FrameWritten()
	return nil
}

func write(conn Conn, cfg Config, f *fragment) error {
	if err := conn.SetWriteDeadline(time.Now().Add(cfg.WriteWait)); err != nil {
		return err
	}
	if err := conn.WritePreparedMessage(f.pm); err != nil {
		return err
	}
	cfg.Observer.FrameWritten()
	return nil
}

func writeClose(conn Conn, cfg Config, code int) {
	msg := websocket.FormatCloseMessage(code, "")
	_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(cfg.WriteWait))
}
