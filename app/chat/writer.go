package chat

import (
	"time"

	"github.com/fasthttp/websocket"
)

// wake starts a writer when there is none and the socket may be written
// to (c.mu held).
func (c *client) wake() {
	if c.writing || !c.ready || c.done {
		return
	}
	c.writing = true
	c.writers.Add(1)
	c.room.writers.Add(1)
	go c.writeOut()
}

// start lets writers run once the catch-up is written, and pings the
// socket every PingInterval.
func (c *client) start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ready = true
	c.pingTimer = time.AfterFunc(c.cfg.PingInterval, c.askPing)
	if len(c.queue) > 0 || c.answer != nil || len(c.presence) > 0 || c.closeCode != 0 {
		c.wake()
	}
}

// askPing runs on the ping timer: the writer sends the ping, so that the
// socket keeps one writer.
func (c *client) askPing() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return
	}
	c.pingDue = true
	c.wake()
	c.pingTimer.Reset(c.cfg.PingInterval)
}

// finish ends the socket once its reader has stopped: no writer starts
// again, the connection is closed (which ends a write in progress), and
// finish returns once the last writer has.
func (c *client) finish() {
	c.mu.Lock()
	c.done = true
	c.queue, c.untaken, c.answer, c.presence = nil, 0, nil, nil
	if c.pingTimer != nil {
		c.pingTimer.Stop()
	}
	c.mu.Unlock()
	_ = c.conn.Close()
	c.writers.Wait()
}

// end marks the socket done and its writer gone (c.mu held): nothing is
// written to it any more.
func (c *client) end() {
	c.done, c.writing = true, false
	c.queue, c.untaken, c.answer, c.presence = nil, 0, nil, nil
}

// writeOut is the socket's writer while it has something to write. It
// ends when nothing is left, when a write fails, or when the socket is to
// be closed; in the last two cases it closes the connection, so that the
// reader stops too.
func (c *client) writeOut() {
	defer c.writers.Done()
	defer c.room.writers.Add(-1)
	// One array for the writer's life: batching allocates nothing.
	var frags [maxBatch]*fragment
	for {
		c.mu.Lock()
		if c.done {
			c.writing = false
			c.mu.Unlock()
			return
		}
		if code := c.closeCode; code != 0 {
			c.stopWith(code)
			return
		}
		ping := c.pingDue
		c.pingDue = false
		batch, closeCode := c.take(frags[:0])
		if len(batch) == 0 && closeCode == 0 && !ping {
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()

		if ping && c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.cfg.WriteWait)) != nil {
			c.fail()
			return
		}
		if writeBatch(c.conn, *c.cfg, batch) != nil {
			c.fail()
			return
		}
		clear(batch) // let the fragments go once written
		if closeCode != 0 {
			c.mu.Lock()
			c.stopWith(closeCode)
			return
		}
	}
}

// stopWith ends the socket with a close frame with code, then closes the
// connection, so that the reader stops too; c.mu is held and released.
func (c *client) stopWith(code int) {
	c.end()
	c.mu.Unlock()
	writeClose(c.conn, *c.cfg, code)
	_ = c.conn.Close()
}

// fail ends the socket after a failed write.
func (c *client) fail() {
	c.mu.Lock()
	c.end()
	c.mu.Unlock()
	_ = c.conn.Close()
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
