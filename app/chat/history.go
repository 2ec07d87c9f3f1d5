package chat

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app/parley"
)

// history keeps one room's last messages in memory, so that neither a page
// load nor a connecting socket needs the database, and renders the list
// that replaces a stale page's messages once per change rather than once
// per socket.
type history struct {
	mu sync.Mutex
	// loaded is false until the messages have been read from the store.
	loaded bool
	// stale asks the next load to read them again (see markStale).
	stale bool
	msgs  []parley.Message // oldest first, at most parley.HistorySize
	// older is whether the room has messages before msgs[0].
	older bool
	// frame is msgs rendered as a #messages replacement; nil when stale.
	frame *websocket.PreparedMessage
}

// load reads the room's last messages from the store, once: later calls,
// and calls after a failed one, read them again only if they are missing.
func (h *history) load(ctx context.Context, store MessageStore, roomID int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.loaded && !h.stale {
		return nil
	}
	// One more than the page shows tells whether older ones exist.
	msgs, err := store.MessagesBefore(ctx, roomID, 0, parley.HistorySize+1)
	if err != nil {
		return fmt.Errorf("chat: load history of room %d: %w", roomID, err)
	}
	h.older = len(msgs) > parley.HistorySize
	if h.older {
		msgs = msgs[1:]
	}
	h.msgs, h.loaded, h.stale, h.frame = msgs, true, false, nil
	return nil
}

// add puts a newly stored message in its place by ID: messages stored by
// other instances can arrive after newer ones. It reports false when the
// history already holds the message (it was loaded after the message was
// stored, or the message came twice), so that nobody is sent it again. A
// history that is not loaded yet will read it from the store.
func (h *history) add(m parley.Message) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.loaded {
		return true
	}
	i, found := slices.BinarySearchFunc(h.msgs, m.ID, func(x parley.Message, id int64) int { return cmp.Compare(x.ID, id) })
	if found {
		return false
	}
	if i == 0 && len(h.msgs) >= parley.HistorySize {
		return true // older than every message kept: not part of the page
	}
	h.msgs = slices.Insert(h.msgs, i, m)
	if over := len(h.msgs) - parley.HistorySize; over > 0 {
		h.msgs = append(h.msgs[:0:0], h.msgs[over:]...)
		h.older = true
	}
	h.frame = nil
	return true
}

// markStale makes the next load read the messages from the store again,
// while the ones kept still serve until then: after the link to other
// instances was lost, some of their messages may be missing here.
func (h *history) markStale() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stale = true
}

// recent returns a copy of the last messages, oldest first, and whether
// older ones exist.
func (h *history) recent() ([]parley.Message, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]parley.Message(nil), h.msgs...), h.older
}

// since returns what a page showing messages up to shownThrough lacks: nil
// when it is up to date, else the whole list to replace its own. newest is
// the last message ID that page then shows.
func (h *history) since(shownThrough int64, room parley.Room, render Renderer) (frame *websocket.PreparedMessage, newest int64, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := len(h.msgs); n > 0 {
		newest = h.msgs[n-1].ID
	}
	if newest == shownThrough {
		return nil, newest, nil
	}
	if h.frame == nil {
		html, err := render.History(room, h.msgs, h.older)
		if err != nil {
			return nil, 0, err
		}
		if h.frame, err = websocket.NewPreparedMessage(websocket.TextMessage, html); err != nil {
			return nil, 0, err
		}
	}
	return h.frame, newest, nil
}
