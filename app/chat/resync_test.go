package chat

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// messagesNumbered returns messages of room 1 with these IDs.
func messagesNumbered(ids ...int64) []parley.Message {
	msgs := make([]parley.Message, len(ids))
	for i, id := range ids {
		msgs[i] = parley.Message{ID: id, RoomID: 1}
	}
	return msgs
}

// span returns the IDs from first to last.
func span(first, last int64) []int64 {
	var ids []int64
	for id := first; id <= last; id++ {
		ids = append(ids, id)
	}
	return ids
}

func TestHistoryComparedWithTheStore(t *testing.T) {
	full := span(11, 10+parley.HistorySize) // the last 50 of a busy room
	tests := []struct {
		name        string
		held        []int64 // what the history was loaded with and added since
		deleted     []int64 // what it saw deleted
		fresh       []int64 // what the store has now
		wantLacking []int64
		wantSuspect []int64
	}{
		{"the same", []int64{1, 2, 3}, nil, []int64{1, 2, 3}, nil, nil},
		{"missed at the end", []int64{1, 2}, nil, []int64{1, 2, 3, 4}, []int64{3, 4}, nil},
		// Stored by another instance at the same time as 3, never sent.
		{"missed in the middle", []int64{1, 3}, nil, []int64{1, 2, 3}, []int64{2}, nil},
		{"deleted elsewhere", []int64{1, 2, 3}, nil, []int64{1, 3}, nil, []int64{2}},
		{"every one deleted elsewhere", []int64{1, 2}, nil, nil, nil, []int64{1, 2}},
		// Seen deleted here; the store read raced the deletion.
		{"deleted here", []int64{1}, []int64{2}, []int64{1, 2}, nil, nil},
		// Arrived after the store was read: only the store can tell.
		{"newer than the read", []int64{1, 2, 3}, nil, []int64{1, 2}, nil, []int64{3}},
		// Before the store's last 50: not missing from it, only older.
		{"older than a full read", append([]int64{5}, full...), nil, full, nil, nil},
		{"in a room just loaded", nil, nil, []int64{1}, []int64{1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h history
			if err := h.load(context.Background(), &memoryStore{}, 1); err != nil {
				t.Fatal(err)
			}
			for _, id := range tt.held {
				h.add(parley.Message{ID: id, RoomID: 1})
			}
			for _, id := range tt.deleted {
				h.remove(id)
			}
			lacking, suspects := h.compare(messagesNumbered(tt.fresh...))
			var gotLacking []int64
			for _, m := range lacking {
				gotLacking = append(gotLacking, m.ID)
			}
			if !slices.Equal(gotLacking, tt.wantLacking) {
				t.Errorf("lacking: got %v, want %v", gotLacking, tt.wantLacking)
			}
			if !slices.Equal(suspects, tt.wantSuspect) {
				t.Errorf("suspects: got %v, want %v", suspects, tt.wantSuspect)
			}
		})
	}
}

func TestHistoryNotLoadedComparesEqual(t *testing.T) {
	var h history
	if lacking, suspects := h.compare(messagesNumbered(1, 2)); lacking != nil || suspects != nil {
		t.Errorf("got lacking %v and suspects %v, want none: the load will read the store", lacking, suspects)
	}
}

// texts returns the texts of the room's last messages in r's memory.
func texts(t *testing.T, r *Rooms) []string {
	t.Helper()
	msgs, _, err := r.Recent(context.Background(), testRoom)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}

// missedElsewhere stores a message and deletes one as another instance
// would whose events never reach r.
func missedElsewhere(t *testing.T, r *Rooms, text string, deleted int64) {
	t.Helper()
	store := r.store.(*memoryStore)
	if _, err := store.CreateMessage(context.Background(), testRoom.ID, 2, text); err != nil {
		t.Fatal(err)
	}
	store.delete(deleted)
}

// storedElsewhere stores a message as another instance x does and sends
// its event.
func storedElsewhere(t *testing.T, r *Rooms, x func(Event), text string) parley.Message {
	t.Helper()
	m, err := r.store.CreateMessage(context.Background(), testRoom.ID, 2, text)
	if err != nil {
		t.Fatal(err)
	}
	x(Event{Body: parley.MessagePosted{Message: m}})
	return m
}

// joinedWithASocket starts a chat joined to bus as "me", with a socket of
// user 1 open in testRoom.
func joinedWithASocket(t *testing.T, bus *nullBus, cfg ClusterConfig) (*Rooms, *fakeConn) {
	t.Helper()
	r := newTestRooms(t, DefaultConfig())
	if err := r.Join(bus, cfg, linkText{}); err != nil {
		t.Fatal(err)
	}
	mine := newFakeConn(false)
	serve(t, r, mine, 1)
	return r, mine
}

