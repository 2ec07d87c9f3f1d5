// Package chat is Parley's live side of every room: it owns the open
// sockets, presence ("N users online", who is online, join and leave
// notices), and the way a message goes from one socket to all the sockets
// of its room. It knows no HTTP and no SQL: sockets come in as Conn,
// storage as Store, HTML as a Renderer.
package chat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/app/chat/outbox"
	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/ratelimit"
)

// ErrClosed is returned by Serve once the chat has shut down.
var ErrClosed = errors.New("chat: closed")

// Store is the part of the store the chat calls: parley.Store
// implements it, and so can a test's fake.
type Store interface {
	// RoomByName finds the room a socket asks for, or returns an error
	// that wraps parley.ErrNotFound.
	RoomByName(ctx context.Context, name string) (parley.Room, error)
	// CreateMessage stores a message sent on a socket and returns it with
	// its ID and time.
	CreateMessage(ctx context.Context, roomID, userID int64, text string) (parley.Message, error)
	// MessagesBefore returns the newest limit messages of a room whose IDs
	// are below before (0: no bound), oldest first.
	MessagesBefore(ctx context.Context, roomID, before int64, limit int) ([]parley.Message, error)
	// MessageByID returns one stored message, or an error that wraps
	// parley.ErrNotFound once it has been deleted.
	MessageByID(ctx context.Context, id int64) (parley.Message, error)
	// MutedUntil is when the user's mute ends; the zero time when they are
	// not muted.
	MutedUntil(ctx context.Context, userID int64) (time.Time, error)
}

// Peer is who is behind a new socket, and where.
type Peer struct {
	User parley.User
	Room parley.Room
	// Access is what User may do in Room (parley.RoomAccess), decided once
	// for the socket by whoever lets it in.
	Access parley.Access
	// SessionKey identifies the sign-in session, so that signing out can
	// close the session's sockets.
	SessionKey string
	// ShownThrough is the ID of the newest message the page already shows,
	// or -1 when unknown; the socket catches up from there.
	ShownThrough int64
	// Locale is the language and time zone of the page; the zero Locale
	// is English and UTC.
	Locale i18n.Locale
}

// Rooms is the live side of every room. Create it with New, serve each
// socket with Serve, and end it with Close.
type Rooms struct {
	cfg     Config
	store   Store
	render  Renderer
	log     *slog.Logger
	limiter *ratelimit.Limiter[int64]
	hub     *hub
	cache   *roomCache
	// replies are the fragments for one socket, in each language.
	replies map[i18n.Lang]replies
	// link links the chat to other instances; nil when it runs alone.
	link atomic.Pointer[link]

	sockets      sync.WaitGroup
	closeOnce    sync.Once
	stopSweeping chan struct{}
	sweeperDone  chan struct{}
}

// New starts the chat; Close ends it.
func New(cfg Config, store Store, render Renderer, log *slog.Logger) (*Rooms, error) {
	if cfg.Observer == nil {
		cfg.Observer = NopObserver{}
	}
	r := &Rooms{
		cfg:          cfg,
		store:        store,
		render:       render,
		log:          log,
		limiter:      ratelimit.New[int64](cfg.MessageRateLimit, cfg.MessageRateWindow),
		hub:          newHub(cfg, render, log),
		cache:        newRoomCache(),
		stopSweeping: make(chan struct{}),
		sweeperDone:  make(chan struct{}),
	}
	if err := r.prepareReplies(); err != nil {
		return nil, err
	}
	go r.hub.run()
	go r.sweep()
	return r, nil
}

// sweep forgets, now and then, the last messages of rooms nobody uses.
func (r *Rooms) sweep() {
	defer close(r.sweeperDone)
	tick := time.NewTicker(max(r.cfg.HistoryIdle/2, time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			r.cache.sweep(r.cfg.HistoryIdle)
		case <-r.stopSweeping:
			return
		}
	}
}

