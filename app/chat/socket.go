package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"time"
	"unicode/utf8"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app/chat/outbox"
	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// Open opens a socket in its room: it loads the room's history,
// registers the socket and writes its catch-up, then hands the socket to
// a goroutine of its own that reads it until it closes. conn belongs to
// the chat from the call on: Open closes it when it fails, the socket's
// goroutine when it ends, and ended is closed after that.
//
// The caller's goroutine may end as soon as Open returns: one goroutine
// per idle socket, with a stack no deeper than a read needs, is what the
// chat keeps.
func (r *Rooms) Open(conn Conn, p Peer) (ended <-chan struct{}, err error) {
	r.sockets.Add(1)
	lr := r.cache.acquire(p.Room)
	c, err := r.open(conn, p, lr)
	if c == nil {
		r.cache.release(lr)
		r.sockets.Done()
		_ = conn.Close()
		return nil, err
	}
	r.cfg.Observer.SocketOpened()
	if err != nil {
		r.log.Warn("chat: catch up", "user_id", c.user.ID, "room", p.Room.Name, "err", err)
		outbox.WriteClose(conn, r.cfg.writerConfig(), websocket.CloseInternalServerErr)
		r.cfg.Observer.SocketClosed()
		r.unregister(c)
		r.cache.release(lr)
		r.sockets.Done()
		_ = conn.Close()
		return nil, err
	}
	done := make(chan struct{})
	go r.run(conn, c, lr, done)
	return done, nil
}

// Serve is Open, and waits until the socket has closed.
func (r *Rooms) Serve(conn Conn, p Peer) error {
	ended, err := r.Open(conn, p)
	if err != nil {
		return err
	}
	<-ended
	return nil
}

// run is the socket's goroutine: it reads the socket until it closes,
// then takes it out of its room. A writer runs only while the socket has
// something to write.
func (r *Rooms) run(conn Conn, c *client, lr *cachedRoom, done chan struct{}) {
	defer close(done)
	defer r.sockets.Done()
	defer r.cache.release(lr)
	defer r.cfg.Observer.SocketClosed()
	defer r.unregister(c)
	defer c.Finish()
	defer r.endSocket(c)
	c.Start()
	r.readLoop(conn, c)
}

// endSocket logs a socket's end; one whose goroutine panicked is ended
// like any other, as the websocket handler would have, without taking
// the process down.
func (r *Rooms) endSocket(c *client) {
	if p := recover(); p != nil {
		r.log.Error("chat: socket panicked", "user_id", c.user.ID, "room", c.room.room.Name, "panic", p)
		return
	}
	r.log.Debug("chat: socket closed", "user_id", c.user.ID, "room", c.room.room.Name)
}

// aside runs fn on a goroutine of its own and waits for it. A socket's
// reader lives as long as the socket, and a parked goroutine keeps the
// stack it once grew to (the collector only halves a stack that uses less
// than a quarter of it): the store, the templates and the JSON decoder
// need deep stacks, so they run aside, and 10,000 idle readers hold small
// stacks instead of the deepest each ever needed. A panic in fn goes on
// in the caller, with fn's stack, as if fn had run there.
func aside(fn func()) {
	var panicked any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				panicked = fmt.Sprintf("%v\n\n%s", p, debug.Stack())
			}
		}()
		fn()
	}()
	<-done
	if panicked != nil {
		panic(panicked)
	}
}

// open loads the room's history, registers the socket with the hub and
// writes the catch-up. It returns a nil client when the socket never
// joined, and the client with an error when the catch-up failed.
func (r *Rooms) open(conn Conn, p Peer, lr *cachedRoom) (*client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), parley.StoreTimeout)
	err := lr.history.load(ctx, r.store, p.Room.ID)
	cancel()
	if err != nil {
		r.log.Error("chat: serve", "user_id", p.User.ID, "room", p.Room.Name, "err", err)
		outbox.WriteClose(conn, r.cfg.writerConfig(), websocket.CloseInternalServerErr)
		return nil, err
	}

	c := newClient(p, lr, conn, &r.cfg)
	// Register before reading the history, so that no message falls between
	// the two: one added before the read is in it, one after reaches the
	// queue, and the writer skips what the catch-up already showed.
	select {
	case r.hub.register <- c:
	case <-r.hub.done:
		outbox.WriteClose(conn, r.cfg.writerConfig(), closeRestart)
		return nil, ErrClosed
	}
	return c, r.catchUp(conn, c, p.ShownThrough)
}

func (r *Rooms) unregister(c *client) {
	select {
	case r.hub.unregister <- c:
	case <-r.hub.done:
	}
}

// catchUp makes the page show the last messages. When the page already
// shows the newest one (the usual first connect) nothing is sent; after a
// reconnect the whole list is replaced, so nothing shows twice.
func (r *Rooms) catchUp(conn Conn, c *client, shownThrough int64) error {
	frame, caughtUp, err := c.room.history.since(shownThrough, c.room.room, r.render, c.user, c.locale)
	if err != nil {
		return err
	}
	c.SetCaughtUp(caughtUp)
	if frame == nil {
		return nil
	}
	// No writer starts before c.start: this goroutine is the only writer.
	return outbox.Write(conn, r.cfg.writerConfig(), frame)
}

