package chat

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// fakeConn stands in for a websocket in the hub's own tests: it counts what
// is written and can be made to stall like a peer that stopped reading.
type fakeConn struct {
	// writes counts the fragments written, messages the websocket messages
	// that carried them: a batch is one message of several fragments, each
	// written with one Write call.
	writes    atomic.Int64
	messages  atomic.Int64
	attempts  atomic.Int64 // writes begun, stalled or not
	pings     atomic.Int64
	closeCode atomic.Int64
	stallMu   sync.Mutex
	stall     chan struct{} // when not nil, writes block until it closes or the deadline
	closed    chan struct{}
	closeOnce sync.Once
	deadline  atomic.Int64 // write deadline, unix nanoseconds
	onWrite   func()       // when set, called after each write

	batchesMu sync.Mutex
	batches   [][]string // the fragments of each message written in pieces
}

// written returns the fragments of each message written in pieces.
func (c *fakeConn) written() [][]string {
	c.batchesMu.Lock()
	defer c.batchesMu.Unlock()
	return slices.Clone(c.batches)
}

func newFakeConn(stalled bool) *fakeConn {
	c := &fakeConn{closed: make(chan struct{})}
	if stalled {
		c.stall = make(chan struct{})
	}
	return c
}

func (c *fakeConn) ReadMessage() (int, []byte, error) {
	<-c.closed
	return 0, nil, io.EOF
}

func (c *fakeConn) WritePreparedMessage(*websocket.PreparedMessage) error { return c.write(1) }
func (c *fakeConn) WriteMessage(int, []byte) error                        { return c.write(1) }

// NextWriter collects a message's pieces and writes them on Close.
func (c *fakeConn) NextWriter(int) (io.WriteCloser, error) { return &fakeWriter{conn: c}, nil }

// fakeWriter is a message written in pieces: each Write is one fragment.
type fakeWriter struct {
	conn      *fakeConn
	fragments []string
}

func (w *fakeWriter) Write(p []byte) (int, error) {
	w.fragments = append(w.fragments, string(p))
	return len(p), nil
}

func (w *fakeWriter) Close() error {
	if err := w.conn.write(len(w.fragments)); err != nil {
		return err
	}
	w.conn.batchesMu.Lock()
	defer w.conn.batchesMu.Unlock()
	w.conn.batches = append(w.conn.batches, w.fragments)
	return nil
}

// release lets the stalled writes through, and those after them.
func (c *fakeConn) release() {
	c.stallMu.Lock()
	defer c.stallMu.Unlock()
	if c.stall != nil {
		close(c.stall)
		c.stall = nil
	}
}

// stallWrites makes the writes from now on block until release.
func (c *fakeConn) stallWrites() {
	c.stallMu.Lock()
	defer c.stallMu.Unlock()
	if c.stall == nil {
		c.stall = make(chan struct{})
	}
}

func (c *fakeConn) write(fragments int) error {
	c.attempts.Add(1)
	c.stallMu.Lock()
	stall := c.stall
	c.stallMu.Unlock()
	if stall != nil {
		select {
		case <-stall:
		case <-c.closed:
			return errors.New("closed")
		case <-time.After(time.Until(time.Unix(0, c.deadline.Load()))):
			return errors.New("i/o timeout")
		}
	}
	c.messages.Add(1)
	for range fragments {
		c.writes.Add(1)
		if c.onWrite != nil {
			c.onWrite()
		}
	}
	return nil
}

func (c *fakeConn) WriteControl(kind int, data []byte, _ time.Time) error {
	if kind == websocket.PingMessage {
		c.pings.Add(1)
	}
	if kind == websocket.CloseMessage && len(data) >= 2 {
		c.closeCode.Store(int64(data[0])<<8 | int64(data[1]))
	}
	return nil
}

func (c *fakeConn) SetReadLimit(int64)              {}
func (c *fakeConn) SetReadDeadline(time.Time) error { return nil }
func (c *fakeConn) SetWriteDeadline(t time.Time) error {
	c.deadline.Store(t.UnixNano())
	return nil
}
func (c *fakeConn) SetPongHandler(func(string) error) {}
func (c *fakeConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return nil
}

// memoryStore keeps rooms and messages in memory for the hub's own tests.
type memoryStore struct {
	mu     sync.Mutex
	msgs   []parley.Message
	lastID int64
	// mutes is when each muted person's mute ends.
	mutes map[int64]time.Time
}

// testRoom is the room the tests' sockets use unless they name another.
var testRoom = parley.Room{ID: 1, Name: "general"}

// roomNumbered is a room other than testRoom, for tests with several.
func roomNumbered(id int64) parley.Room {
	return parley.Room{ID: id, Name: "room-" + strconv.FormatInt(id, 10)}
}

func (s *memoryStore) RoomByName(_ context.Context, name string) (parley.Room, error) {
	if name == testRoom.Name {
		return testRoom, nil
	}
	return parley.Room{}, parley.ErrNotFound
}

func (s *memoryStore) CreateMessage(_ context.Context, roomID, userID int64, text string) (parley.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastID++
	m := parley.Message{ID: s.lastID, RoomID: roomID, UserID: userID, Text: text, CreatedAt: time.Now()}
	s.msgs = append(s.msgs, m)
	return m, nil
}

