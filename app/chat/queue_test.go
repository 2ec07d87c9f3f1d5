package chat

import "testing"

// A socket is as far behind as the pushes its writer has not taken, not
// the frames: a busy room's batch of many messages is one push.
func TestSlowSocketIsCountedInPushes(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SendQueueSize = 3
	// Not started: no writer takes, as when one is stuck in a write.
	c := newClient(Peer{}, &cachedRoom{}, newFakeConn(false), &cfg)
	batch := make([]frame, 20)
	for i := range cfg.SendQueueSize {
		if !c.push(batch...) {
			t.Fatalf("push %d of %d frames dropped the socket, want it kept: %d pushes may wait", i+1, len(batch), cfg.SendQueueSize)
		}
	}
	if c.push(batch[0]) {
		t.Fatalf("push %d kept the socket, want it dropped: its writer has taken none of %d", cfg.SendQueueSize+1, cfg.SendQueueSize)
	}

	c.mu.Lock()
	frags, _ := c.take(nil)
	c.mu.Unlock()
	if got, want := len(frags), 0; got != want { // the frames are empty
		t.Fatalf("took %d fragments, want %d", got, want)
	}
	if !c.push(batch[0]) {
		t.Errorf("push after the writer took dropped the socket, want it kept")
	}
}

// However few the pushes, a queue of more frames than SendQueueSize full
// batches is too slow: the writer takes one batch at a time.
func TestSlowSocketIsDroppedAtSoManyFrames(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SendQueueSize = 2
	c := newClient(Peer{}, &cachedRoom{}, newFakeConn(false), &cfg)
	f, err := newFragment([]byte("<p>hi</p>"))
	if err != nil {
		t.Fatal(err)
	}
	burst := make([]frame, (cfg.SendQueueSize+1)*maxBatch)
	for i := range burst {
		burst[i] = frame{pm: f}
	}
	if !c.push(burst...) {
		t.Fatal("the first push dropped the socket")
	}
	c.mu.Lock()
	frags, _ := c.take(nil)
	c.mu.Unlock()
	if got, want := len(frags), maxBatch; got != want {
		t.Fatalf("took %d fragments, want a full batch of %d", got, want)
	}
	if c.push(burst[0]) {
		t.Errorf("push onto %d frames kept the socket, want it dropped", len(burst)-maxBatch)
	}
}
