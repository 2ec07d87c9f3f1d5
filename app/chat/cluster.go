package chat

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// Bus carries what the instances of one Parley share: stored messages,
// who is in which room, and sockets to close. app/natsbus implements it
// over NATS. Without a bus the chat runs alone, as one process.
type Bus interface {
	// Send publishes an event to the other instances. It may buffer, and
	// must not wait for them; it fails when the event cannot go out.
	Send(e Event) error
	// Listen starts handing the other instances' events to h, each
	// instance's in the order it sent them, and tells h when the link to
	// them is lost and when it is back. It is called once.
	Listen(h BusHandler) error
	// Flush waits until what Send published has left this process, or
	// until timeout.
	Flush(timeout time.Duration) error
}

// BusHandler is what a Bus delivers to: the chat of this instance.
type BusHandler interface {
	// Receive takes one event from another instance.
	Receive(e Event)
	// LinkDown tells that the other instances cannot be reached any more.
	LinkDown(err error)
	// LinkUp tells that they can be reached again.
	LinkUp()
}

// Event is one thing an instance tells the others.
type Event struct {
	// From is the ID of the instance that sent the event.
	From string
	// Body is what it says.
	Body Body
}

// Body is what an Event says: a parley.Change made on From (a message
// posted or deleted there, a person arrived or left there), or one of the
// signals about the instances and their sockets: Snapshot, Heartbeat,
// Goodbye, CloseSockets.
type Body interface {
	// TypeName names the kind of body: short, stable, unique among the
	// kinds, for logs and the bus.
	TypeName() string
}

// Snapshot is everyone with a socket on From, by room: it replaces what
// the others knew of From's people.
type Snapshot struct {
	// Rooms maps room IDs to the people with a socket there.
	Rooms map[int64][]parley.User
}

// TypeName is "snapshot".
func (Snapshot) TypeName() string { return "snapshot" }

// Heartbeat says that From is alive.
type Heartbeat struct{}

// TypeName is "heartbeat".
func (Heartbeat) TypeName() string { return "heartbeat" }

// Goodbye says that From stops: forget its people now.
type Goodbye struct{}

// TypeName is "goodbye".
func (Goodbye) TypeName() string { return "goodbye" }

// CloseSockets closes, on every instance, the sockets of SessionKey (signed
// out), or of UserID when SessionKey is empty (banned).
type CloseSockets struct {
	SessionKey string
	UserID     int64
}

// TypeName is "close sockets".
func (CloseSockets) TypeName() string { return "close sockets" }

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

// cluster is the chat's side of the bus: it announces this instance's
// people, keeps the other instances' people, and feeds both into the
// hub's presence. Its fields marked "hub" belong to the hub goroutine.
type cluster struct {
	rooms *Rooms
	bus   Bus
	cfg   ClusterConfig
	log   *slog.Logger
	// paused and resumed are the link notices, rendered once per language.
	paused, resumed map[i18n.Lang]*fragment

	// instances are the other instances heard from (hub).
	instances map[string]*instance
	// down is true while the bus link is lost (hub).
	down bool
	// failing is whether the last event run sent failed (run goroutine).
	failing bool

	// mu guards queue and overflow: presence changes in the order the
	// hub made them, for the run goroutine to send.
	mu       sync.Mutex
	queue    []Event
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

// instance is what this instance knows of another: when it last spoke,
// and who has a socket there, by room and user ID.
type instance struct {
	seen  time.Time
	rooms map[int64]map[int64]parley.User
}

// Join links the chat to the other instances through bus: from then on
// messages stored here are sent to them, and the count, the online list
// and the notices of every room count their people too. Call it once,
// before serving any socket; Close says goodbye to them.
func (r *Rooms) Join(bus Bus, cfg ClusterConfig, render LinkRenderer) error {
	if cfg.Instance == "" {
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			return fmt.Errorf("chat: join: instance id: %w", err)
		}
		cfg.Instance = hex.EncodeToString(b)
	}
	cl := &cluster{
		rooms:     r,
		bus:       bus,
		cfg:       cfg,
		log:       r.log.With("instance", cfg.Instance),
		instances: make(map[string]*instance),
		wake:      make(chan struct{}, 1),
		resyncs:   make(chan struct{}, 1),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
		resynced:  make(chan struct{}),
	}
	cl.paused = make(map[i18n.Lang]*fragment)
	cl.resumed = make(map[i18n.Lang]*fragment)
	rendered := true
	for _, lang := range i18n.Langs {
		cl.paused[lang] = r.hub.prepare(render.LinkNotice(lang, true))
		cl.resumed[lang] = r.hub.prepare(render.LinkNotice(lang, false))
		rendered = rendered && cl.paused[lang] != nil && cl.resumed[lang] != nil
	}
	if !rendered {
		return errors.New("chat: join: cannot render the link notices")
	}
	if !r.hub.call(func() { r.hub.cluster = cl }) {
		return ErrClosed
	}
	if err := bus.Listen(cl); err != nil {
		r.hub.call(func() { r.hub.cluster = nil })
		return fmt.Errorf("chat: join: %w", err)
	}
	r.cluster.Store(cl)
	go cl.run()
	go cl.resyncLoop()
	return nil
}

