package e2e

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/parleychat/parley/app"
	"github.com/parleychat/parley/app/chat"
)

// holdingObserver holds every socket's writer, once it has written a
// frame, while the test holds the writers: what a socket gets meanwhile
// waits in its queue, as it does for a socket that falls behind.
type holdingObserver struct {
	chat.NopObserver
	mu     sync.Mutex
	held   chan struct{} // not nil while writers are held; closed to let go
	stored atomic.Int64  // messages stored
}

func (o *holdingObserver) hold() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.held = make(chan struct{})
}

func (o *holdingObserver) release() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.held != nil {
		close(o.held)
		o.held = nil
	}
}

func (o *holdingObserver) FrameWritten() {
	o.mu.Lock()
	held := o.held
	o.mu.Unlock()
	if held != nil {
		<-held
	}
}

func (o *holdingObserver) MessageStored() { o.stored.Add(1) }

// frameWatch counts the websocket messages a tab receives that carry chat
// messages, and how many each carries.
type frameWatch struct {
	mu     sync.Mutex
	counts []int // message fragments per received websocket message
}

// messageFragment opens one message's fragment in a websocket message.
var messageFragment = regexp.MustCompile(`<article[^>]*class="message`)

func (w *frameWatch) listen(ev any) {
	if ev, ok := ev.(*network.EventWebSocketFrameReceived); ok {
		if n := len(messageFragment.FindAll(ev.Response.PayloadData, -1)); n > 0 {
			w.mu.Lock()
			w.counts = append(w.counts, n)
			w.mu.Unlock()
		}
	}
}

func (w *frameWatch) seen() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.counts)
}

// TestBurstArrivesAsOneMessage: a page whose socket fell behind gets the
// messages that queued meanwhile as one websocket message of several
// fragments, and shows every one of them, once and in order.
func TestBurstArrivesAsOneMessage(t *testing.T) {
	obs := &holdingObserver{}
	srv := startParleyWith(t, "", func(cfg *app.Config) {
		cfg.Chat.Observer = obs
		cfg.Chat.MessageRateLimit = 0
	})
	t.Cleanup(obs.release) // before the server stops: no writer stays held

	alice := newBrowser(t, "A").open("Alice (A)", srv.URL(), "/")
	frames := &frameWatch{}
	if err := chromedp.Listen(alice.ctx, frames.listen); err != nil {
		t.Fatal(err)
	}
	alice.register("Alice")
	alice.waitUsers("1 user online", waitLive)

	bob := newHTTPUser(t, srv.URL())
	bob.register("Bob")
	bobSocket := dialChat(t, srv.direct(), srv.URL(), bob.cookieHeader(), -1)
	alice.waitUsers("2 users online", waitLive)

	// Alice's writer is held after its next frame: Bob's first message
	// goes out alone, the others queue behind it.
	const burst = 6
	obs.hold()
	var want []string
	for i := range burst {
		text := fmt.Sprintf("burst message %d", i+1)
		want = append(want, "Bob: "+text)
		bobSocket.send(text)
	}
	deadline := time.Now().Add(waitLive)
	for obs.stored.Load() < burst {
		if time.Now().After(deadline) {
			t.Fatalf("the server stored %d of %d messages", obs.stored.Load(), burst)
		}
		time.Sleep(pollInterval)
	}
	obs.release()

	s := alice.waitFor("show the whole burst", waitLive, func(s pageState) bool { return len(s.Messages) >= burst })
	if got := s.texts(); !slices.Equal(got, want) {
		t.Errorf("Alice shows\n%q\nwant, once each and in order,\n%q", got, want)
	}
	checkMessages(t, alice.name, s)
	counts := frames.seen()
	total, batched := 0, 0
	for _, n := range counts {
		total += n
		batched = max(batched, n)
	}
	if total != burst || len(counts) >= burst || batched < 2 {
		t.Errorf("the %d messages came in websocket messages of %v fragments each; want fewer websocket messages than chat messages, one of them with several",
			burst, counts)
	}
	if strings.Contains(srv.log.String(), "dropping slow socket") {
		t.Errorf("a socket was dropped:\n%s", srv.log.String())
	}
}
