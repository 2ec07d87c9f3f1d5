package main

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// Socket timing and limits on the generator's side.
const (
	closeWait     = time.Second     // longest a close frame may take to write
	sendWait      = 5 * time.Second // longest a chat message may take to write
	maxFrameBytes = 1 << 20         // frames may batch many fragments (a catch-up, say)
)

// socket is one of the generator's websockets. Its reader goroutine owns
// the connection's read side and publishes what it saw through atomics.
type socket struct {
	index int
	user  int
	conn  *websocket.Conn
	// stallAtTarget makes the reader stop reading for good once the socket
	// shows the storm's final count: a client that stops reading.
	stallAtTarget bool

	closing   chan struct{} // closed just before the generator closes conn
	closeOnce sync.Once

	count          atomic.Int64 // the last count shown; -1 before the first
	countChangedAt atomic.Int64 // when count last changed, in fleet clock nanoseconds
	frames         atomic.Int64
	payloadBytes   atomic.Int64
	presenceFrames atomic.Int64 // frames that carried a #num-users fragment
}

func newSocket(index, user int, conn *websocket.Conn, stallAtTarget bool) *socket {
	s := &socket{index: index, user: user, conn: conn, stallAtTarget: stallAtTarget,
		closing: make(chan struct{})}
	s.count.Store(-1)
	return s
}

// close sends a normal close frame and closes the connection; the reader
// then ends without reporting a failure. Only the first call has an effect.
func (s *socket) close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
		_ = s.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeWait))
		_ = s.conn.Close()
	})
}

func (s *socket) isClosing() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

// send writes one text frame. Only the run's own goroutine sends.
func (s *socket) send(data []byte) error {
	if err := s.conn.SetWriteDeadline(time.Now().Add(sendWait)); err != nil {
		return fmt.Errorf("socket %d: set write deadline: %w", s.index, err)
	}
	if err := s.conn.WriteMessage(websocket.TextMessage, data); err != nil {
		return fmt.Errorf("socket %d: write: %w", s.index, err)
	}
	return nil
}

// probe follows one chat message from its send until every reading
// socket has received it.
type probe struct {
	seq       int64  // increases with every message of a run
	token     []byte // unique text the message carries
	remaining atomic.Int64
	arrivals  atomic.Int64
	arrivedAt atomic.Int64 // fleet clock nanoseconds when the last socket got it
	done      chan struct{}
}

func newProbe(seq int64, token string, receivers int) *probe {
	p := &probe{seq: seq, token: []byte(token), done: make(chan struct{})}
	p.remaining.Store(int64(receivers))
	return p
}

// arrive records that one more socket received the message.
func (p *probe) arrive(now int64) {
	p.arrivals.Add(1)
	if p.remaining.Add(-1) == 0 {
		p.arrivedAt.Store(now)
		close(p.done)
	}
}

// fleet is what every socket's reader shares: a clock, the storm's final
// count, the message being followed, and the first unexpected failure.
type fleet struct {
	clock   time.Time
	target  atomic.Int64
	probe   atomic.Pointer[probe]
	readers sync.WaitGroup

	failureMu sync.Mutex
	failure   error
}

func newFleet() *fleet { return &fleet{clock: time.Now()} }

// now returns the fleet clock: monotonic nanoseconds since the fleet began.
func (f *fleet) now() int64 { return int64(time.Since(f.clock)) }

// fail records err if it is the first failure.
func (f *fleet) fail(err error) {
	f.failureMu.Lock()
	defer f.failureMu.Unlock()
	if f.failure == nil {
		f.failure = err
	}
}

// err returns the first failure, if any.
func (f *fleet) err() error {
	f.failureMu.Lock()
	defer f.failureMu.Unlock()
	return f.failure
}

// startReader runs s's reader in a goroutine that readers.Wait joins.
func (f *fleet) startReader(s *socket) {
	f.readers.Add(1)
	go func() {
		defer f.readers.Done()
		f.read(s)
	}()
}

// read reads frames until the connection ends, recording counts, frames,
// bytes and probe arrivals. A connection that ends before the generator
// closed it is a failure.
func (f *fleet) read(s *socket) {
	s.conn.SetReadLimit(maxFrameBytes)
	var lastProbe int64
	for {
		_, frame, err := s.conn.ReadMessage()
		if err != nil {
			if !s.isClosing() {
				f.fail(fmt.Errorf("socket %d closed by the server: %w", s.index, err))
			}
			return
		}
		now := f.now()
		s.frames.Add(1)
		s.payloadBytes.Add(int64(len(frame)))
		if count, ok := parseCount(frame); ok {
			s.presenceFrames.Add(1)
			if s.count.Swap(int64(count)) != int64(count) {
				s.countChangedAt.Store(now)
			}
		}
		if p := f.probe.Load(); p != nil && p.seq > lastProbe && bytes.Contains(frame, p.token) {
			lastProbe = p.seq
			p.arrive(now)
		}
		if s.stallAtTarget && s.count.Load() == f.target.Load() {
			<-s.closing
			return
		}
	}
}