// readLoop reads the socket's frames until it fails or closes. A socket
// that sends nothing, not even a pong, for PongWait is taken for gone.
func (r *Rooms) readLoop(conn Conn, c *client) {
	conn.SetReadLimit(r.cfg.MaxFrameBytes)
	extend := func(string) error { return conn.SetReadDeadline(time.Now().Add(r.cfg.PongWait)) }
	_ = extend("")
	conn.SetPongHandler(extend)
	for {
		kind, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		_ = extend("")
		aside(func() { r.handleFrame(c, kind, data) })
	}
}

// sentForm is what htmx's ws-send sends for the chat form; HEADERS and
// any other fields are ignored.
type sentForm struct {
	Message *string `json:"message"`
}

// handleFrame acts on one frame from a socket: it reads the chat form
// and sends its message (Send), answering the sender alone with a fresh
// form or the reason it was refused.
func (r *Rooms) handleFrame(c *client, kind int, data []byte) {
	if kind != websocket.TextMessage {
		c.Reply(r.repliesFor(c).binary)
		return
	}
	// A text frame must be UTF-8 (RFC 6455); json.Unmarshal would quietly
	// turn bad bytes into U+FFFD and store what was never sent.
	var form sentForm
	if !utf8.Valid(data) || json.Unmarshal(data, &form) != nil || form.Message == nil {
		c.Reply(r.repliesFor(c).unreadable)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), parley.StoreTimeout)
	defer cancel()
	_, err := r.Send(ctx, c.user, c.access, c.room.room, *form.Message)
	if pm := r.answer(c, err); pm != nil {
		c.Reply(pm)
	}
}

// answer is the reply to the sender of a message Send took (a fresh
// form) or refused (why), or nil for none.
func (r *Rooms) answer(c *client, err error) *outbox.Fragment {
	reps := r.repliesFor(c)
	var muted *MutedError
	switch {
	case err == nil:
		return reps.form
	case errors.Is(err, ErrEmpty):
		return nil
	case errors.Is(err, parley.ErrMessageTooLong):
		return reps.tooLong
	case errors.As(err, &muted):
		if pm := r.hub.prepare(r.render.Error(c.locale.Lang, mutedText(c.locale, muted.Until, time.Now()))); pm != nil {
			return pm
		}
		return reps.saveFailed
	case errors.Is(err, ErrTooFast):
		return reps.tooFast
	case errors.Is(err, ErrMayNotPost):
		return reps.mayNotPost
	case errors.Is(err, parley.ErrMessageEncoding):
		return reps.unreadable
	}
	r.log.Error("chat: send message", "user_id", c.user.ID, "room", c.room.room.Name, "err", err)
	return reps.saveFailed
}

// mutedText tells a muted person when they may send again, in their
// language and time zone: the time of day when that is within a day, else
// the date as well.
func mutedText(loc i18n.Locale, until, now time.Time) string {
	until = until.In(loc.Location())
	// A mute ends at the start of a minute or within it: round up, so
	// that "until 15:05" is never early.
	shown := until.Truncate(time.Minute)
	if shown.Before(until) {
		shown = shown.Add(time.Minute)
	}
	zone := shown.Format("MST")
	if shown.Sub(now) < 24*time.Hour {
		return loc.T("You are muted until %s %s.", loc.Clock(shown), zone)
	}
	return loc.T("You are muted until %s %s on %s.", loc.Clock(shown), zone, loc.Date(shown))
}

// replies are the fragments that go to one socket, rendered once.
type replies struct {
	form, tooLong, tooFast, unreadable, binary, saveFailed, mayNotPost *outbox.Fragment
}

func (r *Rooms) prepareReplies() error {
	r.replies = make(map[i18n.Lang]replies, len(i18n.Langs))
	for _, lang := range i18n.Langs {
		reps, err := r.prepareRepliesIn(lang)
		if err != nil {
			return err
		}
		r.replies[lang] = reps
	}
	return nil
}

// repliesFor are the one-socket fragments in the socket's language.
func (r *Rooms) repliesFor(c *client) replies {
	if reps, ok := r.replies[c.locale.Lang]; ok {
		return reps
	}
	return r.replies[i18n.English]
}

func (r *Rooms) prepareRepliesIn(lang i18n.Lang) (replies, error) {
	var err error
	prepare := func(html []byte, renderErr error) *outbox.Fragment {
		if err != nil {
			return nil
		}
		if err = renderErr; err != nil {
			return nil
		}
		pm, prepErr := outbox.NewFragment(html)
		err = prepErr
		return pm
	}
	reps := replies{
		form:       prepare(r.render.ChatForm(lang)),
		tooLong:    prepare(r.render.Error(lang, parley.ErrMessageTooLong.Error())),
		tooFast:    prepare(r.render.Error(lang, i18n.Msg("You are sending messages too fast. Wait a few seconds and try again."))),
		unreadable: prepare(r.render.Error(lang, i18n.Msg("That message could not be read. Please send it again."))),
		binary:     prepare(r.render.Error(lang, i18n.Msg("Only text messages are supported."))),
		saveFailed: prepare(r.render.Error(lang, i18n.Msg("Your message could not be saved. Please try again."))),
		mayNotPost: prepare(r.render.Error(lang, i18n.Msg("You cannot send messages in this room."))),
	}
	if err != nil {
		return replies{}, fmt.Errorf("chat: render replies in %s: %w", lang, err)
	}
	return reps, nil
}