// run sends the queued changes, the heartbeats and the snapshots, and
// drops the instances that went silent. It returns after a goodbye once
// leave is called.
func (cl *cluster) run() {
	defer close(cl.done)
	beat := time.NewTicker(cl.cfg.HeartbeatInterval)
	defer beat.Stop()
	cl.snapshot() // the others learn of this instance at once
	lastSnapshot := time.Now()
	for {
		select {
		case <-cl.wake:
			cl.drain()
		case now := <-beat.C:
			cl.mu.Lock()
			overflow := cl.overflow
			cl.mu.Unlock()
			if overflow || now.Sub(lastSnapshot) >= cl.cfg.SnapshotInterval-cl.cfg.HeartbeatInterval/2 {
				cl.snapshot()
				lastSnapshot = now
			} else {
				cl.publish(Event{Body: Heartbeat{}})
			}
			cl.rooms.hub.call(func() { cl.expire(cl.rooms.hub, now) })
			cl.drain()
		case <-cl.stop:
			cl.drain()
			cl.publish(Event{Body: Goodbye{}})
			if err := cl.bus.Flush(flushTimeout); err != nil {
				cl.log.Warn("chat: goodbye to other instances", "err", err)
			}
			return
		}
	}
}

// leave says goodbye to the other instances and stops run. It does
// nothing on a nil cluster (a chat that runs alone).
func (cl *cluster) leave() {
	if cl == nil {
		return
	}
	cl.stopOnce.Do(func() { close(cl.stop) })
	<-cl.done
	<-cl.resynced
}

// requestResync asks for a pass of Rooms.resyncAll without waiting for
// it; requests made while one runs make one more pass after it.
func (cl *cluster) requestResync() {
	select {
	case cl.resyncs <- struct{}{}:
	default: // one is pending already
	}
}

// resyncLoop runs the passes requestResync asks for, on a goroutine of
// their own, so that slow store reads never hold up the heartbeats or
// the hub. It returns once leave is called.
func (cl *cluster) resyncLoop() {
	defer close(cl.resynced)
	for {
		select {
		case <-cl.stop:
			return
		case <-cl.resyncs:
			cl.rooms.resyncAll(cl.stop)
		}
	}
}

