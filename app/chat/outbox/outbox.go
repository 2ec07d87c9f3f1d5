// Package outbox is what waits to be written to one websocket, and the
// one writer goroutine that writes it, started only while there is
// something to write. It knows no rooms and no people: the chat hands it
// frames, replies and presence updates, all rendered once for many
// sockets, and it batches, coalesces and drops by its own rules.
package outbox

import (
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// Outbox is what waits to be written to one socket, and its writer.
// Its zero value holds frames; Init gives it its connection, and Start
// lets its writer run.
//
// Its writer goroutine exists only while the socket has something to
// write: the hub and the socket's reader leave frames under mu, and the
// first one to find no writer running starts one, which writes until
// nothing is left and then ends. An idle socket thus holds one goroutine,
// its reader, and no queue. There is never more than one writer.
type Outbox struct {
	// caughtUp is the count of messages added that the catch-up showed
	// (see Frame.Added): the page shows every message added up to it (set
	// before the first writer starts).
	caughtUp uint64
	// writersOfGroup counts the writers running among a group of sockets
	// (the sockets of a room, for the chat's pacing of it).
	writersOfGroup *atomic.Int32

	// queueSize is how many pushes may wait for the writer to take them;
	// one more and the socket is dropped.
	queueSize int
	conn      Conn
	cfg       Config
	pingTimer *time.Timer
	writers   sync.WaitGroup

	mu sync.Mutex
	// queue holds frames for the writer, in order; the hub and the
	// socket's own reader add to it. untaken counts the pushes since the
	// writer last took from it.
	queue   []Frame
	untaken int
	// answer holds the latest fragment for this socket alone (a fresh form,
	// an error): each replaces the one before, so only the latest matters.
	answer *Fragment
	// presence holds the room's presence updates not written yet, in
	// order: changes, after the whole count and list or not. A change of
	// the count alone replaces an unwritten one, so a burst of arrivals
	// costs a slow socket one count; a socket that falls further behind
	// gets the whole list again instead (see OfferPresenceChange).
	presence []presenceUpdate
	// closeCode, when not 0, ends the socket now; the first request wins.
	closeCode int
	// pingDue asks the writer for a ping.
	pingDue bool
	// ready is set once the catch-up has been written: no writer starts
	// before. done is set once the socket has ended: none starts after.
	ready, done bool
	// writing is whether a writer goroutine is running.
	writing bool
}

// maxPresenceUpdates is how many presence changes may wait for a
// socket's writer; past that, the whole list replaces them.
const maxPresenceUpdates = 8

// presenceUpdate is a presence fragment waiting for a socket's writer,
// and what it swaps on the page.
type presenceUpdate struct {
	pm    *Fragment
	parts Parts
}

// Parts are the parts of a page's presence a fragment swaps.
type Parts uint8

const (
	PartCount Parts = 1 << iota // #num-users
	PartMore                    // #online-more
	PartList                    // people named in #online-users
)

// keptQueue is the largest queue kept for the next burst once the writer
// has emptied it; a longer one goes back to the collector.
const keptQueue = 4

// Push queues frames for the socket, all or none; it reports false,
// queueing nothing, when the socket is too slow: its writer has not taken
// from the queue for queueSize pushes, or more frames wait than
// queueSize full batches. A push is one message, or a busy room's batch
// of them: a socket is as far behind as the writes it owes, not the
// messages.
func (o *Outbox) Push(fs ...Frame) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return true // gone: nobody reads it any more
	}
	if o.untaken >= o.queueSize || len(o.queue) >= o.queueSize*maxBatch {
		return false
	}
	o.queue = append(o.queue, fs...)
	o.untaken++
	o.wake()
	return true
}

// OfferWholePresence replaces every unwritten presence update with pm,
// the whole count and list.
func (o *Outbox) OfferWholePresence(pm *Fragment) {
	o.mu.Lock()
	defer o.mu.Unlock()
	clear(o.presence)
	o.presence = append(o.presence[:0], presenceUpdate{pm: pm, parts: PartCount | PartMore | PartList})
	o.wake()
}

