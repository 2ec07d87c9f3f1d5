package chat

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// An idle socket holds one goroutine, its reader: its writer exists only
// while it has something to write.
func TestIdleSocketsHoldOneGoroutineEach(t *testing.T) {
	r := newTestRooms(t, DefaultConfig())
	before := runtime.NumGoroutine()
	const sockets = 1000
	conns := make([]*fakeConn, sockets)
	for i := range conns {
		conns[i] = newFakeConn(false)
		serve(t, r, conns[i], int64(i+1))
	}
	eventually(t, "everyone online", func() bool { return r.Online(testRoom.ID) == sockets })
	for _, c := range conns {
		eventually(t, "presence to reach every socket", func() bool { return c.writes.Load() >= 2 })
	}
	// The writers end once the flush is written; allow a few goroutines
	// of the runtime's timers and the test's own.
	const slack = 10
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine()-before > sockets+slack && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// Goroutines of earlier tests may still be ending meanwhile: the
	// stacks tell which goroutines are the sockets'.
	if got := runtime.NumGoroutine() - before; got > sockets+slack {
		t.Errorf("%d idle sockets hold %d goroutines, want %d (one each)", sockets, got, sockets)
	}
	stacks := goroutineStacks()
	if got := strings.Count(stacks, "chat.(*Rooms).run("); got != sockets {
		t.Errorf("%d goroutines serve a socket, want %d", got, sockets)
	}
	if got := strings.Count(stacks, "outbox.(*Outbox).writeOut("); got != 0 {
		t.Errorf("%d writers run for %d idle sockets, want none", got, sockets)
	}
	for _, c := range conns {
		_ = c.Close()
	}
	eventually(t, "every socket to leave", func() bool { return r.Online(testRoom.ID) == 0 })
	eventually(t, "their goroutines to end", func() bool { return runtime.NumGoroutine()-before <= slack })
}

// goroutineStacks returns the stacks of every goroutine.
func goroutineStacks() string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// An idle socket is still pinged, by a writer that exists only for the
// ping.
func TestIdleSocketIsPinged(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PingInterval = 20 * time.Millisecond
	r := newTestRooms(t, cfg)
	conn := newFakeConn(false)
	serve(t, r, conn, 1)
	eventually(t, "three pings", func() bool { return conn.pings.Load() >= 3 })
	eventually(t, "the writer to end after each ping", func() bool {
		return strings.Count(goroutineStacks(), "outbox.(*Outbox).writeOut(") == 0
	})
}
