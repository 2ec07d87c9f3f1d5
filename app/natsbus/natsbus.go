// Package natsbus is Parley's NATS adapter: it carries the chat's events
// between instances (chat.Bus) as JSON on core NATS subjects, each type
// of event body by its codec (codec.go).
//
// Subjects, under a prefix ("parley" by default):
//
//	PREFIX.room.ROOM_ID.msg          a stored message
//	PREFIX.room.ROOM_ID.join         a person's first socket of the room on an instance
//	PREFIX.room.ROOM_ID.leave        their last one closed
//	PREFIX.room.ROOM_ID.remove       a message was deleted
//	PREFIX.instance.ID.snapshot      everyone with a socket on that instance, by room
//	PREFIX.instance.ID.snapshotpart  one part of a snapshot too big for one message
//	PREFIX.instance.ID.heartbeat     that instance is alive
//	PREFIX.instance.ID.goodbye       that instance stops
//	PREFIX.sockets.close             close the sockets of a session or a person
//
// The last token names the type of body. An instance ignores a type it
// does not know (a newer instance's, during a rolling deploy), and logs
// it once per name. Every instance subscribes once, to PREFIX.>, so that
// it receives each other instance's events in the order that instance
// sent them.
package natsbus

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parleychat/parley/app/chat"
	"github.com/parleychat/parley/app/parley"
)

// DefaultPrefix is the first token of every subject.
const DefaultPrefix = "parley"

// Options configure Connect.
type Options struct {
	// URL is NATS_URL: one or more nats:// or tls:// URLs, comma-separated.
	URL string
	// Prefix is the first token(s) of every subject; DefaultPrefix when
	// empty. Deployments (or tests) that share a NATS server use their own.
	Prefix string
	// Name is the connection's name as the NATS server shows it.
	Name string
	// ReconnectWait is the pause between reconnect attempts; 1 s when 0.
	ReconnectWait time.Duration
	Log           *slog.Logger
	// Observer is told about the connection and the messages; nil: none.
	Observer Observer
}

// Observer is told about the bus, for metrics. Its methods run on nats.go's
// goroutines and must not block.
type Observer interface {
	// NATSConnected tells whether the connection is up: true once
	// connected and on each reconnect, false when it is lost.
	NATSConnected(up bool)
	// NATSMessageSent counts a message published to the other instances.
	NATSMessageSent()
	// NATSMessageReceived counts a message received from them.
	NATSMessageReceived()
}

type nopObserver struct{}

func (nopObserver) NATSConnected(bool)   {}
func (nopObserver) NATSMessageSent()     {}
func (nopObserver) NATSMessageReceived() {}

// Bus is a connection to NATS that implements chat.Bus.
type Bus struct {
	nc     *nats.Conn
	prefix string
	log    *slog.Logger
	obs    Observer

	mu      sync.Mutex
	handler chat.BusHandler
	sub     *nats.Subscription
	closed  bool

	// snapshotSeq numbers the snapshots sent in parts (Send's callers).
	snapshotSeq atomic.Uint64
	// assembling holds, per sending instance, the parts of its snapshot
	// received so far; only the subscription's goroutine touches it.
	assembling map[string]*assembly
	// unknown are the types of body received that this version does not
	// know, logged once each; only the subscription's goroutine touches it.
	unknown map[string]struct{}
}

var _ chat.Bus = (*Bus)(nil)

