package chat

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app/parley"
)

// FuzzHandleFrame sends arbitrary frames as one socket would: nothing may
// panic, and only trimmed, non-empty, valid messages of at most 1000
// characters may be stored.
func FuzzHandleFrame(f *testing.F) {
	for _, seed := range []string{`{"message":"hi","HEADERS":{}}`, `{"message":`, `[]`, `{"message":"   "}`, "\xff", `{"message":null}`, `{"message":"` + strings.Repeat("x", 1001) + `"}`} {
		f.Add(seed, true)
	}
	cfg := DefaultConfig()
	cfg.MessageRateLimit = 0
	store := &memoryStore{}
	r, err := New(cfg, store, textRenderer{}, discardLog())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = r.Close(f.Context()) })
	f.Fuzz(func(t *testing.T, data string, text bool) {
		kind := websocket.TextMessage
		if !text {
			kind = websocket.BinaryMessage
		}
		c := newClient(Peer{User: parley.User{ID: 1, DisplayName: "fuzz"}, Room: testRoom, Access: parley.Access{Read: true, Post: true}}, r.cache.use(testRoom), newFakeConn(false), &cfg)
		before := store.count()
		r.handleFrame(c, kind, []byte(data))
		for _, m := range store.since(before) {
			if m.Text == "" || m.Text != strings.TrimSpace(m.Text) || !utf8.ValidString(m.Text) || utf8.RuneCountInString(m.Text) > parley.MaxMessageLength {
				t.Fatalf("stored %q from frame %q", m.Text, data)
			}
		}
	})
}
