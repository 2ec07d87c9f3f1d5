package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// wsClient is a chat client that is not a browser: it speaks the protocol
// the ws extension speaks, over the server's own address.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
	// frames holds every frame received so far.
	frames []string
}

// dialChat opens /ws at addr (http://host:port) as the signed-in user,
// with origin as the Origin header (the server's BASE_URL). shown is the
// ws-connect query a page would send; -1 asks for the whole history.
func dialChat(t *testing.T, addr, origin, cookie string, shown int) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(addr, "http") + "/ws"
	if shown >= 0 {
		u += "?shown=" + strconv.Itoa(shown)
	}
	h := http.Header{"Origin": {origin}, "Cookie": {cookie}}
	conn, res, err := websocket.DefaultDialer.DialContext(ctx, u, h)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", u, err, status)
	}
	c := &wsClient{t: t, conn: conn}
	t.Cleanup(func() { c.conn.Close() })
	return c
}

// send sends text as the chat form does: {"message": ..., "HEADERS": {...}}.
func (c *wsClient) send(text string) {
	c.t.Helper()
	b, err := json.Marshal(map[string]any{
		"message": text,
		"HEADERS": map[string]any{"HX-Request": "true", "HX-Trigger": "chat-form", "HX-Target": "chat-form"},
	})
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		c.t.Fatalf("send %q: %v", text, err)
	}
}

// readUntil reads frames until one contains want, and returns it.
func (c *wsClient) readUntil(want string) string {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := c.conn.SetReadDeadline(deadline); err != nil {
			c.t.Fatal(err)
		}
		_, b, err := c.conn.ReadMessage()
		if err != nil {
			c.t.Fatalf("waiting for a frame with %q: %v; frames so far:\n%s", want, err, strings.Join(c.frames, "\n"))
		}
		c.frames = append(c.frames, string(b))
		if strings.Contains(string(b), want) {
			return string(b)
		}
	}
}

// close says goodbye with a normal close frame and waits for the server's.
func (c *wsClient) close() {
	c.t.Helper()
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	_ = c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(5*time.Second))
	_ = c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := c.conn.ReadMessage(); err != nil {
			break
		}
	}
	c.conn.Close()
}
