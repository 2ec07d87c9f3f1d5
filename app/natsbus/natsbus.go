// Package natsbus is Parley's NATS adapter: it carries the chat's events
// between instances (chat.Bus) as JSON on core NATS subjects.
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
// Every instance subscribes once, to PREFIX.>, so that it receives each
// other instance's events in the order that instance sent them.
package natsbus

import (
	"encoding/json"
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
	b := &Bus{prefix: opts.Prefix, log: opts.Log, obs: opts.Observer, assembling: make(map[string]*assembly)}
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
	subject, data, err := b.encode(e)
	if err != nil {
		return err
	}
	if max := b.nc.MaxPayload(); max > 0 && int64(len(data)) > max {
		if e.Kind == chat.EventSnapshot {
			return b.sendInParts(e, max)
		}
		return fmt.Errorf("natsbus: %s: %d bytes, over the server's max_payload of %d", subject, len(data), max)
	}
	return b.publish(subject, data)
}

func (b *Bus) publish(subject string, data []byte) error {
	if err := b.nc.Publish(subject, data); err != nil {
		return fmt.Errorf("natsbus: publish %s: %w", subject, err)
	}
	b.obs.NATSMessageSent()
	return nil
}

// Wire formats: JSON, one object per NATS message.

type wireUser struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Provider string `json:"provider,omitempty"`
	Avatar   string `json:"avatar,omitempty"`
	Admin    bool   `json:"admin,omitempty"`
}

type wireMessage struct {
	ID             int64     `json:"id"`
	RoomID         int64     `json:"room_id"`
	UserID         int64     `json:"user_id"`
	AuthorName     string    `json:"author_name"`
	AuthorProvider string    `json:"author_provider,omitempty"`
	AuthorAdmin    bool      `json:"author_admin,omitempty"`
	Text           string    `json:"text"`
	CreatedAt      time.Time `json:"created_at"`
}

// wireEvent is every event's body; each kind uses some of the fields.
type wireEvent struct {
	From    string               `json:"from"`
	Message *wireMessage         `json:"message,omitempty"`
	User    *wireUser            `json:"user,omitempty"`
	Rooms   map[int64][]wireUser `json:"rooms,omitempty"`
	Session string               `json:"session,omitempty"`
	UserID  int64                `json:"user_id,omitempty"`
	// MessageID is the deleted message of a remove.
	MessageID int64 `json:"message_id,omitempty"`
	// Part places a snapshotpart among the parts of its snapshot.
	Part *wirePart `json:"part,omitempty"`
}

func toWire(u parley.User) wireUser {
	return wireUser{ID: u.ID, Name: u.DisplayName, Provider: u.Provider, Avatar: u.AvatarURL, Admin: u.Admin}
}

func fromWire(u wireUser) parley.User {
	return parley.User{ID: u.ID, DisplayName: u.Name, Provider: u.Provider, AvatarURL: u.Avatar, Admin: u.Admin}
}

// encode gives an event's subject and body.
func (b *Bus) encode(e chat.Event) (string, []byte, error) {
	w := wireEvent{From: e.From}
	var subject string
	room := func(kind string) string {
		return b.prefix + ".room." + strconv.FormatInt(e.RoomID, 10) + "." + kind
	}
	instance := func(kind string) string { return b.prefix + ".instance." + e.From + "." + kind }
	switch e.Kind {
	case chat.EventMessage:
		m := e.Message
		subject = b.prefix + ".room." + strconv.FormatInt(m.RoomID, 10) + ".msg"
		w.Message = &wireMessage{ID: m.ID, RoomID: m.RoomID, UserID: m.UserID, AuthorName: m.AuthorName,
			AuthorProvider: m.AuthorProvider, AuthorAdmin: m.AuthorAdmin, Text: m.Text, CreatedAt: m.CreatedAt}
	case chat.EventJoin, chat.EventLeave:
		subject = room("join")
		if e.Kind == chat.EventLeave {
			subject = room("leave")
		}
		u := toWire(e.Member)
		w.User = &u
	case chat.EventSnapshot:
		subject = instance("snapshot")
		w.Rooms = toWireRooms(e.Rooms)
	case chat.EventHeartbeat:
		subject = instance("heartbeat")
	case chat.EventGoodbye:
		subject = instance("goodbye")
	case chat.EventRemove:
		subject = room("remove")
		w.MessageID = e.Message.ID
	case chat.EventClose:
		subject = b.prefix + ".sockets.close"
		w.Session, w.UserID = e.SessionKey, e.UserID
	default:
		return "", nil, fmt.Errorf("natsbus: unknown event kind %d", e.Kind)
	}
	data, err := json.Marshal(w)
	if err != nil {
		return "", nil, fmt.Errorf("natsbus: encode %s: %w", subject, err)
	}
	return subject, data, nil
}

