package chat

import (
	"testing"
	"time"
)

// busyRoom opens a room of four sockets whose fan-outs are 4 ms apart
// (more than busyPoll, so that the room waits for its writers), and
// returns once their presence is written: one healthy socket and three
// whose writes from then on stall until released.
func busyRoom(t *testing.T, cfg Config) (r *Rooms, healthy *fakeConn, stalled []*fakeConn) {
	t.Helper()
	cfg.WritesPerSecond = 1000
	cfg.MessageRateLimit = 0
	r = newTestRooms(t, cfg)
	healthy = newFakeConn(false)
	serve(t, r, healthy, 1)
	for i := range 3 {
		c := newFakeConn(false)
		stalled = append(stalled, c)
		serve(t, r, c, int64(i+2))
	}
	eventually(t, "4 people online", func() bool { return r.Online(testRoom.ID) == 4 })
	eventually(t, "the count on every socket", func() bool {
		for _, c := range append([]*fakeConn{healthy}, stalled...) {
			if c.writes.Load() == 0 {
				return false
			}
		}
		return r.cache.use(testRoom).writers.Load() == 0
	})
	for _, c := range stalled {
		c.stallWrites()
		t.Cleanup(c.release) // before the room closes: it waits for writers
	}
	return r, healthy, stalled
}

// postMessage posts a message to testRoom as user 1.
func postMessage(t *testing.T, r *Rooms) {
	t.Helper()
	if _, err := r.storeMessage(t.Context(), r.cache.use(testRoom), 1, "message"); err != nil {
		t.Fatal(err)
	}
}

// A busy room's next message waits until most of its sockets have
// written the last one, not only for the room's gap: otherwise a slow
// machine starts fan-outs faster than it finishes them, and the sockets
// whose writers run last fall further behind with each.
func TestFanOutWaitsForTheLastOne(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxFanOutGap = time.Minute
	r, healthy, stalled := busyRoom(t, cfg)
	base := healthy.writes.Load()
	postMessage(t, r)
	eventually(t, "the first message on the healthy socket", func() bool { return healthy.writes.Load() == base+1 })
	for _, c := range stalled {
		eventually(t, "a stalled socket to begin its write", func() bool { return c.attempts.Load() > c.messages.Load() })
	}

	time.Sleep(10 * time.Millisecond) // past the room's 4 ms gap
	postMessage(t, r)
	time.Sleep(100 * time.Millisecond)
	if got, want := healthy.writes.Load()-base, int64(1); got != want {
		t.Fatalf("the healthy socket has %d messages while 3 of 4 sockets are still writing the first, want %d: the second was not held", got, want)
	}
	stalledBase := make([]int64, len(stalled))
	for i, c := range stalled {
		stalledBase[i] = c.writes.Load()
		c.release()
	}
	eventually(t, "the second message once the room has written the first", func() bool { return healthy.writes.Load() == base+2 })
	for i, c := range stalled {
		eventually(t, "both messages on a once-stalled socket", func() bool { return c.writes.Load() == stalledBase[i]+2 })
	}
}

// Sockets that stay stalled hold a room's messages back no longer than
// MaxFanOutGap.
func TestStalledSocketsDoNotHoldARoomForever(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxFanOutGap = 200 * time.Millisecond
	cfg.WriteWait = time.Minute
	r, healthy, stalled := busyRoom(t, cfg)
	base := healthy.writes.Load()
	stalledBase := make([]int64, len(stalled))
	for i, c := range stalled {
		stalledBase[i] = c.writes.Load()
	}
	for range 2 {
		postMessage(t, r)
		time.Sleep(10 * time.Millisecond) // past the room's 4 ms gap
	}
	eventually(t, "both messages on the healthy socket", func() bool { return healthy.writes.Load() == base+2 })
	for i, c := range stalled {
		if got := c.writes.Load() - stalledBase[i]; got != 0 {
			t.Errorf("a stalled socket wrote %d fragments, want none", got)
		}
	}
}
