package chat

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

func TestListedSortsByNameWithoutCaseAndKeepsTheFirstN(t *testing.T) {
	user := func(id int64, name, provider string) parley.User {
		return parley.User{ID: id, DisplayName: name, Provider: provider}
	}
	tests := []struct {
		name   string
		people []parley.User
		n      int
		want   []int64 // user IDs, in order
	}{
		{"empty", nil, 100, []int64{}},
		{"case does not matter", []parley.User{user(1, "bob", ""), user(2, "Amy", ""), user(3, "carl", ""), user(4, "ZED", "")}, 100, []int64{2, 1, 3, 4}},
		{"only the first n", []parley.User{user(1, "d", ""), user(2, "c", ""), user(3, "b", ""), user(4, "a", "")}, 2, []int64{4, 3}},
		{"same name: local before provider, then by ID", []parley.User{user(3, "ann", "github"), user(2, "Ann", ""), user(1, "ann", "")}, 100, []int64{2, 1, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newHubRoom(1)
			for _, u := range tt.people {
				r.add(&client{user: u})
			}
			var got []int64
			for _, u := range r.listed(tt.n) {
				got = append(got, u.ID)
			}
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestListedOfManyIsTheSortedStart(t *testing.T) {
	r := newHubRoom(1)
	const people = 5000
	for i := range people {
		// IDs in one order, names in another.
		r.add(&client{user: parley.User{ID: int64(i), DisplayName: fmt.Sprintf("p%05d", (i*7919)%people)}})
	}
	got := r.listed(parley.OnlineListSize)
	if len(got) != parley.OnlineListSize {
		t.Fatalf("got %d people, want %d", len(got), parley.OnlineListSize)
	}
	for i, u := range got {
		if want := fmt.Sprintf("p%05d", i); u.DisplayName != want {
			t.Fatalf("person %d is %q, want %q", i, u.DisplayName, want)
		}
	}
}

func TestPresenceIsPerRoom(t *testing.T) {
	r := newTestRooms(t, DefaultConfig())
	team := roomNumbered(2)
	// User 1 in both rooms (two tabs in general), user 2 in general, user 3 in team.
	general1, general2, bobConn, teamConn, carolConn := newFakeConn(false), newFakeConn(false), newFakeConn(false), newFakeConn(false), newFakeConn(false)
	serve(t, r, general1, 1)
	serve(t, r, general2, 1)
	serve(t, r, bobConn, 2)
	serveIn(t, r, team, teamConn, 1)
	serveIn(t, r, team, carolConn, 3)
	eventually(t, "general and team to have 2 people each", func() bool {
		return r.Online(testRoom.ID) == 2 && r.Online(team.ID) == 2
	})
	if got, want := r.OnlineByRoom(), map[int64]int{testRoom.ID: 2, team.ID: 2}; !mapsEqual(got, want) {
		t.Errorf("OnlineByRoom = %v, want %v", got, want)
	}
	n, listed := r.PresenceWith(team.ID, parley.User{ID: 4, DisplayName: "dave"})
	if n != 3 || len(listed) != 3 || listed[0].DisplayName != "dave" {
		t.Errorf("PresenceWith(team, dave) = %d, %v; want 3 with dave listed", n, listed)
	}
	if n, _ := r.PresenceWith(team.ID, parley.User{ID: 3}); n != 2 {
		t.Errorf("PresenceWith(team, someone already there) = %d, want 2", n)
	}
	if n, listed := r.PresenceWith(99, parley.User{ID: 5, DisplayName: "eve"}); n != 1 || len(listed) != 1 {
		t.Errorf("PresenceWith(an empty room) = %d, %v; want 1, eve alone", n, listed)
	}

	carolConn.Close()
	teamConn.Close()
	eventually(t, "team to empty", func() bool { return r.Online(team.ID) == 0 })
	if got := r.Online(testRoom.ID); got != 2 {
		t.Errorf("general has %d people after team emptied, want 2", got)
	}
	// An empty room's presence is forgotten once its departures are flushed.
	eventually(t, "team's presence forgotten", func() bool {
		forgotten := false
		r.hub.call(func() { _, ok := r.hub.rooms[team.ID]; forgotten = !ok })
		return forgotten
	})
}

func mapsEqual(a, b map[int64]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestMessageReachesOnlyItsRoom(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MessageRateLimit = 0
	r := newTestRooms(t, cfg)
	const rooms, perRoom = 50, 4
	conns := make([]*fakeConn, rooms*perRoom)
	for i := range conns {
		conns[i] = newFakeConn(false)
		serveIn(t, r, roomNumbered(int64(i%rooms)+1), conns[i], int64(i+1))
	}
	for _, c := range conns {
		eventually(t, "presence settled everywhere", func() bool { return c.writes.Load() >= 2 })
	}
	time.Sleep(3 * cfg.PresenceQuiet) // any late flush has gone out
	before := make([]int64, len(conns))
	for i, c := range conns {
		before[i] = c.writes.Load()
	}
	if _, err := r.storeMessage(t.Context(), r.cache.use(roomNumbered(1)), 1, "hello room 1"); err != nil {
		t.Fatal(err)
	}
	for i, c := range conns {
		if i%rooms == 0 {
			eventually(t, "room 1's sockets to get the message", func() bool { return c.writes.Load() == before[i]+1 })
		}
	}
	time.Sleep(3 * cfg.PresenceQuiet)
	for i, c := range conns {
		want := before[i]
		if i%rooms == 0 {
			want++
		}
		if got := c.writes.Load(); got != want {
			t.Errorf("socket %d (room %d) wrote %d frames, want %d", i, i%rooms+1, got-before[i], want-before[i])
		}
	}
}

func TestConnectStormIsCoalescedPerRoom(t *testing.T) {
	r := newTestRooms(t, DefaultConfig())
	const rooms, perRoom = 200, 10
	conns := make([]*fakeConn, rooms*perRoom)
	for i := range conns {
		conns[i] = newFakeConn(false)
		serveIn(t, r, roomNumbered(int64(i%rooms)+1), conns[i], int64(i+1))
	}
	for id := range int64(rooms) {
		eventually(t, "every room full", func() bool { return r.Online(id+1) == perRoom })
	}
	for _, c := range conns {
		eventually(t, "the flush to reach every socket", func() bool { return c.writes.Load() >= 2 })
	}
	time.Sleep(5 * DefaultConfig().PresenceQuiet)
	worst := int64(0)
	for _, c := range conns {
		worst = max(worst, c.writes.Load())
	}
	// Each socket gets notices and presence per flush of its own room: a
	// handful, however many rooms filled up at the same time.
	if worst > 2*perRoom {
		t.Errorf("a socket got %d frames while its room of %d filled up, want a handful", worst, perRoom)
	}
}

func TestHistoryOfUnusedRoomsIsForgotten(t *testing.T) {
	cfg := DefaultConfig()
	cfg.HistoryIdle = 50 * time.Millisecond
	r := newTestRooms(t, cfg)
	for id := range int64(100) {
		if _, _, err := r.Recent(t.Context(), roomNumbered(id+1)); err != nil {
			t.Fatal(err)
		}
	}
	busy := newFakeConn(false)
	serveIn(t, r, roomNumbered(1), busy, 1)
	eventually(t, "room 1 in use", func() bool { return r.Online(1) == 1 })
	eventually(t, "the 99 rooms without sockets forgotten", func() bool { return r.cache.len() == 1 })
	time.Sleep(3 * cfg.HistoryIdle)
	if got := r.cache.len(); got != 1 {
		t.Errorf("%d rooms in memory while one has a socket, want 1", got)
	}
	busy.Close()
	eventually(t, "the last room forgotten once its socket closed", func() bool { return r.cache.len() == 0 })
}

func TestHistoryLoadsOlderFlagAndPublishedMessages(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MessageRateLimit = 0
	store := &memoryStore{}
	r, err := New(cfg, store, textRenderer{}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close(t.Context()) })
	room := roomNumbered(7)
	for i := range parley.HistorySize {
		if _, err := store.CreateMessage(t.Context(), room.ID, 1, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	msgs, older, err := r.Recent(t.Context(), room)
	if err != nil || len(msgs) != parley.HistorySize || older {
		t.Fatalf("Recent = %d messages, older %v, %v; want %d, false", len(msgs), older, err, parley.HistorySize)
	}
	// One more, published as a post would: the oldest drops out of memory
	// and the room now has older messages.
	if _, err := r.storeMessage(t.Context(), r.cache.use(room), 1, "newest"); err != nil {
		t.Fatal(err)
	}
	msgs, older, _ = r.Recent(t.Context(), room)
	if len(msgs) != parley.HistorySize || !older || msgs[len(msgs)-1].Text != "newest" || msgs[0].Text != "1" {
		t.Errorf("after one more: %d messages from %q to %q, older %v; want %d from \"1\" to \"newest\", older", len(msgs), msgs[0].Text, msgs[len(msgs)-1].Text, older, parley.HistorySize)
	}
	// A message published again (another instance's copy) is not doubled.
	r.apply("", parley.MessagePosted{Message: msgs[len(msgs)-1]})
	if again, _, _ := r.Recent(t.Context(), room); again[len(again)-1].ID != msgs[len(msgs)-1].ID || again[len(again)-2].ID == again[len(again)-1].ID {
		t.Errorf("a message published twice shows twice")
	}
}
