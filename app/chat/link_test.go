package chat

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// memoryBus links the chats of one test process as NATS would: each
// event goes to every other chat, in the order it was sent. The real bus
// (app/natsbus) is tested with a real NATS server in its own package and
// in app's tests.
type memoryBus struct {
	net   *memoryNet
	inbox chan Event
	done  chan struct{}
}

// memoryNet is the bus and the database that a test's instances share.
type memoryNet struct {
	store memoryStore

	mu    sync.Mutex
	buses []*memoryBus
}

func (n *memoryNet) join(t *testing.T) *memoryBus {
	b := &memoryBus{net: n, inbox: make(chan Event, 1024), done: make(chan struct{})}
	n.mu.Lock()
	n.buses = append(n.buses, b)
	n.mu.Unlock()
	t.Cleanup(func() {
		n.mu.Lock()
		n.buses = slices.DeleteFunc(n.buses, func(x *memoryBus) bool { return x == b })
		close(b.inbox) // under the lock: no Send is writing to it
		n.mu.Unlock()
		<-b.done
	})
	return b
}

func (b *memoryBus) Send(e Event) error {
	b.net.mu.Lock()
	defer b.net.mu.Unlock()
	for _, other := range b.net.buses {
		if other != b {
			other.inbox <- e
		}
	}
	return nil
}

func (b *memoryBus) Listen(h BusHandler) error {
	go func() {
		defer close(b.done)
		for e := range b.inbox {
			h.Receive(e)
		}
	}()
	return nil
}

func (b *memoryBus) Flush(time.Duration) error { return nil }

type linkText struct{}

func (linkText) LinkNotice(_ i18n.Lang, paused bool) ([]byte, error) {
	if paused {
		return []byte("paused"), nil
	}
	return []byte("resumed"), nil
}

// fastCluster drops a silent instance after 300 ms.
func fastCluster(instance string) ClusterConfig {
	return ClusterConfig{Instance: instance, HeartbeatInterval: 50 * time.Millisecond,
		SnapshotInterval: 100 * time.Millisecond, InstanceTimeout: 300 * time.Millisecond}
}

