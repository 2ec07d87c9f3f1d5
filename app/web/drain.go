package web

import (
	"net"
	"time"
)

// How long and how much drainUnread reads.
const (
	// drainQuiet ends the drain once the client has sent nothing for so long.
	drainQuiet = 50 * time.Millisecond
	// drainTimeout and drainLimit bound it, whatever the client does.
	drainTimeout = time.Second
	drainLimit   = 1 << 20
)

// drainUnread reads and discards, for a moment, what a client sent beyond
// a request the server refuses before reading it whole (431: headers too
// big). The server closes the connection after the refusal, and closing a
// socket with unread bytes makes the kernel send a reset, which can
// destroy the response before the client reads it: the client would see
// "connection reset" instead of the 431.
func drainUnread(conn net.Conn) {
	if conn == nil {
		return
	}
	buf := make([]byte, 32<<10)
	end := time.Now().Add(drainTimeout)
	for total := 0; total < drainLimit; {
		next := time.Now().Add(drainQuiet)
		if next.After(end) {
			next = end
		}
		if err := conn.SetReadDeadline(next); err != nil {
			return
		}
		n, err := conn.Read(buf)
		total += n
		if err != nil {
			return
		}
	}
}