func (s *memoryStore) MessagesBefore(_ context.Context, roomID, before int64, limit int) ([]parley.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var msgs []parley.Message
	for i := len(s.msgs) - 1; i >= 0 && len(msgs) < limit; i-- {
		if m := s.msgs[i]; m.RoomID == roomID && (before <= 0 || m.ID < before) {
			msgs = append(msgs, m)
		}
	}
	slices.Reverse(msgs)
	return msgs, nil
}

func (s *memoryStore) MessageByID(_ context.Context, id int64) (parley.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.msgs {
		if m.ID == id {
			return m, nil
		}
	}
	return parley.Message{}, parley.ErrNotFound
}

// delete deletes a message as another instance would, without telling
// anyone. IDs are not reused.
func (s *memoryStore) delete(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = slices.DeleteFunc(s.msgs, func(m parley.Message) bool { return m.ID == id })
}

func (s *memoryStore) MutedUntil(_ context.Context, userID int64) (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mutes[userID], nil
}

func (s *memoryStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

func (s *memoryStore) since(i int) []parley.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]parley.Message(nil), s.msgs[i:]...)
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// textRenderer renders plain text: enough for the hub, which only counts
// frames. A fragment for a language or Locale other than the zero one
// starts with it ("es: 3", "es Europe/Madrid: hi"), so that tests see which
// one each socket got.
type textRenderer struct{}

func inLang(lang i18n.Lang, text string) []byte {
	if lang == "" {
		return []byte(text)
	}
	return []byte(string(lang) + ": " + text)
}

func inLocale(loc i18n.Locale, text string) []byte {
	if loc == (i18n.Locale{}) {
		return []byte(text)
	}
	return []byte(string(loc.Lang) + " " + loc.Zone + ": " + text)
}

// Presence and PresenceChanged both render the count alone.
func (textRenderer) Presence(lang i18n.Lang, l parley.OnlineList) ([]byte, error) {
	return inLang(lang, strconv.Itoa(l.Online)), nil
}
func (textRenderer) PresenceChanged(lang i18n.Lang, c parley.PresenceChange) ([]byte, error) {
	return inLang(lang, strconv.Itoa(c.Online)), nil
}
func (textRenderer) Change(view View, ch parley.Change) ([]byte, error) {
	switch ch := ch.(type) {
	case parley.MessagePosted:
		if view.Deletable {
			return inLocale(view.Locale, ch.Message.Text+" [delete]"), nil
		}
		return inLocale(view.Locale, ch.Message.Text), nil
	case parley.MessageDeleted:
		return []byte("removed " + strconv.FormatInt(ch.MessageID, 10)), nil
	}
	return []byte(ch.TypeName()), nil
}
func (textRenderer) Personal(view View, ch parley.PersonalChange) ([]byte, error) {
	return inLang(view.Locale.Lang, ch.TypeName()), nil
}
func (textRenderer) History(i18n.Locale, parley.Room, []parley.Message, bool, parley.User) ([]byte, error) {
	return []byte("history"), nil
}
func (textRenderer) Banned(lang i18n.Lang) ([]byte, error) { return inLang(lang, "banned"), nil }
func (textRenderer) Notices(lang i18n.Lang, ns []Notice) ([]byte, error) {
	return inLang(lang, "notices"), nil
}
func (textRenderer) Error(lang i18n.Lang, text string) ([]byte, error) {
	return inLang(lang, text), nil
}
func (textRenderer) ChatForm(lang i18n.Lang) ([]byte, error)  { return inLang(lang, "form"), nil }
func (textRenderer) SignedOut(lang i18n.Lang) ([]byte, error) { return inLang(lang, "bye"), nil }

// newTestRooms starts the chat over fakes and closes it when the test ends.
func newTestRooms(tb testing.TB, cfg Config) *Rooms {
	tb.Helper()
	return newTestRoomsOn(tb, cfg, &memoryStore{})
}

// newTestRoomsOn is newTestRooms on a given store, which instances of one
// Parley share.
func newTestRoomsOn(tb testing.TB, cfg Config, store *memoryStore) *Rooms {
	tb.Helper()
	r, err := New(cfg, store, textRenderer{}, discardLog())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.Close(ctx); err != nil {
			tb.Errorf("close room: %v", err)
		}
	})
	return r
}

// serve runs a socket of userID in testRoom in the background, as the
// websocket handler does.
func serve(tb testing.TB, r *Rooms, conn *fakeConn, userID int64) {
	tb.Helper()
	serveIn(tb, r, testRoom, conn, userID)
}

// serveIn is serve in another room.
func serveIn(tb testing.TB, r *Rooms, room parley.Room, conn *fakeConn, userID int64) {
	tb.Helper()
	u := parley.User{ID: userID, DisplayName: "user" + strconv.FormatInt(userID, 10)}
	p := Peer{User: u, Room: room, Access: parley.AccessTo(u, room, true), ShownThrough: 0}
	// As the web handler does: the socket goes on on its own goroutine.
	go func() { _, _ = r.Open(conn, p) }()
}

// eventually polls cond until it holds or the deadline passes.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