// joinedRooms starts a chat linked to the others on net. Cleanups run
// last in, first out: the chat closes (says goodbye) before its bus.
func joinedRooms(t *testing.T, net *memoryNet, instance string) *Rooms {
	t.Helper()
	bus := net.join(t)
	r := newTestRoomsOn(t, DefaultConfig(), &net.store)
	if err := r.Join(bus, fastCluster(instance), linkText{}); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEndUserClosesTheirSocketsOnEveryInstance(t *testing.T) {
	net := &memoryNet{}
	a, b := joinedRooms(t, net, "a"), joinedRooms(t, net, "b")
	onA, onB, other := newFakeConn(false), newFakeConn(false), newFakeConn(false)
	serve(t, a, onA, 5)
	serve(t, b, onB, 5)
	serve(t, b, other, 6)
	eventually(t, "two people in the room on both", func() bool { return a.Online(testRoom.ID) == 2 && b.Online(testRoom.ID) == 2 })
	// b may count user 5 from a's word before its own socket of theirs has
	// joined; a socket that has been written to has.
	eventually(t, "every socket joined", func() bool { return onA.writes.Load() > 0 && onB.writes.Load() > 0 && other.writes.Load() > 0 })

	a.EndUser(5)
	for name, c := range map[string]*fakeConn{"on A": onA, "on B": onB} {
		select {
		case <-c.closed:
		case <-time.After(5 * time.Second):
			t.Fatalf("user 5's socket %s still open", name)
		}
		if code := c.closeCode.Load(); code != closeSignedOut {
			t.Errorf("user 5's socket %s closed with %d, want %d", name, code, closeSignedOut)
		}
	}
	eventually(t, "one person left on both", func() bool { return a.Online(testRoom.ID) == 1 && b.Online(testRoom.ID) == 1 })
	select {
	case <-other.closed:
		t.Errorf("another person's socket was closed")
	default:
	}
}

// nullBus sends nowhere: the tests hand the chat other instances' events
// themselves, through the handler the chat gives Listen.
type nullBus struct{ h BusHandler }

func (b *nullBus) Send(Event) error          { return nil }
func (b *nullBus) Listen(h BusHandler) error { b.h = h; return nil }
func (b *nullBus) Flush(time.Duration) error { return nil }
func (b *nullBus) from(instance string) func(e Event) {
	return func(e Event) { e.From = instance; b.h.Receive(e) }
}

func TestOtherInstancesPeopleCountOnceAndGoWithTheirInstance(t *testing.T) {
	bus := &nullBus{}
	r := newTestRooms(t, DefaultConfig())
	cfg := fastCluster("me")
	cfg.InstanceTimeout = time.Hour // this test drops instances by snapshot and goodbye
	if err := r.Join(bus, cfg, linkText{}); err != nil {
		t.Fatal(err)
	}
	x, y := bus.from("x"), bus.from("y")
	ann := parley.User{ID: 9, DisplayName: "ann"}
	bo := parley.User{ID: 10, DisplayName: "Bo"}

	// Nobody here has a socket: pages and the directory still count them.
	x(Event{Body: parley.PersonArrived{RoomID: testRoom.ID, User: ann}})
	y(Event{Body: Snapshot{Rooms: map[int64][]parley.User{testRoom.ID: {ann, bo}}}})
	me := parley.User{ID: 1, DisplayName: "me"}
	if online, listed := r.PresenceWith(testRoom.ID, me); online != 3 || len(listed) != 3 || listed[0].ID != ann.ID || listed[1].ID != bo.ID {
		t.Errorf("page of a room with people only elsewhere: got %d, %v; want 3: ann, Bo, me", online, listed)
	}
	if got := r.OnlineByRoom()[testRoom.ID]; got != 2 {
		t.Errorf("directory: got %d in the room, want 2 (ann on two instances counts once)", got)
	}

	// A socket here; ann also opens one here.
	mine, annHere := newFakeConn(false), newFakeConn(false)
	serve(t, r, mine, 1)
	serve(t, r, annHere, 9)
	eventually(t, "3 online", func() bool { return r.Online(testRoom.ID) == 3 })

	// y's snapshot no longer has Bo (a lost leave): Bo goes.
	y(Event{Body: Snapshot{Rooms: map[int64][]parley.User{testRoom.ID: {ann}}}})
	if got := r.Online(testRoom.ID); got != 2 {
		t.Errorf("after a snapshot without Bo: %d online, want 2", got)
	}
	// Ann leaves x and y says goodbye: she still has her socket here.
	x(Event{Body: parley.PersonLeft{RoomID: testRoom.ID, User: ann}})
	y(Event{Body: Goodbye{}})
	if got := r.Online(testRoom.ID); got != 2 {
		t.Errorf("ann still has a socket here: %d online, want 2", got)
	}
	annHere.Close()
	eventually(t, "only me", func() bool { return r.Online(testRoom.ID) == 1 })
}

func TestSilentInstanceIsDroppedUnlessOurOwnLinkIsDown(t *testing.T) {
	bus := &nullBus{}
	r := newTestRooms(t, DefaultConfig())
	if err := r.Join(bus, fastCluster("me"), linkText{}); err != nil {
		t.Fatal(err)
	}
	mine := newFakeConn(false)
	serve(t, r, mine, 1)
	x := bus.from("x")
	x(Event{Body: parley.PersonArrived{RoomID: testRoom.ID, User: parley.User{ID: 9, DisplayName: "ann"}}})
	eventually(t, "2 online", func() bool { return r.Online(testRoom.ID) == 2 })

	// Our link goes down: x's silence proves nothing, ann stays.
	bus.h.LinkDown(nil)
	time.Sleep(3 * fastCluster("").InstanceTimeout)
	if got := r.Online(testRoom.ID); got != 2 {
		t.Errorf("while our own link is down: %d online, want ann still counted (2)", got)
	}
	// It is back; x stays silent, so it is dropped after its grace.
	start := time.Now()
	bus.h.LinkUp()
	eventually(t, "ann dropped", func() bool { return r.Online(testRoom.ID) == 1 })
	if took := time.Since(start); took < fastCluster("").InstanceTimeout {
		t.Errorf("x was dropped %v after the link came back, want a grace of InstanceTimeout", took)
	}
}

func TestDeletedMessageLeavesEveryInstanceAndStaysGone(t *testing.T) {
	net := &memoryNet{}
	a, b := joinedRooms(t, net, "a"), joinedRooms(t, net, "b")
	texts(t, b) // b has the room's last messages in memory
	if _, err := a.storeMessage(t.Context(), a.cache.use(testRoom), 1, "soon gone"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the message on b", func() bool { return slices.Equal(texts(t, b), []string{"soon gone"}) })
	msgs, _, _ := a.Recent(context.Background(), testRoom)

	a.Remove(msgs[0])
	eventually(t, "the message gone from b", func() bool { return len(texts(t, b)) == 0 })
	// A copy that comes late (from an instance that had not heard of the
	// deletion) is not shown again.
	b.link.Load().Receive(Event{From: "c", Body: parley.MessagePosted{Message: msgs[0]}})
	if got := texts(t, b); len(got) != 0 {
		t.Errorf("after a late copy b keeps %q, want the deleted message to stay gone", got)
	}
}

// TestSnapshotThatChangesNothingSendsNothing: other instances send their
// people every few seconds; a snapshot that only repeats what this
// instance knows, or names someone who is here already, costs the
// sockets here nothing, while one that changes the list reaches them.
func TestSnapshotThatChangesNothingSendsNothing(t *testing.T) {
	bus := &nullBus{}
	cfg := DefaultConfig()
	cfg.PresenceQuiet = 10 * time.Millisecond
	r := newTestRooms(t, cfg)
	cluster := fastCluster("me")
	cluster.InstanceTimeout = time.Hour
	if err := r.Join(bus, cluster, linkText{}); err != nil {
		t.Fatal(err)
	}
	y := bus.from("y")
	ann := parley.User{ID: 9, DisplayName: "ann"}
	y(Event{Body: Snapshot{Rooms: map[int64][]parley.User{testRoom.ID: {ann}}}})
	mine := newFakeConn(false)
	serve(t, r, mine, 1)
	eventually(t, "the room's presence written", func() bool { return r.Online(testRoom.ID) == 2 && mine.writes.Load() >= 1 })
	// Let the arrival's flush go out, then count.
	time.Sleep(5 * cfg.PresenceQuiet)
	before := mine.writes.Load()

	for range 5 {
		y(Event{Body: Snapshot{Rooms: map[int64][]parley.User{testRoom.ID: {ann}}}})
		y(Event{Body: Snapshot{Rooms: map[int64][]parley.User{testRoom.ID: {ann, {ID: 1, DisplayName: "user1"}}}}})
	}
	// Long enough for any flush those could have scheduled.
	time.Sleep(10 * cfg.PresenceQuiet)
	if got := mine.writes.Load(); got != before {
		t.Errorf("snapshots that change nothing made %d writes, want none", got-before)
	}

	y(Event{Body: Snapshot{Rooms: map[int64][]parley.User{testRoom.ID: {ann, {ID: 11, DisplayName: "cy"}}}}})
	eventually(t, "a snapshot that adds cy to reach the socket", func() bool { return mine.writes.Load() > before })
}
