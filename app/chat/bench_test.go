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

// BenchmarkBroadcast fans one message out to N in-process sockets and
// waits until every socket's writer has written it.
func BenchmarkBroadcast(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("sockets=%d", n), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.MessageRateLimit = 0
			r := newTestRoom(b, cfg)
			d := &deliveryCounter{reached: make(chan struct{}, 1)}
			d.target.Store(-1)
			conns := make([]*fakeConn, n)
			for i := range conns {
				conns[i] = newFakeConn(false)
				conns[i].onWrite = d.wrote
				serve(b, r, conns[i], int64(i+1))
			}
			eventually(b, "everyone online", func() bool { return r.Online() == n })
			// Each socket gets its first count, then one flush of notices and
			// the final count: wait for that before measuring.
			for _, c := range conns {
				eventually(b, "presence settled everywhere", func() bool { return c.writes.Load() >= 2 })
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				d.target.Store(d.writes.Load() + int64(n))
				if err := r.post(1, "hello"); err != nil {
					b.Fatal(err)
				}
				<-d.reached
			}
		})
	}
}
