package app_test

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// clientFrame frames payload as a client's masked text frame (RFC 6455;
// a zero mask keeps the payload as it is on the wire).
func clientFrame(payload string) []byte {
	frame := []byte{0x81} // FIN, text
	switch n := len(payload); {
	case n < 126:
		frame = append(frame, 0x80|byte(n))
	default:
		frame = append(frame, 0x80|126)
		frame = binary.BigEndian.AppendUint16(frame, uint16(n))
	}
	frame = append(frame, 0, 0, 0, 0) // mask key
	return append(frame, payload...)
}

// readServerFrames reads the server's unmasked frames from r and returns
// their payloads once one contains want.
func readServerFrames(t *testing.T, conn net.Conn, r *bufio.Reader, want string) string {
	t.Helper()
	var seen strings.Builder
	_ = conn.SetReadDeadline(time.Now().Add(waitTimeout))
	for !strings.Contains(seen.String(), want) {
		head := make([]byte, 2)
		if _, err := io.ReadFull(r, head); err != nil {
			t.Fatalf("read a frame while waiting for %q: %v; got so far %.300q", want, err, seen.String())
		}
		n := int64(head[1] & 0x7f)
		switch n {
		case 126:
			var l uint16
			_ = binary.Read(r, binary.BigEndian, &l)
			n = int64(l)
		case 127:
			_ = binary.Read(r, binary.BigEndian, &n)
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			t.Fatalf("read a frame's payload: %v", err)
		}
		seen.Write(payload)
	}
	return seen.String()
}

// A client may send its first frame right behind its upgrade request,
// before the answer: fasthttp then holds those bytes in a pooled reader.
// The socket must still read its own bytes, and only its own, while other
// connections come and go through the server's pooled readers.
func TestFrameSentWithTheUpgradeRequest(t *testing.T) {
	cfg := testConfig(t)
	cfg.Chat.MessageRateLimit = 0
	a := startApp(t, cfg)
	alice := signedUp(t, a, "alice")
	reader := signedUp(t, a, "bob").dial("")
	reader.waitCount(1)

	conn, err := net.Dial("tcp", a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	upgrade := "GET /ws HTTP/1.1\r\nHost: " + a.Addr() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
		"Origin: " + a.URL() + "\r\nCookie: " + alice.cookie() + "\r\n\r\n"
	if _, err := conn.Write(append([]byte(upgrade), clientFrame(`{"message":"sent with the upgrade"}`)...)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade with a frame behind it: %d, want 101", resp.StatusCode)
	}
	reader.waitText("sent with the upgrade</p>")
	// This one socket is served the old way, on fasthttp's goroutine,
	// which gives the reader back only when the socket ends.
	if got := strings.Count(goroutineStacks(), "fasthttp.hijackConnHandler("); got != 1 {
		t.Errorf("%d hijack handlers still run, want 1: the socket with the frame behind its upgrade", got)
	}

	// Other connections now take the server's pooled readers, the one
	// that held the frame among them.
	for i := range 20 {
		other := newBrowser(t, a.URL())
		if status, _, _ := other.get("/login"); status != http.StatusOK {
			t.Fatalf("GET /login on connection %d: %d, want 200", i, status)
		}
	}
	for i := range 3 {
		text := fmt.Sprintf("sent later %d", i)
		if _, err := conn.Write(clientFrame(`{"message":"` + text + `"}`)); err != nil {
			t.Fatal(err)
		}
		reader.waitText(text + "</p>")
		readServerFrames(t, conn, r, text+"</p>")
	}
}

// A socket outlives the handler that upgraded it: fasthttp's goroutine,
// with its request context, ends, and the chat's own reads the socket.
func TestSocketsOutliveTheirUpgradeHandler(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice := signedUp(t, a, "alice")
	const sockets = 3
	for range sockets {
		alice.dial("")
	}
	alice.dial("").waitCount(1)
	stacks := goroutineStacks()
	if got := strings.Count(stacks, "fasthttp.hijackConnHandler("); got != 0 {
		t.Errorf("%d hijack handlers still run for %d open sockets, want 0", got, sockets+1)
	}
	if got := strings.Count(stacks, "chat.(*Rooms).run("); got != sockets+1 {
		t.Errorf("%d chat goroutines read sockets, want %d", got, sockets+1)
	}
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