// Connect connects to NATS. It fails at once when no server answers;
// once connected, a lost connection is retried for ever.
func Connect(opts Options) (*Bus, error) {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.ReconnectWait == 0 {
		opts.ReconnectWait = time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Observer == nil {
		opts.Observer = nopObserver{}
	}
	b := &Bus{prefix: opts.Prefix, log: opts.Log, obs: opts.Observer, assembling: make(map[string]*assembly),
		unknown: make(map[string]struct{})}
	nc, err := nats.Connect(opts.URL,
		nats.Name(opts.Name),
		// Each instance shows its own messages and presence itself.
		nats.NoEcho(),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(opts.ReconnectWait),
		nats.Timeout(2*time.Second),
		// A silent, half-open connection is found within about 10 s.
		nats.PingInterval(5*time.Second),
		nats.MaxPingsOutstanding(2),
		nats.DisconnectErrHandler(b.disconnected),
		nats.ReconnectHandler(b.reconnected),
		nats.ErrorHandler(b.asyncError),
	)
	if err != nil {
		return nil, fmt.Errorf("natsbus: connect: %w", err)
	}
	b.nc = nc
	b.obs.NATSConnected(true)
	return b, nil
}

// Close ends the connection; the chat must have said its goodbye before.
func (b *Bus) Close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.nc.Close()
}

// Ping checks that the NATS server answers within timeout.
func (b *Bus) Ping(timeout time.Duration) error {
	if !b.nc.IsConnected() {
		return fmt.Errorf("natsbus: ping: %s", b.nc.Status())
	}
	if err := b.nc.FlushTimeout(timeout); err != nil {
		return fmt.Errorf("natsbus: ping: %w", err)
	}
	return nil
}

// Listen subscribes to every subject of the prefix and hands the events
// to h. It returns once the server has the subscription, so that nothing
// sent after it returns is missed.
func (b *Bus) Listen(h chat.BusHandler) error {
	b.mu.Lock()
	b.handler = h
	b.mu.Unlock()
	sub, err := b.nc.Subscribe(b.prefix+".>", b.receive)
	if err != nil {
		return fmt.Errorf("natsbus: subscribe: %w", err)
	}
	b.mu.Lock()
	b.sub = sub
	b.mu.Unlock()
	if err := b.nc.FlushTimeout(5 * time.Second); err != nil {
		return fmt.Errorf("natsbus: subscribe: %w", err)
	}
	return nil
}

// Flush waits until what was published has reached the server.
func (b *Bus) Flush(timeout time.Duration) error {
	if err := b.nc.FlushTimeout(timeout); err != nil {
		return fmt.Errorf("natsbus: flush: %w", err)
	}
	return nil
}

// Send publishes one event on its subject.
func (b *Bus) Send(e chat.Event) error {
	if e.Body == nil {
		return errors.New("natsbus: an event with no body")
	}
	c := codecs.byType[e.Body.TypeName()]
	if c == nil {
		return fmt.Errorf("natsbus: no codec for %q", e.Body.TypeName())
	}
	subject := b.subject(c, e)
	data, err := c.encode(e.From, e.Body)
	if err != nil {
		return fmt.Errorf("natsbus: encode %s: %w", subject, err)
	}
	if max := b.nc.MaxPayload(); max > 0 && int64(len(data)) > max {
		if s, ok := e.Body.(chat.Snapshot); ok {
			return b.sendInParts(e.From, s, max)
		}
		return fmt.Errorf("natsbus: %s: %d bytes, over the server's max_payload of %d", subject, len(data), max)
	}
	return b.publish(subject, data)
}

// subject is where an event goes: its codec's scope and name.
func (b *Bus) subject(c *codec, e chat.Event) string {
	switch c.scope {
	case inRoom:
		return b.prefix + ".room." + strconv.FormatInt(e.Body.(parley.Change).Room(), 10) + "." + c.name
	case ofInstance:
		return b.prefix + ".instance." + e.From + "." + c.name
	default:
		return b.prefix + "." + string(c.scope) + "." + c.name
	}
}

func (b *Bus) publish(subject string, data []byte) error {
	if err := b.nc.Publish(subject, data); err != nil {
		return fmt.Errorf("natsbus: publish %s: %w", subject, err)
	}
	b.obs.NATSMessageSent()
	return nil
}

// errUnknownSubject is a subject under the prefix of no shape this
// version knows.
var errUnknownSubject = errors.New("unknown subject")

// unknownTypeError is a subject of a known shape whose type of body this
// version does not know; a newer instance may send it during a rolling
// deploy.
type unknownTypeError struct{ key string }

