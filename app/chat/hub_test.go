package chat

import (
	"testing"
	"time"
)

func TestSlowSocketIsDroppedWithoutDelayingOthers(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SendQueueSize = 8
	cfg.WriteWait = 300 * time.Millisecond
	cfg.MessageRateLimit = 0
	r := newTestRooms(t, cfg)

	stalled := newFakeConn(true)
	serve(t, r, stalled, 1)
	healthy := make([]*fakeConn, 5)
	for i := range healthy {
		healthy[i] = newFakeConn(false)
		serve(t, r, healthy[i], int64(i+2))
	}
	eventually(t, "6 people online", func() bool { return r.Online(testRoom.ID) == 6 })

	// Far more messages than the stalled socket's queue holds, each sent
	// once the healthy sockets have the one before: they keep up, it cannot.
	const messages = 50
	base := make([]int64, len(healthy))
	for i, c := range healthy {
		base[i] = c.writes.Load()
	}
	for n := range int64(messages) {
		if _, err := r.storeMessage(t.Context(), r.cache.use(testRoom), int64(2), "message"); err != nil {
			t.Fatal(err)
		}
		for i, c := range healthy {
			eventually(t, "a healthy socket to get the message", func() bool { return c.writes.Load() >= base[i]+n+1 })
		}
	}
	eventually(t, "the stalled socket to leave presence", func() bool { return r.Online(testRoom.ID) == 5 })
	// Its writer is stuck in a write until the write deadline; then the
	// connection closes and the peer, seeing 1006, reconnects.
	select {
	case <-stalled.closed:
	case <-time.After(10 * time.Second):
		t.Fatalf("stalled socket still open after its write deadline")
	}
}

func TestPresenceBurstIsCoalesced(t *testing.T) {
	cfg := DefaultConfig()
	r := newTestRooms(t, cfg)
	const people = 500
	conns := make([]*fakeConn, people)
	for i := range conns {
		conns[i] = newFakeConn(false)
		serve(t, r, conns[i], int64(i+1))
	}
	eventually(t, "everyone online", func() bool { return r.Online(testRoom.ID) == people })
	// Wait for the flush after the burst, then count what each socket got:
	// its first count, a few coalesced counts and notices, not one per arrival.
	eventually(t, "the last flush", func() bool { return conns[0].writes.Load() >= 2 })
	for _, c := range conns {
		eventually(t, "the flush to reach every socket", func() bool { return c.writes.Load() >= 1 })
	}
	worst := int64(0)
	for _, c := range conns {
		worst = max(worst, c.writes.Load())
	}
	if worst > 20 {
		t.Errorf("a socket got %d frames for a burst of %d arrivals, want a handful", worst, people)
	}
}

func TestFanOutGap(t *testing.T) {
	cfg := DefaultConfig()
	cfg.WritesPerSecond, cfg.MaxFanOutGap = 100_000, 250*time.Millisecond
	off := cfg
	off.WritesPerSecond = 0
	tests := []struct {
		name    string
		sockets int
		cfg     Config
		want    time.Duration
	}{
		{"no sockets", 0, cfg, 0},
		{"a room of ten", 10, cfg, 100 * time.Microsecond},
		{"a room of a hundred", 100, cfg, time.Millisecond},
		{"a room of 10,000", 10_000, cfg, 100 * time.Millisecond},
		{"capped", 19_000_000, cfg, 250 * time.Millisecond},
		{"pacing off", 10_000, off, 0},
	}
	for _, tt := range tests {
		if got := fanOutGap(tt.sockets, tt.cfg); got != tt.want {
			t.Errorf("%s: fanOutGap(%d) = %v, want %v", tt.name, tt.sockets, got, tt.want)
		}
	}
}
