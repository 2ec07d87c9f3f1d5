package chat

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/parleychat/parley/app/chat/outbox"
	"github.com/parleychat/parley/app/i18n"
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
	// unsure is whether a page up to date by ID may still differ from
	// msgs: a message was deleted from them since they were loaded (the
	// page may still show it), or one arrived after a newer one (the page
	// may lack it). Every catch-up then sends the list.
	unsure bool
	// deleted are the IDs of the messages deleted while the room was in
	// memory (few: deletions are rare).
	deleted map[int64]struct{}
	// frames are msgs rendered as a #messages replacement, per kind of
	// viewer (see viewerKey) and Locale; emptied on every change.
	frames map[historyView]*outbox.Fragment
	// added counts the messages add let through. A message's frame carries
	// the count at its add and a catch-up the count when it read msgs, so
	// that a socket skips exactly the messages its catch-up had, and not
	// one that came late with a lower ID.
	added uint64
}

// historyView is one rendering of the list: for a kind of viewer (see
// viewerKey), in a Locale.
type historyView struct {
	viewer int64
	locale i18n.Locale
}

// Kinds of viewer besides authors' user IDs.
const (
	// plainViewer sees no Delete control: they wrote none of the messages.
	plainViewer int64 = 0
	// adminViewer sees a Delete control on every message.
	adminViewer int64 = -1
)

// load reads the room's last messages from the store, once: later calls,
// and calls after a failed one, read them again only if they are missing.
func (h *history) load(ctx context.Context, store Store, roomID int64) error {
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
	wasStale := h.stale
	h.msgs, h.loaded, h.stale, h.frames = msgs, true, false, nil
	if wasStale {
		// Deletions made meanwhile on other instances are in the store,
		// not necessarily on the pages: send the list to every page.
		h.unsure = true
	}
	return nil
}

// add puts a newly stored message in its place by ID: messages stored by
// other instances can arrive after newer ones. It returns 0 when the
// history already holds the message (it was loaded after the message was
// stored, or the message came twice) or has seen it deleted, so that
// nobody is sent it again; else the count of messages let through so far
// (see added). A history that is not loaded yet will read it from the
// store.
func (h *history) add(m parley.Message) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.loaded {
		h.added++
		return h.added
	}
	if _, gone := h.deleted[m.ID]; gone {
		return 0
	}
	i, found := slices.BinarySearchFunc(h.msgs, m.ID, func(x parley.Message, id int64) int { return cmp.Compare(x.ID, id) })
	if found {
		return 0
	}
	h.added++
	if i == 0 && len(h.msgs) >= parley.HistorySize {
		return h.added // older than every message kept: not part of the page
	}
	if i < len(h.msgs) {
		h.unsure = true // late: a page may show the newer ones without it
	}
	h.msgs = slices.Insert(h.msgs, i, m)
	if over := len(h.msgs) - parley.HistorySize; over > 0 {
		h.msgs = append(h.msgs[:0:0], h.msgs[over:]...)
		h.older = true
	}
	h.frames = nil
	return h.added
}

// markStale makes the next load read the messages from the store again,
// while the ones kept still serve until then: after the link to other
// instances was lost, some of their messages may be missing here.
func (h *history) markStale() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stale = true
}

// remove takes a deleted message out of the last messages, if they hold
// it, and remembers it, so that a copy arriving late from another instance
// is not added back.
func (h *history) remove(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.deleted == nil {
		h.deleted = make(map[int64]struct{})
	}
	h.deleted[id] = struct{}{}
	for i, m := range h.msgs {
		if m.ID == id {
			h.msgs = append(h.msgs[:i:i], h.msgs[i+1:]...)
			h.unsure, h.frames = true, nil
			return
		}
	}
}

// compare tells how the last messages differ from fresh, the room's last
// messages as the store now has them (oldest first, at most
// parley.HistorySize): lacking are the messages of fresh it neither holds
// nor saw deleted, oldest first; suspects are the IDs it holds that fresh
// lacks but would show, so either deleted or stored after fresh was read.
// A history that is not loaded yet compares equal: its load reads the store.
func (h *history) compare(fresh []parley.Message) (lacking []parley.Message, suspects []int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.loaded {
		return nil, nil
	}
	inFresh := make(map[int64]struct{}, len(fresh))
	for _, m := range fresh {
		inFresh[m.ID] = struct{}{}
		if _, gone := h.deleted[m.ID]; gone {
			continue
		}
		if _, held := slices.BinarySearchFunc(h.msgs, m.ID, func(x parley.Message, id int64) int { return cmp.Compare(x.ID, id) }); !held {
			lacking = append(lacking, m)
		}
	}
	// A full fresh says nothing of the messages before its first.
	var from int64
	if len(fresh) >= parley.HistorySize {
		from = fresh[0].ID
	}
	for _, m := range h.msgs {
		if _, ok := inFresh[m.ID]; !ok && m.ID >= from {
			suspects = append(suspects, m.ID)
		}
	}
	return lacking, suspects
}

// viewerKey is which rendering of the list the viewer sees: the admins'
// (every message deletable), the author's own when they wrote any of
// msgs, or the plain one. Rooms have few distinct authors among their
// last messages, so a reconnect storm still renders each list once or a
// few times, not once per socket. The caller holds h.mu.
func (h *history) viewerKey(viewer parley.User) int64 {
	if viewer.Admin {
		return adminViewer
	}
	for _, m := range h.msgs {
		if m.UserID == viewer.ID {
			return viewer.ID
		}
	}
	return plainViewer
}

// recent returns a copy of the last messages, oldest first, and whether
// older ones exist.
func (h *history) recent() ([]parley.Message, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]parley.Message(nil), h.msgs...), h.older
}

// since returns what a page showing messages up to shownThrough lacks: nil
// when it is up to date, else the whole list, as viewer sees it, to
// replace its own. caughtUp is the count of messages added so far (see
// added): the page then shows every message added up to it. Once a
// message has been deleted or has come late, every page gets the list
// (see unsure).
func (h *history) since(shownThrough int64, room parley.Room, render Renderer, viewer parley.User, loc i18n.Locale) (frame *outbox.Fragment, caughtUp uint64, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var newest int64
	if n := len(h.msgs); n > 0 {
		newest = h.msgs[n-1].ID
	}
	if newest == shownThrough && !h.unsure {
		return nil, h.added, nil
	}
	key := historyView{viewer: h.viewerKey(viewer), locale: loc}
	if frame = h.frames[key]; frame != nil {
		return frame, h.added, nil
	}
	html, err := render.History(loc, room, h.msgs, h.older, viewer)
	if err != nil {
		return nil, 0, err
	}
	if frame, err = outbox.NewFragment(html); err != nil {
		return nil, 0, err
	}
	if h.frames == nil {
		h.frames = make(map[historyView]*outbox.Fragment)
	}
	h.frames[key] = frame
	return frame, h.added, nil
}
