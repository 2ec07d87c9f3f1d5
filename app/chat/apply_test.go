package chat

import (
	"testing"
	"time"
)

// pinned is a kind of change that app/chat has no code for, as a new
// feature's would be at first.
type pinned struct{ roomID, messageID int64 }

func (c pinned) Room() int64    { return c.roomID }
func (pinned) TypeName() string { return "pinned" }

// TestNewKindOfChangeReachesEveryInstance: a change of a kind the chat
// does not know, applied on one instance, reaches the sockets of its room
// there and on the other instances, one fragment each, through the one
// way in.
func TestNewKindOfChangeReachesEveryInstance(t *testing.T) {
	net := &memoryNet{}
	a, b := joinedRooms(t, net, "a"), joinedRooms(t, net, "b")
	onA, onB := newFakeConn(false), newFakeConn(false)
	serve(t, a, onA, 5)
	serve(t, b, onB, 6)
	eventually(t, "two people in the room on both", func() bool { return a.Online(testRoom.ID) == 2 && b.Online(testRoom.ID) == 2 })
	// Let the arrivals' flushes go out, then count.
	time.Sleep(200 * time.Millisecond)
	beforeA, beforeB := onA.writes.Load(), onB.writes.Load()

	a.Apply(pinned{roomID: testRoom.ID, messageID: 41})
	eventually(t, "the change on both sockets", func() bool {
		return onA.writes.Load() == beforeA+1 && onB.writes.Load() == beforeB+1
	})
	time.Sleep(50 * time.Millisecond) // nothing more is on its way
	if gotA, gotB := onA.writes.Load()-beforeA, onB.writes.Load()-beforeB; gotA != 1 || gotB != 1 {
		t.Errorf("the change made %d writes on a and %d on b, want 1 each", gotA, gotB)
	}
}