func (e unknownTypeError) Error() string { return "unknown type " + e.key }

// decode turns a NATS message back into an event, by the codec its
// subject names.
func (b *Bus) decode(subject string, data []byte) (chat.Event, error) {
	tokens := strings.Split(strings.TrimPrefix(subject, b.prefix+"."), ".")
	var sc scope
	var name, sender string
	var roomID int64
	switch {
	case len(tokens) == 3 && tokens[0] == string(inRoom):
		id, err := strconv.ParseInt(tokens[1], 10, 64)
		if err != nil {
			return chat.Event{}, fmt.Errorf("room id: %w", err)
		}
		sc, roomID, name = inRoom, id, tokens[2]
	case len(tokens) == 3 && tokens[0] == string(ofInstance):
		sc, sender, name = ofInstance, tokens[1], tokens[2] // the subject names the sender
	case len(tokens) == 2 && tokens[0] == string(toSockets):
		sc, name = toSockets, tokens[1]
	default:
		return chat.Event{}, errUnknownSubject
	}
	c := codecs.byKey[string(sc)+"."+name]
	if c == nil {
		return chat.Event{}, unknownTypeError{key: string(sc) + "." + name}
	}
	from, body, err := c.decode(roomID, data)
	if err != nil {
		return chat.Event{}, err
	}
	if sender != "" {
		from = sender
	}
	return chat.Event{From: from, Body: body}, nil
}

// maxUnknown bounds the unknown types remembered, so that a sender of
// ever new names cannot grow the set: beyond it they are not logged.
const maxUnknown = 1000

// ignoreUnknown logs, the first time only, a type of body this version
// does not know. It runs on the subscription's goroutine.
func (b *Bus) ignoreUnknown(key, subject string) {
	if _, seen := b.unknown[key]; seen || len(b.unknown) >= maxUnknown {
		return
	}
	b.unknown[key] = struct{}{}
	b.log.Warn("natsbus: ignoring a type of message this version does not know; logged once per type",
		"type", key, "subject", subject)
}

// receive runs on the subscription's goroutine, one message at a time.
func (b *Bus) receive(msg *nats.Msg) {
	b.obs.NATSMessageReceived()
	if from, ok := b.snapshotPartFrom(msg.Subject); ok {
		b.receivePart(from, msg.Data)
		return
	}
	e, err := b.decode(msg.Subject, msg.Data)
	var unknown unknownTypeError
	if errors.As(err, &unknown) {
		b.ignoreUnknown(unknown.key, msg.Subject)
		return
	}
	if err != nil {
		b.log.Warn("natsbus: ignoring a message", "subject", msg.Subject, "err", err)
		return
	}
	if h := b.currentHandler(); h != nil {
		h.Receive(e)
	}
}

func (b *Bus) currentHandler() chat.BusHandler {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.handler
}

func (b *Bus) disconnected(_ *nats.Conn, err error) {
	b.obs.NATSConnected(false)
	b.mu.Lock()
	h, closed := b.handler, b.closed
	b.mu.Unlock()
	if closed || h == nil {
		return
	}
	if err == nil {
		err = errors.New("connection closed")
	}
	h.LinkDown(fmt.Errorf("natsbus: %w", err))
}

func (b *Bus) reconnected(nc *nats.Conn) {
	b.obs.NATSConnected(true)
	b.log.Info("natsbus: reconnected", "server", nc.ConnectedUrlRedacted())
	if h := b.currentHandler(); h != nil {
		h.LinkUp()
	}
}

func (b *Bus) asyncError(_ *nats.Conn, sub *nats.Subscription, err error) {
	subject := ""
	if sub != nil {
		subject = sub.Subject
	}
	b.log.Error("natsbus: asynchronous error", "subject", subject, "err", err)
}

// ConnectedURL is the server the bus is connected to, password hidden.
func (b *Bus) ConnectedURL() string { return b.nc.ConnectedUrlRedacted() }
