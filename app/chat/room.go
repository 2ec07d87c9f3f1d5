// Package chat is Parley's live room: it owns the open sockets, presence
// ("N users online", join and leave notices), and the way a message goes
// from one socket to all of them. It knows no HTTP and no SQL: sockets come
// in as Conn, storage as MessageStore, HTML as a Renderer.
package chat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/ratelimit"
)

// storeTimeout bounds each database call made for a socket.
const storeTimeout = 5 * time.Second

// ErrClosed is returned by Serve once the room has shut down.
var ErrClosed = errors.New("chat: room closed")

// MessageStore is the storage the room needs.
type MessageStore interface {
	CreateMessage(ctx context.Context, userID int64, text string) (parley.Message, error)
	RecentMessages(ctx context.Context, limit int) ([]parley.Message, error)
}

// Peer is who is behind a new socket.
type Peer struct {
	User parley.User
	// SessionKey identifies the sign-in session, so that signing out can
	// close the session's sockets.
	SessionKey string
	// ShownThrough is the ID of the newest message the page already shows,
	// or -1 when unknown; the socket catches up from there.
	ShownThrough int64
}

// Room is the chat room. Create it with NewRoom, serve each socket with
// Serve, and end it with Close.
type Room struct {
	cfg     Config
	store   MessageStore
	render  Renderer
	log     *slog.Logger
	limiter *ratelimit.Limiter[int64]
	hub     *hub
	history history

	// postMu keeps storing and broadcasting in one order, so every socket
	// sees messages in ID order.
	postMu    sync.Mutex
	sockets   sync.WaitGroup
	closeOnce sync.Once
	replies   replies
}

// replies are the fragments that go to one socket, rendered once.
type replies struct {
	form, tooLong, tooFast, unreadable, binary, saveFailed *websocket.PreparedMessage
}

// NewRoom loads the last messages and starts a room; Close ends it.
func NewRoom(ctx context.Context, cfg Config, store MessageStore, render Renderer, log *slog.Logger) (*Room, error) {
	r := &Room{
		cfg:     cfg,
		store:   store,
		render:  render,
		log:     log,
		limiter: ratelimit.New[int64](cfg.MessageRateLimit, cfg.MessageRateWindow),
		hub:     newHub(cfg, render, log),
	}
	if err := r.prepareReplies(); err != nil {
		return nil, err
	}
	msgs, err := store.RecentMessages(ctx, parley.HistorySize)
	if err != nil {
		return nil, fmt.Errorf("chat: load history: %w", err)
	}
	for _, m := range msgs {
		r.history.add(m)
	}
	go r.hub.run()
	return r, nil
}

func (r *Room) prepareReplies() error {
	var err error
	prepare := func(html []byte, renderErr error) *websocket.PreparedMessage {
		if err != nil {
			return nil
		}
		if err = renderErr; err != nil {
			return nil
		}
		pm, prepErr := websocket.NewPreparedMessage(websocket.TextMessage, html)
		err = prepErr
		return pm
	}
	r.replies = replies{
		form:       prepare(r.render.ChatForm()),
		tooLong:    prepare(r.render.Error(parley.ErrMessageTooLong.Error())),
		tooFast:    prepare(r.render.Error("You are sending messages too fast. Wait a few seconds and try again.")),
		unreadable: prepare(r.render.Error("That message could not be read. Please send it again.")),
		binary:     prepare(r.render.Error("Only text messages are supported.")),
		saveFailed: prepare(r.render.Error("Your message could not be saved. Please try again.")),
	}
	if err != nil {
		return fmt.Errorf("chat: render replies: %w", err)
	}
	return nil
}

// Close tells every socket to reconnect later (close code 1012) and waits
// until they have all gone, or ctx ends.
func (r *Room) Close(ctx context.Context) error {
	r.closeOnce.Do(func() { close(r.hub.stop) })
	<-r.hub.done
	gone := make(chan struct{})
	go func() {
		r.sockets.Wait()
		close(gone)
	}()
	select {
	case <-gone:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("chat: close: sockets still open: %w", ctx.Err())
	}
}

// Recent returns the last messages, oldest first, as a page shows them.
func (r *Room) Recent() []parley.Message { return r.history.recent() }

// Online returns how many people have at least one open socket.
func (r *Room) Online() int { return int(r.hub.onlineNow.Load()) }

// OnlineWith returns how many people are online once userID is too: what a
// chat page about to open its socket should show.
func (r *Room) OnlineWith(userID int64) int {
	q := countQuery{userID: userID, reply: make(chan int, 1)}
	select {
	case r.hub.countWith <- q:
		return <-q.reply
	case <-r.hub.done:
		return r.Online()
	}
}

// EndSession closes every socket of a session that has signed out.
func (r *Room) EndSession(sessionKey string) {
	select {
	case r.hub.endSession <- sessionKey:
	case <-r.hub.done:
	}
}

// Publish adds an already stored message to the room's history and sends
// it to every socket. post calls it for messages sent here; a message that
// another instance stored would arrive the same way.
func (r *Room) Publish(m parley.Message) {
	r.history.add(m)
	pm := r.hub.prepare(r.render.Message(m))
	if pm == nil {
		return
	}
	select {
	case r.hub.broadcast <- frame{pm: pm, messageID: m.ID}:
	case <-r.hub.done:
	}
}