func TestLinkBackBringsOpenPagesWhatTheyMissed(t *testing.T) {
	bus := &nullBus{}
	r, mine := joinedWithASocket(t, bus, fastCluster("me"))
	x := bus.from("x")
	gone := storedElsewhere(t, r, x, "soon deleted")
	// Its own arrival's notice and presence, then the message.
	eventually(t, "three fragments on the page", func() bool { return mine.writes.Load() == 3 })
	before := mine.writes.Load()

	bus.h.LinkDown(nil)
	missedElsewhere(t, r, "said while the link was down", gone.ID)
	bus.h.LinkUp()

	eventually(t, "the missed message in memory, the deleted one gone", func() bool {
		return slices.Equal(texts(t, r), []string{"said while the link was down"})
	})
	// The page got the paused and resumed notices, the missed message and
	// the removal of the deleted one.
	eventually(t, "four fragments on the open page", func() bool { return mine.writes.Load()-before >= 4 })
	if got := mine.writes.Load() - before; got != 4 {
		t.Errorf("the open page got %d fragments after the link came back, want 4", got)
	}
}

func TestSilentInstanceLeavesNoMessageUnshown(t *testing.T) {
	bus := &nullBus{}
	r, _ := joinedWithASocket(t, bus, fastCluster("me"))
	x := bus.from("x")
	x(Event{Body: parley.PersonArrived{RoomID: testRoom.ID, User: parley.User{ID: 2, DisplayName: "ann"}}})
	eventually(t, "ann on x in the room", func() bool { return r.Online(testRoom.ID) == 2 })
	gone := storedElsewhere(t, r, x, "soon deleted")
	eventually(t, "the message on the page", func() bool { return slices.Equal(texts(t, r), []string{"soon deleted"}) })

	// x stores a message and deletes one, then dies before it says so.
	missedElsewhere(t, r, "stored just before x died", gone.ID)
	eventually(t, "x dropped", func() bool { return r.Online(testRoom.ID) == 1 })
	eventually(t, "the room in line with the store", func() bool {
		return slices.Equal(texts(t, r), []string{"stored just before x died"})
	})
}

func TestInstanceHeardAgainLeavesNoMessageUnshown(t *testing.T) {
	bus := &nullBus{}
	cfg := fastCluster("me")
	cfg.InstanceTimeout = time.Hour // y is not dropped while the test waits
	r, _ := joinedWithASocket(t, bus, cfg)
	eventually(t, "the socket in the room", func() bool { return r.Online(testRoom.ID) == 1 })
	texts(t, r) // the room's messages in memory

	// y was cut off from the others (no event of its came across) and
	// is heard from now.
	missedElsewhere(t, r, "stored by y while it was cut off", 0)
	bus.from("y")(Event{Body: Heartbeat{}})
	eventually(t, "y's message in memory", func() bool {
		return slices.Equal(texts(t, r), []string{"stored by y while it was cut off"})
	})
}

// TestLateMessageReachesASocketThatCaughtUpPastIt: a message with a lower
// ID than the newest (stored by another instance at the same moment, or
// brought by a resync) still reaches a socket whose catch-up came after
// the newer one: that catch-up did not have it.
func TestLateMessageReachesASocketThatCaughtUpPastIt(t *testing.T) {
	r := newTestRooms(t, DefaultConfig())
	first := newFakeConn(false)
	serve(t, r, first, 1)
	eventually(t, "the first socket in the room", func() bool { return r.Online(testRoom.ID) == 1 })
	texts(t, r) // the room's (no) messages in memory
	store := r.store.(*memoryStore)
	late, err := store.CreateMessage(context.Background(), testRoom.ID, 2, "stored first, arrives last")
	if err != nil {
		t.Fatal(err)
	}
	newer, err := store.CreateMessage(context.Background(), testRoom.ID, 2, "stored second, arrives first")
	if err != nil {
		t.Fatal(err)
	}
	r.apply("", parley.MessagePosted{Message: newer})

	// A socket that connects now catches up with the list through newer.
	caughtUp := newFakeConn(false)
	serve(t, r, caughtUp, 1) // the same person: no arrival to announce
	eventually(t, "the catch-up and the count on the second socket", func() bool { return caughtUp.writes.Load() >= 2 })
	time.Sleep(100 * time.Millisecond) // nothing else is on its way
	before := caughtUp.writes.Load()

	r.apply("", parley.MessagePosted{Message: late})
	eventually(t, "the late message on the socket that caught up past it", func() bool { return caughtUp.writes.Load() == before+1 })
	if got := texts(t, r); !slices.Equal(got, []string{late.Text, newer.Text}) {
		t.Errorf("the room's last messages: %q, want both in ID order", got)
	}
}
