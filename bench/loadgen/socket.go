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
	index    int
	user     int
	room     int   // index into the run's rooms
	expected int64 // the count its room must end on in the connect storm
	conn     *websocket.Conn
	// stallAtTarget makes the reader stop reading for good once the socket
	// shows the storm's final count: a client that stops reading.
	stallAtTarget bool

	closing   chan struct{} // closed just before the generator closes conn
	closeOnce sync.Once

	count          atomic.Int64 // the last count shown; -1 before the first
	countChangedAt atomic.Int64 // when count last changed, in fleet clock nanoseconds
	frames         atomic.Int64
	payloadBytes   atomic.Int64
	noticeBytes    atomic.Int64 // of payloadBytes, the join and leave notices
	presenceFrames atomic.Int64 // frames that carried a #num-users fragment
	// closedByServer is set when the server ended the socket (rate mode
	// tolerates that: a dropped slow socket).
	closedByServer atomic.Bool
}

// place is where a socket belongs: its user and room, and the count its
// room must end on.
type place struct {
	user, room, expected int
}

func newSocket(index int, at place, conn *websocket.Conn, stallAtTarget bool) *socket {
	s := &socket{index: index, user: at.user, room: at.room, expected: int64(at.expected),
		conn: conn, stallAtTarget: stallAtTarget, closing: make(chan struct{})}
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

// fleet is what every socket's reader shares: a clock, the message being
// followed, the count of messages seen outside the sender's room, and the
// first unexpected failure.
type fleet struct {
	clock       time.Time
	tokenPrefix []byte // every message of the run carries it
	senderRoom  int
	probe       atomic.Pointer[probe]
	foreign     atomic.Int64 // frames with a message of the run outside senderRoom
	// rate follows the messages of rate mode while it runs.
	rate atomic.Pointer[rateTracker]
	// tolerateCloses makes a socket the server closes a count
	// (serverClosed), not a failure: rate mode counts the losses.
	tolerateCloses atomic.Bool
	serverClosed   atomic.Int64
	// countElement is the length of the last #num-users element seen.
	countElement atomic.Int64
	readers      sync.WaitGroup

	failureMu sync.Mutex
	failure   error
}

func newFleet(tokenPrefix string, senderRoom int) *fleet {
	return &fleet{clock: time.Now(), tokenPrefix: []byte(tokenPrefix), senderRoom: senderRoom}
}

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

// noteMessage looks for the run's messages in a frame s received: in the
// sender's room, the first arrival of the followed message; elsewhere, a
// foreign delivery, whichever message it is. It returns the sequence number
// of the last message s has counted.
func (f *fleet) noteMessage(s *socket, frame []byte, now, lastProbe int64) int64 {
	if !bytes.Contains(frame, f.tokenPrefix) {
		return lastProbe
	}
	if t := f.rate.Load(); t != nil && s.room == f.senderRoom {
		t.note(frame, now)
		return lastProbe
	}
	if s.room != f.senderRoom {
		f.foreign.Add(1)
		return lastProbe
	}
	if p := f.probe.Load(); p != nil && p.seq > lastProbe && bytes.Contains(frame, p.token) {
		p.arrive(now)
		return p.seq
	}
	return lastProbe
}

// read reads frames until the connection ends, recording counts, frames,
// bytes and probe arrivals. A connection that ends before the generator
// closed it is a failure.
func (f *fleet) read(s *socket) {
	s.conn.SetReadLimit(maxFrameBytes)
	var lastProbe int64
	for {
		buf := framePool.Get().(*bytes.Buffer)
		err := readFrame(s.conn, buf)
		if err != nil {
			framePool.Put(buf)
			if !s.isClosing() {
				s.closedByServer.Store(true)
			}
			if !s.isClosing() && f.tolerateCloses.Load() {
				f.serverClosed.Add(1)
			} else if !s.isClosing() {
				f.fail(fmt.Errorf("socket %d closed by the server: %w", s.index, err))
			}
			return
		}
		lastProbe = f.record(s, buf.Bytes(), lastProbe)
		framePool.Put(buf)
		if s.stallAtTarget && s.count.Load() == s.expected {
			<-s.closing
			return
		}
	}
}

// record counts one frame s received and what it shows. It returns the
// sequence number of the last message s has counted.
func (f *fleet) record(s *socket, frame []byte, lastProbe int64) int64 {
	now := f.now()
	s.frames.Add(1)
	s.payloadBytes.Add(int64(len(frame)))
	if n := noticeLength(frame); n > 0 {
		s.noticeBytes.Add(int64(n))
	}
	if count, ok := parseCount(frame); ok {
		s.presenceFrames.Add(1)
		if n := countElementLength(frame); n > 0 {
			f.countElement.Store(int64(n))
		}
		if s.count.Swap(int64(count)) != int64(count) {
			s.countChangedAt.Store(now)
		}
	}
	return f.noteMessage(s, frame, now, lastProbe)
}

// framePool holds the buffers readers read frames into: presence frames
// run to kilobytes, and 10,000 sockets read each one.
var framePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readFrame reads the next message of conn into buf, which it empties
// first.
func readFrame(conn *websocket.Conn, buf *bytes.Buffer) error {
	buf.Reset()
	_, r, err := conn.NextReader()
	if err != nil {
		return err
	}
	if _, err := buf.ReadFrom(r); err != nil {
		return fmt.Errorf("read frame: %w", err)
	}
	return nil
}
