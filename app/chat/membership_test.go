package chat

import (
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// closedWith waits for c to close and returns its close code.
func closedWith(t *testing.T, name string, c *fakeConn) int64 {
	t.Helper()
	select {
	case <-c.closed:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s still open", name)
	}
	return c.closeCode.Load()
}

// stillOpen fails unless c is open.
func stillOpen(t *testing.T, name string, c *fakeConn) {
	t.Helper()
	select {
	case <-c.closed:
		t.Errorf("%s was closed", name)
	default:
	}
}

// TestMemberRemovedClosesTheirPagesOfTheRoomOnEveryInstance: a person
// taken out of a room loses their sockets of it on every instance, each
// after the notice that replaces its form, with 1000 so that the page does
// not reconnect; their socket of another room and the other members'
// sockets stay.
func TestMemberRemovedClosesTheirPagesOfTheRoomOnEveryInstance(t *testing.T) {
	net := &memoryNet{}
	a, b := joinedRooms(t, net, "a"), joinedRooms(t, net, "b")
	other := roomNumbered(2)
	onA, onB, elsewhere, member := newFakeConn(false), newFakeConn(false), newFakeConn(false), newFakeConn(false)
	serve(t, a, onA, 5)
	serve(t, b, onB, 5)
	serveIn(t, a, other, elsewhere, 5)
	serve(t, b, member, 6)
	eventually(t, "two people in the room on both", func() bool { return a.Online(testRoom.ID) == 2 && b.Online(testRoom.ID) == 2 })
	// b may count user 5 from a's word before its own socket of theirs has
	// joined; a socket that has been written to has.
	eventually(t, "every socket joined", func() bool {
		return onA.writes.Load() > 0 && onB.writes.Load() > 0 && elsewhere.writes.Load() > 0 && member.writes.Load() > 0
	})
	time.Sleep(200 * time.Millisecond) // the arrivals' presence goes out first
	before := map[*fakeConn]int64{onA: onA.writes.Load(), onB: onB.writes.Load()}

	a.Apply(parley.MemberRemoved{RoomID: testRoom.ID, UserID: 5})
	for name, c := range map[string]*fakeConn{"user 5's socket on a": onA, "user 5's socket on b": onB} {
		if code := closedWith(t, name, c); code != closeSignedOut {
			t.Errorf("%s closed with %d, want %d", name, code, closeSignedOut)
		}
		if got := c.writes.Load() - before[c]; got != 1 {
			t.Errorf("%s got %d writes before it closed, want 1: the notice that replaces the form", name, got)
		}
	}
	eventually(t, "one person left in the room on both", func() bool { return a.Online(testRoom.ID) == 1 && b.Online(testRoom.ID) == 1 })
	stillOpen(t, "user 5's socket of another room", elsewhere)
	stillOpen(t, "another member's socket", member)
}

// TestPersonalChangeReachesEveryPageOfThePerson: a change of one person's
// sidebar reaches each of their sockets, in any room, on every instance,
// once, and nobody else's.
func TestPersonalChangeReachesEveryPageOfThePerson(t *testing.T) {
	net := &memoryNet{}
	a, b := joinedRooms(t, net, "a"), joinedRooms(t, net, "b")
	theirs := map[string]*fakeConn{"in general on a": newFakeConn(false), "in room 2 on a": newFakeConn(false), "on b": newFakeConn(false)}
	serve(t, a, theirs["in general on a"], 5)
	serveIn(t, a, roomNumbered(2), theirs["in room 2 on a"], 5)
	serve(t, b, theirs["on b"], 5)
	someoneElse := newFakeConn(false)
	serve(t, b, someoneElse, 6)
	eventually(t, "everyone in", func() bool { return b.Online(testRoom.ID) == 2 && a.Online(roomNumbered(2).ID) == 1 })
	eventually(t, "every socket joined", func() bool {
		for _, c := range theirs {
			if c.writes.Load() == 0 {
				return false
			}
		}
		return someoneElse.writes.Load() > 0
	})
	time.Sleep(200 * time.Millisecond) // the arrivals' presence goes out first
	before := map[string]int64{}
	for name, c := range theirs {
		before[name] = c.writes.Load()
	}
	elseBefore := someoneElse.writes.Load()

	a.ApplyPersonal(parley.RoomListed{UserID: 5, Room: parley.Room{ID: 9, Name: "hiring", Kind: parley.RoomPrivate}, Title: "#hiring"})
	eventually(t, "the change on each of user 5's sockets", func() bool {
		for name, c := range theirs {
			if c.writes.Load() != before[name]+1 {
				return false
			}
		}
		return true
	})
	time.Sleep(50 * time.Millisecond) // nothing more is on its way
	for name, c := range theirs {
		if got := c.writes.Load() - before[name]; got != 1 {
			t.Errorf("user 5's socket %s got %d writes, want 1", name, got)
		}
	}
	if got := someoneElse.writes.Load() - elseBefore; got != 0 {
		t.Errorf("someone else's socket got %d writes, want none", got)
	}
}