// OfferPresenceChange queues a presence change that swaps parts. It
// reports false, queueing nothing, when maxPresenceUpdates wait already:
// the socket then needs the whole list instead.
func (o *Outbox) OfferPresenceChange(pm *Fragment, parts Parts) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if n := len(o.presence); n > 0 {
		// A change of the count and "and N more" alone makes the one
		// before it useless when it swaps all that one swaps.
		if last := o.presence[n-1].parts; parts&PartList == 0 && last&PartList == 0 && parts&last == last {
			o.presence[n-1] = presenceUpdate{pm: pm, parts: parts}
			o.wake()
			return true
		}
		if n >= maxPresenceUpdates {
			return false
		}
	}
	o.presence = append(o.presence, presenceUpdate{pm: pm, parts: parts})
	o.wake()
	return true
}

// CloseWith asks the writer to close the socket with code; the first request wins.
func (o *Outbox) CloseWith(code int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closeCode == 0 {
		o.closeCode = code
	}
	o.wake()
}

// Reply offers a fragment to this socket only (an error, a fresh form),
// replacing one not written yet: both swap the same elements, so the
// latest is all the page needs.
func (o *Outbox) Reply(pm *Fragment) {
	if pm == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.answer = pm
	o.wake()
}

// maxBatch bounds the fragments written as one websocket message, so that
// one write never holds a socket's queue for long.
const maxBatch = 64

// take appends what waits for the socket to frags, up to maxBatch
// fragments (o.mu held): the queue in order, up to and including a frame
// that closes the socket (its code is returned), then the answer and the
// presence updates. A burst thus costs the socket one write.
func (o *Outbox) take(frags []*Fragment) (_ []*Fragment, closeCode int) {
	o.untaken = 0
	n := 0
	for n < len(o.queue) && len(frags) < maxBatch && closeCode == 0 {
		f := o.queue[n]
		n++
		if f.Added != 0 && f.Added <= o.caughtUp {
			continue // the catch-up already showed it
		}
		if f.Fragment != nil {
			frags = append(frags, f.Fragment)
		}
		closeCode = f.CloseCode
	}
	rest := copy(o.queue, o.queue[n:])
	clear(o.queue[rest:])
	o.queue = o.queue[:rest]
	if rest == 0 && cap(o.queue) > keptQueue {
		o.queue = nil
	}
	if closeCode != 0 {
		return frags, closeCode
	}
	if o.answer != nil && len(frags) < maxBatch {
		frags = append(frags, o.answer)
		o.answer = nil
	}
	n = min(len(o.presence), maxBatch-len(frags))
	for _, u := range o.presence[:n] {
		frags = append(frags, u.pm)
	}
	rest = copy(o.presence, o.presence[n:])
	clear(o.presence[rest:])
	o.presence = o.presence[:rest]
	if rest == 0 {
		o.presence = nil
	}
	return frags, 0
}

// Frame is one prepared websocket message waiting for a socket.
type Frame struct {
	Fragment *Fragment
	// Added, for a frame that shows a new message, is the room history's
	// count when the message was added, 0 for any other frame; a socket
	// skips the messages its catch-up already had (see SetCaughtUp).
	Added uint64
	// CloseCode, when not 0, closes the socket once the frame is written.
	CloseCode int
}

// Config is what an outbox's writer needs to know.
type Config struct {
	// WriteWait bounds each write; a peer that does not take a frame in
	// this time is dropped.
	WriteWait time.Duration
	// PingInterval is how often the writer pings the socket.
	PingInterval time.Duration
	// Observer is told of each websocket message written.
	Observer Observer
}

// Observer is told of each websocket message an outbox writes. It must be
// safe for concurrent use and must not block.
type Observer interface {
	FrameWritten()
}

// Conn is the part of a websocket connection an outbox writes to. Only
// its writer calls the write methods; WriteControl and Close may be
// called concurrently with them.
type Conn interface {
	WritePreparedMessage(pm *websocket.PreparedMessage) error
	NextWriter(messageType int) (io.WriteCloser, error)
	WriteControl(messageType int, data []byte, deadline time.Time) error
	SetWriteDeadline(t time.Time) error
	Close() error
}

// Init gives the outbox its connection and limits: queueSize pushes may
// wait for the writer, and writers, when not nil, counts this outbox's
// writer while it runs among those of a group of sockets (it must not be
// nil). Call it once,
// before Start.
func (o *Outbox) Init(conn Conn, cfg Config, queueSize int, writers *atomic.Int32) {
	o.conn, o.cfg, o.queueSize, o.writersOfGroup = conn, cfg, queueSize, writers
}

// SetCaughtUp records the count of messages added that the page's
// catch-up showed: the writer skips the frames of those (see
// Frame.Added). Call it before Start.
func (o *Outbox) SetCaughtUp(added uint64) {
	o.caughtUp = added
}
