package floor

import (
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/fasthttp/websocket"
)

// Socket timing and limits.
const (
	writeWait       = 10 * time.Second // longest a single write may block
	closeWriteWait  = time.Second      // longest the close frame may take on shutdown
	pongWait        = 60 * time.Second // a peer silent this long is gone
	pingPeriod      = 30 * time.Second // must be shorter than pongWait
	sendQueueLength = 64               // messages a socket may lag behind before it is dropped (as Parley)
	maxFrameBytes   = 4096             // larger incoming frames end the socket
	maxMessageRunes = 1000             // longer chat messages are ignored
)

// client is one open websocket: a reader (the HTTP handler's goroutine)
// and a writer goroutine, a bounded queue of messages and a one-slot
// mailbox for the latest user count.
type client struct {
	conn *websocket.Conn
	user string // presence key: sockets of one user count once
	name string // display name shown with the user's messages

	queue       chan *websocket.PreparedMessage
	latestCount atomic.Pointer[countFrame]
	countWake   chan struct{} // capacity 1: "latestCount changed"

	done      chan struct{} // closed by stop
	closeCode int           // close code the writer sends on done; 0 sends none
	stopOnce  sync.Once
}

func newClient(conn *websocket.Conn, user, name string) *client {
	return &client{
		conn:      conn,
		user:      user,
		name:      name,
		queue:     make(chan *websocket.PreparedMessage, sendQueueLength),
		countWake: make(chan struct{}, 1),
		done:      make(chan struct{}),
	}
}

// offerCount replaces the count this socket should show next; a count
// offered before the writer got to the previous one simply wins.
func (c *client) offerCount(frame *countFrame) {
	c.latestCount.Store(frame)
	select {
	case c.countWake <- struct{}{}:
	default:
	}
}

// enqueue queues msg without blocking and reports whether there was room.
func (c *client) enqueue(msg *websocket.PreparedMessage) bool {
	select {
	case c.queue <- msg:
		return true
	default:
		return false
	}
}

// stop ends the writer; it sends a close frame with code first unless
// code is 0. Only the first call has an effect.
func (c *client) stop(code int) {
	c.stopOnce.Do(func() {
		c.closeCode = code
		close(c.done)
	})
}

// drop ends a socket at once, also when its writer is blocked on a peer
// that does not read.
func (c *client) drop() {
	c.stop(0)
	_ = c.conn.Close()
}

// writeLoop sends queued messages, the latest count and pings until the
// client is stopped or a write fails; it then closes the connection, which
// also ends the read loop.
func (c *client) writeLoop() {
	ticker := time.NewTicker(pingPeriod)
	defer ticker.Stop()
	defer c.conn.Close()
	sentCount := -1
	for {
		var err error
		select {
		case <-c.done:
			c.writeClose()
			return
		case msg := <-c.queue:
			err = c.writePrepared(msg)
		case <-c.countWake:
			if frame := c.latestCount.Load(); frame != nil && frame.count != sentCount {
				sentCount = frame.count
				err = c.writePrepared(frame.msg)
			}
		case <-ticker.C:
			err = c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait))
		}
		if err != nil {
			return
		}
	}
}

func (c *client) writePrepared(msg *websocket.PreparedMessage) error {
	if err := c.conn.SetWriteDeadline(time.Now().Add(writeWait)); err != nil {
		return err
	}
	return c.conn.WritePreparedMessage(msg)
}

func (c *client) writeClose() {
	if c.closeCode == 0 {
		return
	}
	msg := websocket.FormatCloseMessage(c.closeCode, "")
	_ = c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeWriteWait))
}

// readLoop reads chat messages until the peer goes or the connection is
// closed, and hands each valid one to onMessage.
func (c *client) readLoop(onMessage func(c *client, text string)) {
	c.conn.SetReadLimit(maxFrameBytes)
	_ = c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(pongWait))
	})
	for {
		kind, data, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		if kind != websocket.TextMessage {
			continue
		}
		if text, ok := parseChatMessage(data); ok {
			onMessage(c, text)
		}
	}
}

// parseChatMessage extracts the trimmed text of what htmx's ws-send sends,
// {"message": "...", "HEADERS": {...}}; it reports false for malformed,
// empty or overlong messages.
func parseChatMessage(data []byte) (string, bool) {
	var form struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal(data, &form); err != nil {
		return "", false
	}
	text := strings.TrimSpace(form.Message)
	if text == "" || utf8.RuneCountInString(text) > maxMessageRunes {
		return "", false
	}
	return text, true
}
