package outbox

import (
	"sync/atomic"
	"testing"
	"time"
)

// A socket is as far behind as the pushes its writer has not taken, not
// the frames: a busy room's batch of many messages is one push.
func TestSlowSocketIsCountedInPushes(t *testing.T) {
	queueSize := 3
	// Not started: no writer takes, as when one is stuck in a write.
	c := newTestOutbox(queueSize)
	batch := make([]Frame, 20)
	for i := range queueSize {
		if !c.Push(batch...) {
			t.Fatalf("push %d of %d frames dropped the socket, want it kept: %d pushes may wait", i+1, len(batch), queueSize)
		}
	}
	if c.Push(batch[0]) {
		t.Fatalf("push %d kept the socket, want it dropped: its writer has taken none of %d", queueSize+1, queueSize)
	}

	c.mu.Lock()
	frags, _ := c.take(nil)
	c.mu.Unlock()
	if got, want := len(frags), 0; got != want { // the frames are empty
		t.Fatalf("took %d fragments, want %d", got, want)
	}
	if !c.Push(batch[0]) {
		t.Errorf("push after the writer took dropped the socket, want it kept")
	}
}

// However few the pushes, a queue of more frames than queueSize full
// batches is too slow: the writer takes one batch at a time.
func TestSlowSocketIsDroppedAtSoManyFrames(t *testing.T) {
	queueSize := 2
	c := newTestOutbox(queueSize)
	f, err := NewFragment([]byte("<p>hi</p>"))
	if err != nil {
		t.Fatal(err)
	}
	burst := make([]Frame, (queueSize+1)*maxBatch)
	for i := range burst {
		burst[i] = Frame{Fragment: f}
	}
	if !c.Push(burst...) {
		t.Fatal("the first push dropped the socket")
	}
	c.mu.Lock()
	frags, _ := c.take(nil)
	c.mu.Unlock()
	if got, want := len(frags), maxBatch; got != want {
		t.Fatalf("took %d fragments, want a full batch of %d", got, want)
	}
	if c.Push(burst[0]) {
		t.Errorf("push onto %d frames kept the socket, want it dropped", len(burst)-maxBatch)
	}
}

// newTestOutbox is an outbox that is never started: nothing writes what it
// holds, as when its writer is stuck in a write.
func newTestOutbox(queueSize int) *Outbox {
	o := new(Outbox)
	o.Init(nil, Config{WriteWait: 10 * time.Second, PingInterval: 50 * time.Second}, queueSize, new(atomic.Int32))
	return o
}
