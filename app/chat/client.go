package chat

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// client is one open socket: one tab of one signed-in person, in one
// room. Who and where it is are its own; what waits to be written to it,
// and its writer, are its outbox, which knows no rooms.
type client struct {
	user       parley.User
	sessionKey string
	// access is what user may do in the socket's room, decided when it
	// opened (parley.AccessTo).
	access parley.Access
	// locale is the language and time zone the socket's page is in.
	locale i18n.Locale
	// room is the room the socket belongs to; it holds the room's history
	// and orders its posts.
	room *cachedRoom

	// presenceGen is the generation of the room's presence last offered
	// to this socket, 0 for none (hub goroutine only).
	presenceGen int64

	outbox
}

// outbox is what waits to be written to one socket, and its writer.
//
// Its writer goroutine exists only while the socket has something to
// write: the hub and the socket's reader leave frames under mu, and the
// first one to find no writer running starts one, which writes until
// nothing is left and then ends. An idle socket thus holds one goroutine,
// its reader, and no queue. There is never more than one writer.
type outbox struct {
	// caughtUp is the room history's count of messages added when the
	// catch-up read it (see history.added): the page shows every message
	// added up to it (set before the first writer starts).
	caughtUp uint64
	// roomWriters counts the writers running among the sockets of the
	// socket's room: the hub's pacing of the room reads it.
	roomWriters *atomic.Int32

	// queueSize is how many pushes may wait for the writer to take them;
	// one more and the socket is dropped.
	queueSize int
	conn      Conn
	cfg       *Config
	pingTimer *time.Timer
	writers   sync.WaitGroup

	mu sync.Mutex
	// queue holds frames for the writer, in order; the hub and the
	// socket's own reader add to it. untaken counts the pushes since the
	// writer last took from it.
	queue   []frame
	untaken int
	// answer holds the latest fragment for this socket alone (a fresh form,
	// an error): each replaces the one before, so only the latest matters.
	answer *fragment
	// presence holds the room's presence updates not written yet, in
	// order: changes, after the whole count and list or not. A change of
	// the count alone replaces an unwritten one, so a burst of arrivals
	// costs a slow socket one count; a socket that falls further behind
	// gets the whole list again instead (see offerPresenceChange).
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
	pm    *fragment
	parts presenceParts
}

// presenceParts are the parts of a page's presence a fragment swaps.
type presenceParts uint8

const (
	partCount presenceParts = 1 << iota // #num-users
	partMore                            // #online-more
	partList                            // people named in #online-users
)

// keptQueue is the largest queue kept for the next burst once the writer
// has emptied it; a longer one goes back to the collector.
const keptQueue = 4

func newClient(p Peer, room *cachedRoom, conn Conn, cfg *Config) *client {
	return &client{
		user:       p.User,
		sessionKey: p.SessionKey,
		access:     parley.AccessTo(p.User, p.Room),
		locale:     p.Locale,
		room:       room,
		outbox: outbox{
			roomWriters: &room.writers,
			queueSize:   cfg.SendQueueSize,
			conn:        conn,
			cfg:         cfg,
		},
	}
}

// roomID is the ID of the socket's room.
func (c *client) roomID() int64 { return c.room.room.ID }

// push queues frames for the socket, all or none; it reports false,
// queueing nothing, when the socket is too slow: its writer has not taken
// from the queue for queueSize pushes, or more frames wait than
// queueSize full batches. A push is one message, or a busy room's batch
// of them: a socket is as far behind as the writes it owes, not the
// messages.
func (o *outbox) push(fs ...frame) bool {
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

// offerWholePresence replaces every unwritten presence update with pm,
// the whole count and list.
func (o *outbox) offerWholePresence(pm *fragment) {
	o.mu.Lock()
	defer o.mu.Unlock()
	clear(o.presence)
	o.presence = append(o.presence[:0], presenceUpdate{pm: pm, parts: partCount | partMore | partList})
	o.wake()
}

// offerPresenceChange queues a presence change that swaps parts. It
// reports false, queueing nothing, when maxPresenceUpdates wait already:
// the socket then needs the whole list instead.
func (o *outbox) offerPresenceChange(pm *fragment, parts presenceParts) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if n := len(o.presence); n > 0 {
		// A change of the count and "and N more" alone makes the one
		// before it useless when it swaps all that one swaps.
		if last := o.presence[n-1].parts; parts&partList == 0 && last&partList == 0 && parts&last == last {
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

// close asks the writer to close the socket with code; the first request wins.
func (o *outbox) close(code int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closeCode == 0 {
		o.closeCode = code
	}
	o.wake()
}

// reply offers a fragment to this socket only (an error, a fresh form),
// replacing one not written yet: both swap the same elements, so the
// latest is all the page needs.
func (o *outbox) reply(pm *fragment) {
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
func (o *outbox) take(frags []*fragment) (_ []*fragment, closeCode int) {
	o.untaken = 0
	n := 0
	for n < len(o.queue) && len(frags) < maxBatch && closeCode == 0 {
		f := o.queue[n]
		n++
		if f.added != 0 && f.added <= o.caughtUp {
			continue // the catch-up already showed it
		}
		if f.pm != nil {
			frags = append(frags, f.pm)
		}
		closeCode = f.closeCode
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

// frame is one prepared websocket message waiting for a socket.
type frame struct {
	pm *fragment
	// added, for a frame that shows a new message, is the room history's
	// count when the message was added (see history.added), 0 for any
	// other frame; a socket skips the messages its catch-up already had.
	added uint64
	// closeCode, when not 0, closes the socket once the frame is written.
	closeCode int
}
