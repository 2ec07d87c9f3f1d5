package web

import (
	"net"
	"sync"
	"sync/atomic"
)

// connTracker wraps the listener so that Shutdown can close connections
// on which no byte has arrived yet.
//
// Browsers open connections before they need them (Chromium preconnects).
// fasthttp marks a new connection active before its first request arrives,
// so its Shutdown waits for such a connection until ReadTimeout (15 s):
// longer than main's shutdown timeout, so a graceful stop failed and the
// chat's sockets got their 1012 only at the deadline.
type connTracker struct {
	net.Listener

	// socketWrote is told the bytes written on upgraded connections.
	socketWrote func(n int)

	closeOnce sync.Once
	closeErr  error

	mu    sync.Mutex
	conns map[*trackedConn]struct{}
}

func trackConns(ln net.Listener, socketWrote func(n int)) *connTracker {
	return &connTracker{Listener: ln, socketWrote: socketWrote, conns: make(map[*trackedConn]struct{})}
}

func (l *connTracker) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, l: l}
	l.mu.Lock()
	l.conns[tc] = struct{}{}
	l.mu.Unlock()
	return tc, nil
}

// Close closes the listener once: Shutdown closes it before fasthttp does.
func (l *connTracker) Close() error {
	l.closeOnce.Do(func() { l.closeErr = l.Listener.Close() })
	return l.closeErr
}

// closeUnused closes the connections that have not received a byte.
func (l *connTracker) closeUnused() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.conns {
		if !c.used.Load() {
			c.Conn.Close()
		}
	}
}

// trackedConn notes whether anything has been read from it.
type trackedConn struct {
	net.Conn
	l    *connTracker
	used atomic.Bool
	// socket is set once the connection carries a websocket.
	socket atomic.Bool
}

func (c *trackedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if c.socket.Load() && n > 0 {
		c.l.socketWrote(n)
	}
	return n, err
}

// markSocket makes the bytes written on conn, an upgraded connection,
// count as websocket bytes. fasthttp hands the hijacked connection over
// wrapped; its UnsafeConn returns ours.
func markSocket(conn net.Conn) {
	if u, ok := conn.(interface{ UnsafeConn() net.Conn }); ok {
		conn = u.UnsafeConn()
	}
	if tc, ok := conn.(*trackedConn); ok {
		tc.socket.Store(true)
	}
}

func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && !c.used.Load() {
		c.used.Store(true)
	}
	return n, err
}

func (c *trackedConn) Close() error {
	c.l.mu.Lock()
	delete(c.l.conns, c)
	c.l.mu.Unlock()
	return c.Conn.Close()
}
