package floor

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// countFlushInterval is how often a changed user count is pushed to every
// socket: a burst of connects in one interval costs each socket one frame.
const countFlushInterval = 50 * time.Millisecond

// countFrame is the #num-users fragment for one count, framed once and
// shared by every socket it is sent to.
type countFrame struct {
	count int
	msg   *websocket.PreparedMessage
}

// hub knows every open socket and the distinct users they belong to, fans
// messages out to them and keeps their user counts current.
type hub struct {
	mu          sync.RWMutex
	clients     map[*client]struct{}
	userSockets map[string]int // user key -> number of open sockets
	current     *countFrame    // the frame for len(userSockets), rendered lazily
	flushed     int            // the count last pushed to every socket
	closed      bool
	sockets     sync.WaitGroup // one per registered socket, until it is served out

	countDirty    atomic.Bool
	nextMessageID atomic.Int64
}

func newHub() *hub {
	return &hub{
		clients:     make(map[*client]struct{}),
		userSockets: make(map[string]int),
		flushed:     -1,
	}
}

// register adds c and hands it the current count at once. It reports false
// when the hub is shutting down; otherwise the caller must call unregister
// and then socketDone when c is finished.
func (h *hub) register(c *client) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.sockets.Add(1)
	h.clients[c] = struct{}{}
	h.userSockets[c.user]++
	if h.userSockets[c.user] == 1 {
		h.countDirty.Store(true)
	}
	// Offer under the lock so that a concurrent flush cannot overtake it
	// with an older count.
	c.offerCount(h.currentCountLocked())
	return true
}

// unregister removes c; the user's count drops when its last socket goes.
func (h *hub) unregister(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[c]; !ok {
		return
	}
	delete(h.clients, c)
	h.userSockets[c.user]--
	if h.userSockets[c.user] == 0 {
		delete(h.userSockets, c.user)
		h.countDirty.Store(true)
	}
}

// socketDone marks one registered socket as fully served.
func (h *hub) socketDone() { h.sockets.Done() }

// currentCountLocked returns the frame for the current count, rendering it
// only when the count changed. h.mu must be held for writing.
func (h *hub) currentCountLocked() *countFrame {
	count := len(h.userSockets)
	if h.current == nil || h.current.count != count {
		h.current = newCountFrame(count)
	}
	return h.current
}

// flushCount pushes the current count to every socket if it changed since
// the last flush. Each socket keeps only the latest count it was offered.
func (h *hub) flushCount() {
	if !h.countDirty.Swap(false) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	frame := h.currentCountLocked()
	if frame.count == h.flushed {
		return
	}
	h.flushed = frame.count
	for c := range h.clients {
		c.offerCount(frame)
	}
}

// runCountFlusher flushes the count every countFlushInterval until stop is
// closed.
func (h *hub) runCountFlusher(stop <-chan struct{}) {
	ticker := time.NewTicker(countFlushInterval)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
			h.flushCount()
		}
	}
}

// broadcast queues msg for every socket. A socket whose queue is full is
// too slow to keep: it is dropped rather than allowed to hold up the rest.
func (h *hub) broadcast(msg *websocket.PreparedMessage) {
	var slow []*client
	h.mu.RLock()
	for c := range h.clients {
		if !c.enqueue(msg) {
			slow = append(slow, c)
		}
	}
	h.mu.RUnlock()
	for _, c := range slow {
		c.drop()
	}
}

// shutdown tells every socket to close with 1012 (service restart), so that
// htmx's ws extension reconnects, and waits until all are served out.
func (h *hub) shutdown() {
	h.mu.Lock()
	h.closed = true
	for c := range h.clients {
		c.stop(websocket.CloseServiceRestart)
	}
	h.mu.Unlock()
	h.sockets.Wait()
}

func newCountFrame(count int) *countFrame {
	return &countFrame{count: count, msg: mustPrepare(renderCount(count))}
}

// mustPrepare frames a text message once for all sockets. It fails only
// for an unknown message type, which would be a programming error.
func mustPrepare(data []byte) *websocket.PreparedMessage {
	msg, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
	if err != nil {
		panic("floor: prepare message: " + err.Error())
	}
	return msg
}
