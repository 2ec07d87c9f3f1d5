package e2e

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// TestShutdownIgnoresUnusedConnections needs no browser, but a browser
// found it: Chromium opens connections ahead of need, and one that has
// sent nothing when the server stops must not hold the restart up. The
// sockets must get their 1012 at once, and Shutdown must succeed well
// within main's 5 s.
func TestShutdownIgnoresUnusedConnections(t *testing.T) {
	srv := startParley(t, "")
	alice := newHTTPUser(t, srv.URL())
	alice.register("Alice")
	ws := dialChat(t, srv.URL(), srv.URL(), alice.cookieHeader(), 0)
	ws.readUntil("online")

	idle, err := net.Dial("tcp", srv.cfg.Addr) // a preconnect: no request yet
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	// The connection is accepted before the server stops: wait until a
	// request on another connection has been served.
	if res := alice.do("GET", "/healthz", nil); res.status != 200 {
		t.Fatalf("healthz: %d", res.status)
	}

	closed := make(chan int, 1)
	go func() {
		for {
			if _, _, err := ws.conn.ReadMessage(); err != nil {
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					closed <- ce.Code
				} else {
					closed <- -1
				}
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	err = srv.app.Shutdown(ctx)
	took := time.Since(start)
	srv.app = nil
	if err != nil || took > 2*time.Second {
		t.Errorf("Shutdown with an unused connection open took %v: %v", took, err)
	}
	if code := <-closed; code != websocket.CloseServiceRestart {
		t.Errorf("socket closed with %d, want 1012", code)
	}
}