// publish sends one event now, from the run goroutine. It logs when
// sending starts to fail and when it works again, not every failure: in an
// outage it fails every heartbeat.
func (cl *cluster) publish(e Event) {
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

// send publishes an event from any goroutine; nil cluster: nothing to do.
func (cl *cluster) send(e Event) {
	if cl == nil {
		return
	}
	e.From = cl.cfg.Instance
	if err := cl.bus.Send(e); err != nil {
		cl.log.Warn("chat: send to other instances", "kind", e.Body.TypeName(), "err", err)
	}
}

// share tells the other instances of a change made here. What it
// changes is stored already: failing to share it loses nothing, their
// pages catch up from the store.
func (cl *cluster) share(ch parley.Change) {
	cl.send(Event{Body: ch})
}

// enqueue queues a presence change for run (hub goroutine).
func (cl *cluster) enqueue(e Event) {
	cl.mu.Lock()
	if _, snapshot := e.Body.(Snapshot); len(cl.queue) >= maxQueued && !snapshot {
		cl.overflow = true
	} else {
		cl.queue = append(cl.queue, e)
	}
	cl.mu.Unlock()
	select {
	case cl.wake <- struct{}{}:
	default:
	}
}

// drain sends what is queued, in order (run goroutine).
func (cl *cluster) drain() {
	cl.mu.Lock()
	queue := cl.queue
	cl.queue = nil
	cl.mu.Unlock()
	for _, e := range queue {
		cl.publish(e)
	}
}

// snapshot queues everyone with a socket here, room by room, behind the
// changes already queued.
func (cl *cluster) snapshot() {
	h := cl.rooms.hub
	h.call(func() {
		rooms := make(map[int64][]parley.User)
		for id, r := range h.rooms {
			for _, p := range r.people {
				if p.sockets > 0 {
					rooms[id] = append(rooms[id], p.user)
				}
			}
		}
		cl.mu.Lock()
		cl.overflow = false
		cl.mu.Unlock()
		cl.enqueue(Event{Body: Snapshot{Rooms: rooms}})
	})
}

// announce queues the arrival of a person's first socket of a room here,
// or the departure of their last (hub goroutine).
func (cl *cluster) announce(roomID int64, u parley.User, joined bool) {
	if cl == nil {
		return
	}
	if joined {
		cl.enqueue(Event{Body: parley.PersonArrived{RoomID: roomID, User: u}})
	} else {
		cl.enqueue(Event{Body: parley.PersonLeft{RoomID: roomID, User: u}})
	}
}

// Receive applies another instance's event. It implements BusHandler. A
// change of a room takes the one way in that this instance's own changes
// take (Rooms.apply); the signals about instances stay here.
func (cl *cluster) Receive(e Event) {
	if e.From == cl.cfg.Instance || e.From == "" {
		return // our own, should the bus echo it
	}
	if ch, ok := e.Body.(parley.Change); ok {
		cl.rooms.apply(e.From, ch)
		return
	}
	h := cl.rooms.hub
	h.call(func() { cl.signal(h, e, time.Now()) })
}

// heard records that another instance spoke, and returns what this
// instance knows of it (hub).
func (cl *cluster) heard(from string, now time.Time) *instance {
	in := cl.instances[from]
	if in == nil {
		in = &instance{rooms: make(map[int64]map[int64]parley.User)}
		cl.instances[from] = in
		// New, or back after it was dropped: it may have stored messages
		// whose events never came across.
		cl.requestResync()
	}
	in.seen = now
	return in
}

// signal changes the hub's state after another instance's signal (hub).
func (cl *cluster) signal(h *hub, e Event, now time.Time) {
	if _, ok := e.Body.(Goodbye); ok {
		cl.drop(h, e.From)
		return
	}
	in := cl.heard(e.From, now)
	switch b := e.Body.(type) {
	case Snapshot:
		for roomID, people := range in.rooms {
			for userID := range people {
				if !hasUser(b.Rooms[roomID], userID) {
					cl.remoteLeave(h, in, roomID, userID)
				}
			}
		}
		for roomID, users := range b.Rooms {
			for _, u := range users {
				cl.remoteJoin(h, in, roomID, u)
			}
		}
	case CloseSockets:
		if b.SessionKey != "" {
			h.signOut(b.SessionKey)
		} else if b.UserID != 0 {
			h.ban(b.UserID)
		}
	}
}

func hasUser(users []parley.User, id int64) bool {
	for _, u := range users {
		if u.ID == id {
			return true
		}
	}
	return false
}

// expire drops the instances silent for longer than InstanceTimeout,
// unless this instance's own link is down: then silence proves nothing,
// and LinkUp gives everyone a fresh InstanceTimeout to speak again (hub).
func (cl *cluster) expire(h *hub, now time.Time) {
	if cl.down {
		return
	}
	for id, in := range cl.instances {
		if now.Sub(in.seen) > cl.cfg.InstanceTimeout {
			cl.log.Info("chat: instance went silent; dropping its people", "silent_instance", id)
			cl.drop(h, id)
			// It may have died between storing a message and sending it.
			cl.requestResync()
		}
	}
}

// drop forgets an instance and its people (hub).
func (cl *cluster) drop(h *hub, id string) {
	in := cl.instances[id]
	if in == nil {
		return
	}
	for roomID, people := range in.rooms {
		for userID := range people {
			cl.remoteLeave(h, in, roomID, userID)
		}
	}
	delete(cl.instances, id)
}

// remoteJoin records that u has a socket of the room on in (hub).
func (cl *cluster) remoteJoin(h *hub, in *instance, roomID int64, u parley.User) {
	people := in.rooms[roomID]
	if people == nil {
		people = make(map[int64]parley.User)
		in.rooms[roomID] = people
	}
	if _, ok := people[u.ID]; ok {
		return
	}
	people[u.ID] = u
	r := h.rooms[roomID]
	if r == nil {
		return // nobody here to tell; fill adds them when someone comes
	}
	if p := r.people[u.ID]; p != nil {
		p.remotes++
		return
	}
	r.people[u.ID] = &person{user: u, sortKey: strings.ToLower(u.DisplayName), remotes: 1}
	h.changed(r, presenceEvent{name: u.NoticeName(), joined: true})
}

// remoteLeave records that the user has no socket of the room on in any
// more (hub).
func (cl *cluster) remoteLeave(h *hub, in *instance, roomID, userID int64) {
	people := in.rooms[roomID]
	if _, ok := people[userID]; !ok {
		return
	}
	delete(people, userID)
	if len(people) == 0 {
		delete(in.rooms, roomID)
	}
	r := h.rooms[roomID]
	if r == nil {
		return
	}
	p := r.people[userID]
	if p == nil {
		return
	}
	if p.remotes--; p.remotes > 0 || p.sockets > 0 {
		return
	}
	delete(r.people, userID)
	h.changed(r, presenceEvent{name: p.user.NoticeName(), joined: false})
}

// fill adds the other instances' people to a room that has just got its
// first socket here, without notices: they were there before (hub).
func (cl *cluster) fill(h *hub, r *roomPresence) {
	if cl == nil || !cl.addRemotes(r) {
		return
	}
	h.touch(r)
}

// addRemotes adds the other instances' people of r's room to r and
// reports whether there were any.
func (cl *cluster) addRemotes(r *roomPresence) bool {
	added := false
	for _, in := range cl.instances {
		for _, u := range in.rooms[r.id] {
			added = true
			if p := r.people[u.ID]; p != nil {
				p.remotes++
				continue
			}
			r.people[u.ID] = &person{user: u, sortKey: strings.ToLower(u.DisplayName), remotes: 1}
		}
	}
	return added
}

// view returns a room's presence: the hub's own when it has sockets
// there, else one made of the other instances' people, or nil (hub).
func (h *hub) view(roomID int64) *roomPresence {
	if r := h.rooms[roomID]; r != nil || h.cluster == nil {
		return r
	}
	r := newRoomPresence(roomID)
	if !h.cluster.addRemotes(r) {
		return nil
	}
	return r
}

// countRemoteRooms adds to counts the rooms that have people only on
// other instances (hub).
func (cl *cluster) countRemoteRooms(counts map[int64]int, local map[int64]*roomPresence) {
	if cl == nil {
		return
	}
	seen := make(map[int64]map[int64]struct{})
	for _, in := range cl.instances {
		for roomID, people := range in.rooms {
			if local[roomID] != nil {
				continue
			}
			if seen[roomID] == nil {
				seen[roomID] = make(map[int64]struct{})
			}
			for userID := range people {
				seen[roomID][userID] = struct{}{}
			}
		}
	}
	for roomID, people := range seen {
		if len(people) > 0 {
			counts[roomID] = len(people)
		}
	}
}

// LinkDown tells every page here that live updates from the other
// instances are paused. It implements BusHandler.
func (cl *cluster) LinkDown(err error) {
	cl.log.Warn("chat: lost the link to other instances; serving this instance's sockets only", "err", err)
	h := cl.rooms.hub
	h.call(func() {
		if cl.down {
			return
		}
		cl.down = true
		h.toEverySocket(cl.paused)
	})
}

// LinkUp tells every page here that live updates are back, sends this
// instance's people again, and gives the other instances a fresh
// InstanceTimeout to send theirs; those that do not are dropped. Then
// the rooms in memory are brought in line with the store (see
// Rooms.resyncAll): what the others sent meanwhile may not have come
// across. It implements BusHandler.
func (cl *cluster) LinkUp() {
	cl.log.Info("chat: link to other instances is back")
	h := cl.rooms.hub
	h.call(func() {
		if !cl.down {
			return
		}
		cl.down = false
		now := time.Now()
		for _, in := range cl.instances {
			in.seen = now
		}
		h.toEverySocket(cl.resumed)
	})
	cl.snapshot()
	cl.requestResync()
}

// toEverySocket sends a frame to every socket of every room, in the
// socket's language (hub).
func (h *hub) toEverySocket(pms map[i18n.Lang]*fragment) {
	for _, r := range h.rooms {
		for c := range r.clients {
			pm, ok := pms[c.locale.Lang]
			if !ok {
				pm = pms[i18n.English]
			}
			h.enqueue(c, frame{pm: pm})
		}
	}
}
