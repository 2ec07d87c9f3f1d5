package chat

import (
	"log/slog"
	"sync"
	"time"

	"github.com/parleychat/parley/app/chat/outbox"
	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// LinkRenderer renders the notice a page gets when live updates from the
// other instances stop (paused) and when they come back.
type LinkRenderer interface {
	LinkNotice(lang i18n.Lang, paused bool) ([]byte, error)
}

// ClusterConfig holds the timings of the presence the instances share.
type ClusterConfig struct {
	// Instance names this instance to the others; empty means a random ID
	// chosen at Join. It must be unique among the running instances.
	Instance string
	// HeartbeatInterval is how often the instance says it is alive.
	HeartbeatInterval time.Duration
	// SnapshotInterval is how often it sends everyone it has, room by
	// room, so that a lost change does not stay wrong for long.
	SnapshotInterval time.Duration
	// InstanceTimeout is how long an instance may stay silent before its
	// people are dropped from every count.
	InstanceTimeout time.Duration
}

// DefaultClusterConfig returns the production timings: an instance that
// dies drops out of every count within InstanceTimeout plus one heartbeat.
func DefaultClusterConfig() ClusterConfig {
	return ClusterConfig{
		HeartbeatInterval: time.Second,
		SnapshotInterval:  2 * time.Second,
		InstanceTimeout:   3 * time.Second,
	}
}

// maxQueued bounds the presence changes waiting for the bus; beyond it
// they are dropped and the next heartbeat sends a snapshot instead.
const maxQueued = 4096

// flushTimeout bounds the wait for the goodbye to leave on Close.
const flushTimeout = time.Second

// linkedChat is all the link asks of the chat of this instance. The
// methods marked (hub) belong to the hub goroutine: the link calls them
// inside call.
type linkedChat interface {
	// call runs f on the hub goroutine and waits for it; it reports false,
	// without running f, once the hub has stopped.
	call(f func()) bool
	// applyHeard takes a change of a room heard from the instance from
	// the one way in that this instance's own changes take.
	applyHeard(from string, ch parley.Change)
	// applyPersonal gives a personal change heard from another instance
	// to its person's sockets here.
	applyPersonal(ch parley.PersonalChange)
	// resyncAll brings the rooms in memory back in line with the store,
	// stopping early once stop is closed.
	resyncAll(stop <-chan struct{})
	// localPeople is everyone with a socket here, by room ID (hub).
	localPeople() map[int64][]parley.User
	// remoteArrived counts u in the room on one more other instance, and
	// remoteLeft on one fewer (hub).
	remoteArrived(roomID int64, u parley.User)
	remoteLeft(roomID, userID int64)
	// closeSession and closeUser close every socket here of a session
	// that has ended, or of a banned user (hub).
	closeSession(sessionKey string)
	closeUser(userID int64)
	// toEverySocket gives every socket here a fragment in its language (hub).
	toEverySocket(pms map[i18n.Lang]*outbox.Fragment)
}

// link is the chat's side of the bus: it announces this instance's
// people, keeps the other instances' people, and feeds both into the
// hub's presence, through linkedChat. Its fields marked "hub" belong to
// the hub goroutine.
type link struct {
	chat linkedChat
	bus  Bus
	cfg  ClusterConfig
	log  *slog.Logger
	// paused and resumed are the link notices, rendered once per language.
	paused, resumed map[i18n.Lang]*outbox.Fragment

	// instances are the other instances heard from (hub).
	instances map[string]*instance
	// down is true while the bus link is lost (hub).
	down bool
	// failing is whether the last event run sent failed (run goroutine).
	failing bool

	// mu guards queue and overflow: presence changes in the order the
	// hub made them, for the run goroutine to send.
	mu       sync.Mutex
	queued   []Event
	overflow bool
	wake     chan struct{}

	// resyncs asks resyncLoop for a pass over the rooms in memory.
	resyncs chan struct{}

	stopOnce sync.Once
	stop     chan struct{}
	// done and resynced close when run and resyncLoop have returned.
	done     chan struct{}
	resynced chan struct{}
}

// run sends the queued changes, the heartbeats and the snapshots, and
// drops the instances that went silent. It returns after a goodbye once
// leave is called.
func (cl *link) run() {
	defer close(cl.done)
	beat := time.NewTicker(cl.cfg.HeartbeatInterval)
	defer beat.Stop()
	cl.snapshot() // the others learn of this instance at once
	lastSnapshot := time.Now()
	for {
		select {
		case <-cl.wake:
			cl.transmitQueued()
		case now := <-beat.C:
			cl.mu.Lock()
			overflow := cl.overflow
			cl.mu.Unlock()
			if overflow || now.Sub(lastSnapshot) >= cl.cfg.SnapshotInterval-cl.cfg.HeartbeatInterval/2 {
				cl.snapshot()
				lastSnapshot = now
			} else {
				cl.transmit(Event{Body: Heartbeat{}})
			}
			cl.chat.call(func() { cl.expire(now) })
			cl.transmitQueued()
		case <-cl.stop:
			cl.transmitQueued()
			cl.transmit(Event{Body: Goodbye{}})
			if err := cl.bus.Flush(flushTimeout); err != nil {
				cl.log.Warn("chat: goodbye to other instances", "err", err)
			}
			return
		}
	}
}

// leave says goodbye to the other instances and stops run. It does
// nothing on a nil link (a chat that runs alone).
func (cl *link) leave() {
	if cl == nil {
		return
	}
	cl.stopOnce.Do(func() { close(cl.stop) })
	<-cl.done
	<-cl.resynced
}

// requestResync asks for a pass of Rooms.resyncAll without waiting for
// it; requests made while one runs make one more pass after it.
func (cl *link) requestResync() {
	select {
	case cl.resyncs <- struct{}{}:
	default: // one is pending already
	}
}

// resyncLoop runs the passes requestResync asks for, on a goroutine of
// their own, so that slow store reads never hold up the heartbeats or
// the hub. It returns once leave is called.
func (cl *link) resyncLoop() {
	defer close(cl.resynced)
	for {
		select {
		case <-cl.stop:
			return
		case <-cl.resyncs:
			cl.chat.resyncAll(cl.stop)
		}
	}
}

// transmit puts one event on the bus now, from the run goroutine. It logs when
// sending starts to fail and when it works again, not every failure: in an
// outage it fails every heartbeat.
func (cl *link) transmit(e Event) {
	e.From = cl.cfg.Instance
	err := cl.bus.Send(e)
	switch {
	case err != nil && !cl.failing:
		cl.log.Warn("chat: cannot send to other instances", "kind", e.Body.TypeName(), "err", err)
	case err == nil && cl.failing:
		cl.log.Info("chat: sending to other instances again")
	}
	cl.failing = err != nil
}

// tellOthers puts an event on the bus now, from any goroutine; on a nil
// link (a chat that runs alone) it does nothing. What it tells of is
// stored already: failing to tell it loses nothing, the other
// instances' pages catch up from the store.
func (cl *link) tellOthers(e Event) {
	if cl == nil {
		return
	}
	e.From = cl.cfg.Instance
	if err := cl.bus.Send(e); err != nil {
		cl.log.Warn("chat: send to other instances", "kind", e.Body.TypeName(), "err", err)
	}
}

// queue queues a presence change for run to transmit (hub goroutine).
func (cl *link) queue(e Event) {
	cl.mu.Lock()
	if _, snapshot := e.Body.(Snapshot); len(cl.queued) >= maxQueued && !snapshot {
		cl.overflow = true
	} else {
		cl.queued = append(cl.queued, e)
	}
	cl.mu.Unlock()
	select {
	case cl.wake <- struct{}{}:
	default:
	}
}

// transmitQueued transmits what is queued, in order (run goroutine).
func (cl *link) transmitQueued() {
	cl.mu.Lock()
	queue := cl.queued
	cl.queued = nil
	cl.mu.Unlock()
	for _, e := range queue {
		cl.transmit(e)
	}
}

// snapshot queues everyone with a socket here, room by room, behind the
// changes already queued.
func (cl *link) snapshot() {
	cl.chat.call(func() {
		rooms := cl.chat.localPeople()
		cl.mu.Lock()
		cl.overflow = false
		cl.mu.Unlock()
		cl.queue(Event{Body: Snapshot{Rooms: rooms}})
	})
}

// announce queues the arrival of a person's first socket of a room here,
// or the departure of their last (hub goroutine).
func (cl *link) announce(roomID int64, u parley.User, joined bool) {
	if cl == nil {
		return
	}
	if joined {
		cl.queue(Event{Body: parley.PersonArrived{RoomID: roomID, User: u}})
	} else {
		cl.queue(Event{Body: parley.PersonLeft{RoomID: roomID, User: u}})
	}
}

// LinkDown tells every page here that live updates from the other
// instances are paused. It implements BusHandler.
func (cl *link) LinkDown(err error) {
	cl.log.Warn("chat: lost the link to other instances; serving this instance's sockets only", "err", err)
	cl.chat.call(func() {
		if cl.down {
			return
		}
		cl.down = true
		cl.chat.toEverySocket(cl.paused)
	})
}

// LinkUp tells every page here that live updates are back, sends this
// instance's people again, and gives the other instances a fresh
// InstanceTimeout to send theirs; those that do not are dropped. Then
// the rooms in memory are brought in line with the store (see
// Rooms.resyncAll): what the others sent meanwhile may not have come
// across. It implements BusHandler.
func (cl *link) LinkUp() {
	cl.log.Info("chat: link to other instances is back")
	cl.chat.call(func() {
		if !cl.down {
			return
		}
		cl.down = false
		now := time.Now()
		for _, in := range cl.instances {
			in.seen = now
		}
		cl.chat.toEverySocket(cl.resumed)
	})
	cl.snapshot()
	cl.requestResync()
}
