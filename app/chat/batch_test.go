package chat

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// A socket that falls behind gets what queued up meanwhile as one
// message, in the order it was sent, each message once.
func TestQueuedFramesAreWrittenAsOneMessage(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MessageRateLimit = 0
	r := newTestRooms(t, cfg)
	slow := newFakeConn(true) // its writes wait until stall is closed
	serve(t, r, slow, 1)
	// Its writer is stuck in its first write (the first presence flush)
	// once the catch-up is over, which had nothing to show.
	eventually(t, "the first write to begin", func() bool { return slow.attempts.Load() == 1 })

	const messages = 5
	room := r.cache.use(testRoom)
	for i := range messages {
		if _, err := r.storeMessage(t.Context(), room, 1, fmt.Sprintf("burst %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	r.hub.call(func() {}) // the hub has queued the last message
	slow.release()
	// The first presence flush, then the replies and messages that queued
	// behind it.
	eventually(t, "every message written", func() bool {
		n := 0
		for _, b := range slow.written() {
			for _, f := range b {
				if strings.HasPrefix(f, "burst ") {
					n++
				}
			}
		}
		return n == messages
	})
	var got []string
	for _, b := range slow.written() {
		for _, f := range b {
			if strings.HasPrefix(f, "burst ") {
				got = append(got, f)
			}
		}
	}
	var want []string
	for i := range messages {
		want = append(want, fmt.Sprintf("burst %d [delete]", i)) // user 1 wrote them
	}
	if !slices.Equal(got, want) {
		t.Errorf("messages written %q, want %q", got, want)
	}
	if m, f := slow.messages.Load(), slow.writes.Load(); m != 2 || f != messages+2 {
		t.Errorf("%d fragments took %d websocket messages, want %d in 2: the first flush, then the burst", f, m, messages+2)
	}
}

// BenchmarkWriteBurst writes a burst of fragments to a real websocket over
// loopback, with the server's pooled write buffer: one prepared message
// each (as before batching), or all as one message.
func BenchmarkWriteBurst(b *testing.B) {
	html := []byte(`<div id="messages" hx-swap-oob="beforeend"><article class="message" id="message-12345"><header><strong>someone</strong> <time datetime="2026-12-02T10:00:00Z">10:00</time></header><p>` +
		strings.Repeat("a burst of chat ", 8) + `</p></article></div>`)
	f, err := newFragment(html)
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Observer = NopObserver{}
	for _, burst := range []int{1, 4, 16} {
		for _, mode := range []string{"separate", "batched"} {
			if burst == 1 && mode == "batched" {
				continue // one fragment is written as its prepared message either way
			}
			b.Run(fmt.Sprintf("burst=%d/%s", burst, mode), func(b *testing.B) {
				conn := loopbackSocket(b)
				frags := slices.Repeat([]*fragment{f}, burst)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if mode == "batched" {
						err = writeBatch(conn, cfg, frags)
					} else {
						for _, f := range frags {
							if err = write(conn, cfg, f); err != nil {
								break
							}
						}
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// loopbackSocket returns the server side of a websocket over loopback,
// configured as Parley's (small read buffer, pooled 4 KiB write buffer),
// whose client reads and discards everything until the benchmark ends.
func loopbackSocket(b *testing.B) *websocket.Conn {
	b.Helper()
	upgrader := websocket.Upgrader{ReadBufferSize: 256, WriteBufferSize: 4096, WriteBufferPool: &sync.Pool{}}
	conns := make(chan *websocket.Conn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		c, err := upgrader.Upgrade(w, req, nil)
		if err != nil {
			b.Error(err)
			return
		}
		conns <- c
	}))
	b.Cleanup(srv.Close)
	client, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		b.Fatal(err)
	}
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			if _, _, err := client.NextReader(); err != nil {
				return
			}
		}
	}()
	server := <-conns
	b.Cleanup(func() {
		_ = server.Close()
		_ = client.Close()
		select {
		case <-readerDone:
		case <-time.After(5 * time.Second):
			b.Error("client reader still running")
		}
	})
	return server
}
