package outbox

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

// BenchmarkWriteBurst writes a burst of fragments to a real websocket over
// loopback, with the server's pooled write buffer: one prepared message
// each (as before batching), or all as one message.
func BenchmarkWriteBurst(b *testing.B) {
	html := []byte(`<div id="messages" hx-swap-oob="beforeend"><article class="message" id="message-12345"><header><strong>someone</strong> <time datetime="2026-12-02T10:00:00Z">10:00</time></header><p>` +
		strings.Repeat("a burst of chat ", 8) + `</p></article></div>`)
	f, err := NewFragment(html)
	if err != nil {
		b.Fatal(err)
	}
	cfg := Config{WriteWait: 10 * time.Second, PingInterval: 50 * time.Second, Observer: nopObserver{}}
	for _, burst := range []int{1, 4, 16} {
		for _, mode := range []string{"separate", "batched"} {
			if burst == 1 && mode == "batched" {
				continue // one fragment is written as its prepared message either way
			}
			b.Run(fmt.Sprintf("burst=%d/%s", burst, mode), func(b *testing.B) {
				conn := loopbackSocket(b)
				frags := slices.Repeat([]*Fragment{f}, burst)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if mode == "batched" {
						err = writeBatch(conn, cfg, frags)
					} else {
						for _, f := range frags {
							if err = Write(conn, cfg, f); err != nil {
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

type nopObserver struct{}

func (nopObserver) FrameWritten() {}
