package outbox

import (
	"time"

	"github.com/fasthttp/websocket"
)

// wake starts a writer when there is none and the socket may be written
// to (o.mu held).
func (o *Outbox) wake() {
	if o.writing || !o.ready || o.done {
		return
	}
	o.writing = true
	o.writers.Add(1)
	o.writersOfGroup.Add(1)
	go o.writeOut()
}

// Start lets writers run once the catch-up is written, and pings the
// socket every PingInterval.
func (o *Outbox) Start() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ready = true
	o.pingTimer = time.AfterFunc(o.cfg.PingInterval, o.askPing)
	if len(o.queue) > 0 || o.answer != nil || len(o.presence) > 0 || o.closeCode != 0 {
		o.wake()
	}
}

// askPing runs on the ping timer: the writer sends the ping, so that the
// socket keeps one writer.
func (o *Outbox) askPing() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return
	}
	o.pingDue = true
	o.wake()
	o.pingTimer.Reset(o.cfg.PingInterval)
}

// Finish ends the socket once its reader has stopped: no writer starts
// again, the connection is closed (which ends a write in progress), and
// Finish returns once the last writer has.
func (o *Outbox) Finish() {
	o.mu.Lock()
	o.done = true
	o.queue, o.untaken, o.answer, o.presence = nil, 0, nil, nil
	if o.pingTimer != nil {
		o.pingTimer.Stop()
	}
	o.mu.Unlock()
	_ = o.conn.Close()
	o.writers.Wait()
}

// end marks the socket done and its writer gone (o.mu held): nothing is
// written to it any more.
func (o *Outbox) end() {
	o.done, o.writing = true, false
	o.queue, o.untaken, o.answer, o.presence = nil, 0, nil, nil
}

// writeOut is the socket's writer while it has something to write. It
// ends when nothing is left, when a write fails, or when the socket is to
// be closed; in the last two cases it closes the connection, so that the
// reader stops too.
func (o *Outbox) writeOut() {
	defer o.writers.Done()
	defer o.writersOfGroup.Add(-1)
	// One array for the writer's life: batching allocates nothing.
	var frags [maxBatch]*Fragment
	for {
		o.mu.Lock()
		if o.done {
			o.writing = false
			o.mu.Unlock()
			return
		}
		if code := o.closeCode; code != 0 {
			o.stopWith(code)
			return
		}
		ping := o.pingDue
		o.pingDue = false
		batch, closeCode := o.take(frags[:0])
		if len(batch) == 0 && closeCode == 0 && !ping {
			o.writing = false
			o.mu.Unlock()
			return
		}
		o.mu.Unlock()

		if ping && o.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(o.cfg.WriteWait)) != nil {
			o.fail()
			return
		}
		if writeBatch(o.conn, o.cfg, batch) != nil {
			o.fail()
			return
		}
		clear(batch) // let the fragments go once written
		if closeCode != 0 {
			o.mu.Lock()
			o.stopWith(closeCode)
			return
		}
	}
}

// stopWith ends the socket with a close frame with code, then closes the
// connection, so that the reader stops too; o.mu is held and released.
func (o *Outbox) stopWith(code int) {
	o.end()
	o.mu.Unlock()
	WriteClose(o.conn, o.cfg, code)
	_ = o.conn.Close()
}

// fail ends the socket after a failed write.
func (o *Outbox) fail() {
	o.mu.Lock()
	o.end()
	o.mu.Unlock()
	_ = o.conn.Close()
}

// writeBatch writes frags as one websocket message: one fragment as it was
// framed for every socket, several as their HTML one after the other,
// through the connection's pooled write buffer (htmx swaps every
// out-of-band element of a message, in order).
func writeBatch(conn Conn, cfg Config, frags []*Fragment) error {
	switch len(frags) {
	case 0:
		return nil
	case 1:
		return Write(conn, cfg, frags[0])
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

// Write writes one fragment, as it was framed for every socket, to conn:
// for a socket whose writer has not started yet (its catch-up).
func Write(conn Conn, cfg Config, f *Fragment) error {
	if err := conn.SetWriteDeadline(time.Now().Add(cfg.WriteWait)); err != nil {
		return err
	}
	if err := conn.WritePreparedMessage(f.pm); err != nil {
		return err
	}
	cfg.Observer.FrameWritten()
	return nil
}

// WriteClose writes a close frame with code to conn, without waiting
// longer than WriteWait, for a socket whose writer has not started.
func WriteClose(conn Conn, cfg Config, code int) {
	msg := websocket.FormatCloseMessage(code, "")
	_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(cfg.WriteWait))
}