// errUnknownSubject is a subject under the prefix that this version does
// not know; a newer instance may send it during a rolling deploy.
var errUnknownSubject = errors.New("unknown subject")

// decode turns a NATS message back into an event.
func (b *Bus) decode(subject string, data []byte) (chat.Event, error) {
	var w wireEvent
	if err := json.Unmarshal(data, &w); err != nil {
		return chat.Event{}, err
	}
	e := chat.Event{From: w.From}
	tokens := strings.Split(strings.TrimPrefix(subject, b.prefix+"."), ".")
	switch {
	case len(tokens) == 3 && tokens[0] == "room":
		roomID, err := strconv.ParseInt(tokens[1], 10, 64)
		if err != nil {
			return chat.Event{}, fmt.Errorf("room id: %w", err)
		}
		e.RoomID = roomID
		switch tokens[2] {
		case "msg":
			if w.Message == nil {
				return chat.Event{}, errors.New("no message")
			}
			m := w.Message
			e.Kind = chat.EventMessage
			e.Message = parley.Message{ID: m.ID, RoomID: roomID, UserID: m.UserID, AuthorName: m.AuthorName,
				AuthorProvider: m.AuthorProvider, AuthorAdmin: m.AuthorAdmin, Text: m.Text, CreatedAt: m.CreatedAt}
		case "join", "leave":
			if w.User == nil {
				return chat.Event{}, errors.New("no user")
			}
			e.Kind = chat.EventJoin
			if tokens[2] == "leave" {
				e.Kind = chat.EventLeave
			}
			e.Member = fromWire(*w.User)
		case "remove":
			if w.MessageID == 0 {
				return chat.Event{}, errors.New("no message id")
			}
			e.Kind = chat.EventRemove
			e.Message = parley.Message{ID: w.MessageID, RoomID: roomID}
		default:
			return chat.Event{}, errUnknownSubject
		}
	case len(tokens) == 3 && tokens[0] == "instance":
		e.From = tokens[1] // the subject names the sender
		switch tokens[2] {
		case "snapshot":
			e.Kind = chat.EventSnapshot
			e.Rooms = fromWireRooms(w.Rooms)
		case "heartbeat":
			e.Kind = chat.EventHeartbeat
		case "goodbye":
			e.Kind = chat.EventGoodbye
		default:
			return chat.Event{}, errUnknownSubject
		}
	case len(tokens) == 2 && tokens[0] == "sockets" && tokens[1] == "close":
		e.Kind, e.SessionKey, e.UserID = chat.EventClose, w.Session, w.UserID
	default:
		return chat.Event{}, errUnknownSubject
	}
	return e, nil
}

// receive runs on the subscription's goroutine, one message at a time.
func (b *Bus) receive(msg *nats.Msg) {
	b.obs.NATSMessageReceived()
	if from, ok := b.snapshotPartFrom(msg.Subject); ok {
		b.receivePart(from, msg.Data)
		return
	}
	e, err := b.decode(msg.Subject, msg.Data)
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