// Close tells every socket to reconnect later (close code 1012) and waits
// until they have all gone, or ctx ends.
func (r *Rooms) Close(ctx context.Context) error {
	r.closeOnce.Do(func() {
		r.link.Load().leave() // others drop our people before our sockets close
		close(r.hub.stop)
		close(r.stopSweeping)
	})
	<-r.hub.done
	<-r.sweeperDone
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

// Find returns the room of that name, or an error that wraps
// parley.ErrNotFound. It never creates a room.
func (r *Rooms) Find(ctx context.Context, name string) (parley.Room, error) {
	if room, ok := r.cache.find(name); ok {
		return room, nil
	}
	if parley.ValidateRoomName(name) != nil {
		return parley.Room{}, fmt.Errorf("chat: room %q: %w", name, parley.ErrNotFound)
	}
	room, err := r.store.RoomByName(ctx, name)
	if err != nil {
		return parley.Room{}, fmt.Errorf("chat: room %q: %w", name, err)
	}
	return room, nil
}

// Recent returns a room's last messages, oldest first, as its page shows
// them, and whether older ones exist.
func (r *Rooms) Recent(ctx context.Context, room parley.Room) ([]parley.Message, bool, error) {
	lr := r.cache.use(room)
	if err := lr.history.load(ctx, r.store, room.ID); err != nil {
		return nil, false, err
	}
	msgs, older := lr.history.recent()
	return msgs, older, nil
}

// Online returns how many people have a socket open in the room.
func (r *Rooms) Online(roomID int64) int {
	n := 0
	r.hub.call(func() {
		if p := r.hub.view(roomID); p != nil {
			n = len(p.people)
		}
	})
	return n
}

// OnlineByRoom returns how many people are in each room that has anyone.
func (r *Rooms) OnlineByRoom() map[int64]int {
	counts := make(map[int64]int)
	r.hub.call(func() {
		for id, p := range r.hub.rooms {
			if n := len(p.people); n > 0 {
				counts[id] = n
			}
		}
		r.hub.link.countRemoteRooms(counts, func(id int64) bool { return r.hub.rooms[id] != nil })
	})
	return counts
}

// PresenceWith returns how many people are in the room and the start of
// its online list, counting user in: what a page about to open its socket
// should show.
func (r *Rooms) PresenceWith(roomID int64, user parley.User) (online int, listed []parley.User) {
	online, listed = 1, []parley.User{user}
	r.hub.call(func() {
		online, listed = r.hub.view(roomID).with(user, parley.OnlineListSize)
	})
	return online, listed
}

// Presence returns how many people are in the room and the start of its
// online list: what a page that opens no socket should show.
func (r *Rooms) Presence(roomID int64) (online int, listed []parley.User) {
	r.hub.call(func() {
		if p := r.hub.view(roomID); p != nil {
			online, listed = len(p.people), p.listed(parley.OnlineListSize)
		}
	})
	return online, listed
}

// EndSession closes every socket of a session that has signed out, on
// every instance.
func (r *Rooms) EndSession(sessionKey string) {
	select {
	case r.hub.endSession <- sessionKey:
	case <-r.hub.done:
	}
	r.link.Load().tellOthers(Event{Body: CloseSockets{SessionKey: sessionKey}})
}

// EndUser closes every socket of a user who has been banned, in every
// room, with 1000 (the page stays away) after a fragment that tells the
// page they were removed; on every instance.
func (r *Rooms) EndUser(userID int64) {
	select {
	case r.hub.endUser <- userID:
	case <-r.hub.done:
	}
	r.link.Load().tellOthers(Event{Body: CloseSockets{UserID: userID}})
}

// Join links the chat to the other instances through bus: from then on
// messages stored here are sent to them, and the count, the online list
// and the notices of every room count their people too. Call it once,
// before serving any socket; Close says goodbye to them.
func (r *Rooms) Join(bus Bus, cfg ClusterConfig, render LinkRenderer) error {
	if cfg.Instance == "" {
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			return fmt.Errorf("chat: join: instance id: %w", err)
		}
		cfg.Instance = hex.EncodeToString(b)
	}
	cl := &link{
		chat:      linkPort{hub: r.hub, rooms: r},
		bus:       bus,
		cfg:       cfg,
		log:       r.log.With("instance", cfg.Instance),
		instances: make(map[string]*instance),
		wake:      make(chan struct{}, 1),
		resyncs:   make(chan struct{}, 1),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
		resynced:  make(chan struct{}),
	}
	cl.paused = make(map[i18n.Lang]*outbox.Fragment)
	cl.resumed = make(map[i18n.Lang]*outbox.Fragment)
	rendered := true
	for _, lang := range i18n.Langs {
		cl.paused[lang] = r.hub.prepare(render.LinkNotice(lang, true))
		cl.resumed[lang] = r.hub.prepare(render.LinkNotice(lang, false))
		rendered = rendered && cl.paused[lang] != nil && cl.resumed[lang] != nil
	}
	if !rendered {
		return errors.New("chat: join: cannot render the link notices")
	}
	if !r.hub.call(func() { r.hub.link = cl }) {
		return ErrClosed
	}
	if err := bus.Listen(cl); err != nil {
		r.hub.call(func() { r.hub.link = nil })
		return fmt.Errorf("chat: join: %w", err)
	}
	r.link.Store(cl)
	go cl.run()
	go cl.resyncLoop()
	return nil
}

// linkPort is the chat as its link sees it (linkedChat): the hub, and
// the rooms' one way in and resync.
type linkPort struct {
	*hub
	rooms *Rooms
}

func (p linkPort) applyHeard(from string, ch parley.Change) { p.rooms.apply(from, ch) }

func (p linkPort) applyPersonal(ch parley.PersonalChange) { p.rooms.applyPersonal(ch) }

func (p linkPort) resyncAll(stop <-chan struct{}) { p.rooms.resyncAll(stop) }
