package chat

import (
	"sync"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app/parley"
)

// history keeps the room's last messages in memory, so that neither a page
// load nor a connecting socket needs the database, and renders the list
// that replaces a stale page's messages once per change rather than once
// per socket.
type history struct {
	mu   sync.Mutex
	msgs []parley.Message // oldest first, at most parley.HistorySize
	// frame is msgs rendered as a #messages replacement; nil when stale.
	frame *websocket.PreparedMessage
}

// add appends a newly stored message.
func (h *history) add(m parley.Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs = append(h.msgs, m)
	if over := len(h.msgs) - parley.HistorySize; over > 0 {
		h.msgs = append(h.msgs[:0:0], h.msgs[over:]...)
	}
	h.frame = nil
}

// recent returns a copy of the last messages, oldest first.
func (h *history) recent() []parley.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]parley.Message(nil), h.msgs...)
}

// since returns what a page showing messages up to shownThrough lacks: nil
// when it is up to date, else the whole list to replace its own. newest is
// the last message ID that page then shows.
func (h *history) since(shownThrough int64, render Renderer) (frame *websocket.PreparedMessage, newest int64, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := len(h.msgs); n > 0 {
		newest = h.msgs[n-1].ID
	}
	if newest == shownThrough {
		return nil, newest, nil
	}
	if h.frame == nil {
		html, err := render.History(h.msgs)
		if err != nil {
			return nil, 0, err
		}
		if h.frame, err = websocket.NewPreparedMessage(websocket.TextMessage, html); err != nil {
			return nil, 0, err
		}
	}
	return h.frame, newest, nil
}
