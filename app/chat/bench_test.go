package chat

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// deliveryCounter counts writes across sockets and signals when a target
// is reached, without a goroutine spinning on a core the writers need.
type deliveryCounter struct {
	writes, target atomic.Int64
	reached        chan struct{}
}

func (d *deliveryCounter) wrote() {
	if d.writes.Add(1) == d.target.Load() {
		d.reached <- struct{}{}
	}
}

// BenchmarkBroadcast fans one message out to the sockets of one room and
// waits until each of them has written it: N sockets in one room, and N
// sockets spread over rooms of 10, where a message costs its room's 10
// writes whatever N is.
func BenchmarkBroadcast(b *testing.B) {
	cases := []struct{ sockets, rooms int }{{1_000, 1}, {10_000, 1}, {10_000, 1_000}}
	for _, tc := range cases {
		b.Run(fmt.Sprintf("sockets=%d/rooms=%d", tc.sockets, tc.rooms), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.MessageRateLimit = 0
			r := newTestRooms(b, cfg)
			d := &deliveryCounter{reached: make(chan struct{}, 1)}
			d.target.Store(-1)
			conns := make([]*fakeConn, tc.sockets)
			for i := range conns {
				conns[i] = newFakeConn(false)
				conns[i].onWrite = d.wrote
				serveIn(b, r, roomNumbered(int64(i%tc.rooms)+1), conns[i], int64(i+1))
			}
			for id := range int64(tc.rooms) {
				eventually(b, "everyone online", func() bool { return r.Online(id+1) == tc.sockets/tc.rooms })
			}
			// Each socket gets one flush of notices and presence: wait for
			// it before measuring.
			for _, c := range conns {
				eventually(b, "presence settled everywhere", func() bool { return c.writes.Load() >= 2 })
			}
			room := r.cache.use(roomNumbered(1))
			perMessage := int64(tc.sockets / tc.rooms)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				d.target.Store(d.writes.Load() + perMessage)
				if _, err := r.storeMessage(b.Context(), room, 1, "hello"); err != nil {
					b.Fatal(err)
				}
				<-d.reached
			}
		})
	}
}
