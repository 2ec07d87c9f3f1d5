package chat

import (
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/app/chat/outbox"
	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// pacing spaces one room's fan-outs while the room is busy. A frame for
// the room goes out at once when the room's last fan-out is at least the
// hub's gap old; one that comes sooner is held, with every frame after
// it, until the gap is over, and they all go out together: each socket
// then gets them as one websocket message. A quiet room's message thus
// goes out at once, and a busy room costs each of its sockets at most one
// write a gap, however many messages a second it sees. A big room's
// fan-out also waits, past its gap, until most of its sockets have
// written the one before (see writing).
type pacing struct {
	// last is when the room's frames last went out.
	last time.Time
	// held are the frames waiting for due, in order.
	held []delivery
	due  time.Time
	// writers counts the room's sockets with a writer running (the
	// cachedRoom's count, shared with them).
	writers *atomic.Int32
}

// busyPoll is how often the hub looks again at a busy room whose gap is
// over but whose sockets are still writing its last fan-out.
const busyPoll = 2 * time.Millisecond

// writing reports whether more of the room's sockets are still writing
// than a few that may be stalled: a new fan-out then waits for them,
// unless the room's last one is MaxFanOutGap old. Each fan-out thus
// waits for the one before, however slow the machine, so that a burst
// piles up into bigger batches rather than into more writes that crowd
// each other out, and no socket's writer falls rounds behind the others.
func (p *pacing) writing(sockets int) bool {
	return p.writers != nil && int(p.writers.Load()) > 1+sockets/32
}

// fanOutGap is the least time between two fan-outs of a room of sockets
// sockets: sockets / WritesPerSecond, so that a room costs at most about
// WritesPerSecond writes a second however busy it is, and never more
// than MaxFanOutGap. A small room is not held back: 10 sockets at
// 100,000 writes a second are 0.1 ms apart.
func fanOutGap(sockets int, cfg Config) time.Duration {
	if cfg.WritesPerSecond <= 0 || sockets <= 0 {
		return 0
	}
	gap := time.Duration(sockets) * time.Second / time.Duration(cfg.WritesPerSecond)
	return min(gap, cfg.MaxFanOutGap)
}

// fanOut sends a frame to every socket of its room, or holds it for the
// room's next fan-out.
func (h *hub) fanOut(rf delivery) {
	r := h.rooms[rf.roomID]
	if r == nil {
		return
	}
	p := &r.pacing
	if len(p.held) > 0 { // keep the room's order
		p.held = append(p.held, rf)
		return
	}
	now := time.Now()
	if due, wait := h.nextFanOut(r, now); wait {
		p.held = append(p.held, rf)
		p.due = due
		h.holding[r] = struct{}{}
		h.schedule(p.due)
		return
	}
	h.handOut(r, []delivery{rf}, now)
}

// nextFanOut tells whether a room's frames must wait at now, and until
// when: its gap since the last fan-out, then, while the room's sockets
// are still writing that one, another busyPoll at a time, up to
// MaxFanOutGap after it.
func (h *hub) nextFanOut(r *hubRoom, now time.Time) (due time.Time, wait bool) {
	p := &r.pacing
	gap := fanOutGap(len(r.clients), h.cfg)
	if gap <= 0 {
		return now, false
	}
	if due := p.last.Add(gap); now.Before(due) {
		return due, true
	}
	// A room whose gap is shorter than busyPoll is written sooner than the
	// hub would look again: it never waits for its writers.
	limit := p.last.Add(h.cfg.MaxFanOutGap)
	if gap < busyPoll || !now.Before(limit) || !p.writing(len(r.clients)) {
		return now, false
	}
	if next := now.Add(busyPoll); next.Before(limit) {
		return next, true
	}
	return limit, true
}

// releaseHeld sends a room's held frames now.
func (h *hub) releaseHeld(r *hubRoom, now time.Time) {
	held := r.pacing.held
	r.pacing.held = nil
	delete(h.holding, r)
	if len(held) > 0 {
		h.handOut(r, held, now)
	}
}

// releaseDue sends the held frames of every room whose gap is over, and
// reschedules the others.
func (h *hub) releaseDue(now time.Time) {
	for r := range h.holding {
		if r.pacing.due.After(now) {
			h.schedule(r.pacing.due)
			continue
		}
		if due, wait := h.nextFanOut(r, now); wait {
			r.pacing.due = due
			h.schedule(due)
			continue
		}
		h.releaseHeld(r, now)
	}
}

// handOut hands frames to every socket of a room, all of one socket's at
// once, so that its writer takes them as one batch. Each message is
// rendered once per kind of reader, not once per socket.
func (h *hub) handOut(r *hubRoom, frames []delivery, now time.Time) {
	r.pacing.last = now
	views := make([]map[messageView]*outbox.Fragment, len(frames))
	for i := range views {
		views[i] = make(map[messageView]*outbox.Fragment)
	}
	for c := range r.clients {
		batch := h.scratch[:0]
		for i, rf := range frames {
			if f := h.pick(rf, c, views[i]); f.Fragment != nil {
				batch = append(batch, f)
			}
		}
		if len(batch) > 0 {
			h.pushOrDrop(c, batch...)
		}
		h.scratch = batch[:0]
	}
}

// delivery is a frame for every socket of one room.
type delivery struct {
	roomID int64
	frame  outbox.Frame
	// message, when not nil, is a new message to render into frame.pm for
	// each kind of reader (see messageView): its time is in the reader's
	// zone, and its author and admins see its Delete control.
	message *parley.Message
}

// messageView is one rendering of a message: a Locale, with or without
// the Delete control.
type messageView struct {
	locale    i18n.Locale
	deletable bool
}

// pick is the frame one socket of the room gets; views holds the message's
// renderings so far, so that each is made once per fan-out.
func (h *hub) pick(rf delivery, c *client, views map[messageView]*outbox.Fragment) outbox.Frame {
	if rf.message == nil {
		return rf.frame
	}
	v := messageView{locale: c.locale, deletable: c.access.MayDelete(c.user, *rf.message)}
	pm, ok := views[v]
	if !ok {
		pm = h.prepare(h.render.Change(View{Locale: v.locale, Deletable: v.deletable}, parley.MessagePosted{Message: *rf.message}))
		views[v] = pm
	}
	f := rf.frame
	f.Fragment = pm
	return f
}
