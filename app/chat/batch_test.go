package chat

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A socket that falls behind gets what queued up meanwhile as one
// message, in the order it was sent, each message once.
func TestQueuedFramesAreWrittenAsOneMessage(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MessageRateLimit = 0
	r := newTestRooms(t, cfg)
	slow := newFakeConn(true) // its writes wait until stall is closed
	serve(t, r, slow, 1)
	// Its writer is stuck in its first write (the first presence flush)
	// once the catch-up is over, which had nothing to show.
	eventually(t, "the first write to begin", func() bool { return slow.attempts.Load() == 1 })

	const messages = 5
	room := r.cache.use(testRoom)
	for i := range messages {
		if _, err := r.storeMessage(t.Context(), room, 1, fmt.Sprintf("burst %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	r.hub.call(func() {}) // the hub has queued the last message
	slow.release()
	// The first presence flush, then the replies and messages that queued
	// behind it.
	eventually(t, "every message written", func() bool {
		n := 0
		for _, b := range slow.written() {
			for _, f := range b {
				if strings.HasPrefix(f, "burst ") {
					n++
				}
			}
		}
		return n == messages
	})
	var got []string
	for _, b := range slow.written() {
		for _, f := range b {
			if strings.HasPrefix(f, "burst ") {
				got = append(got, f)
			}
		}
	}
	var want []string
	for i := range messages {
		want = append(want, fmt.Sprintf("burst %d [delete]", i)) // user 1 wrote them
	}
	if !slices.Equal(got, want) {
		t.Errorf("messages written %q, want %q", got, want)
	}
	if m, f := slow.messages.Load(), slow.writes.Load(); m != 2 || f != messages+2 {
		t.Errorf("%d fragments took %d websocket messages, want %d in 2: the first flush, then the burst", f, m, messages+2)
	}
}
