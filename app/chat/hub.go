package chat

import (
	"log/slog"
	"time"

	"github.com/parleychat/parley/app/chat/outbox"
	"github.com/parleychat/parley/app/i18n"
)

// hub owns the open sockets and presence of every room. Only its run
// goroutine touches the fields below the channels; everything else talks
// to it through them.
type hub struct {
	cfg    Config
	render Renderer
	log    *slog.Logger

	register   chan *client
	unregister chan *client
	deliveries chan delivery
	endSession chan string
	// endUser closes every socket of a user who has been banned.
	endUser chan int64
	// calls run functions in the hub goroutine, for questions about its state.
	calls chan func()
	stop  chan struct{}
	done  chan struct{}

	// rooms holds the presence of each room with a socket open, and of
	// rooms whose last departure is still to be announced.
	rooms map[int64]*hubRoom
	// people counts, per user with a socket open, the rooms they are in:
	// its length is how many people are online.
	people map[int64]int
	// dirty are the rooms whose presence changed since their last flush.
	dirty map[*hubRoom]struct{}
	// holding are the rooms with frames held for their next fan-out.
	holding map[*hubRoom]struct{}
	// scratch is handOut's batch of one socket, kept between fan-outs.
	scratch []outbox.Frame
	// link is the link to the other instances, which knows their people;
	// nil when the chat runs alone.
	link       *link
	flushTimer *time.Timer
	// timerDue is when flushTimer fires; zero while it is stopped.
	timerDue time.Time
}

func newHub(cfg Config, render Renderer, log *slog.Logger) *hub {
	h := &hub{
		cfg:        cfg,
		render:     render,
		log:        log,
		register:   make(chan *client),
		unregister: make(chan *client),
		deliveries: make(chan delivery),
		endSession: make(chan string),
		endUser:    make(chan int64),
		calls:      make(chan func()),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
		rooms:      make(map[int64]*hubRoom),
		people:     make(map[int64]int),
		dirty:      make(map[*hubRoom]struct{}),
		holding:    make(map[*hubRoom]struct{}),
	}
	h.flushTimer = time.NewTimer(time.Hour)
	h.flushTimer.Stop()
	return h
}

// run is the hub's goroutine. It returns after stop is closed, once every
// socket has been told to close with 1012.
func (h *hub) run() {
	defer close(h.done)
	defer h.flushTimer.Stop()
	for {
		select {
		case c := <-h.register:
			h.add(c)
		case c := <-h.unregister:
			h.remove(c)
		case rf := <-h.deliveries:
			h.fanOut(rf)
		case key := <-h.endSession:
			h.closeSession(key)
		case userID := <-h.endUser:
			h.closeUser(userID)
		case call := <-h.calls:
			call()
		case <-h.flushTimer.C:
			h.runDue()
		case <-h.stop:
			for _, r := range h.rooms {
				for c := range r.clients {
					c.CloseWith(closeRestart)
				}
			}
			return
		}
	}
}

// call runs f in the hub goroutine and waits for it; it reports false,
// without running f, once the hub has stopped.
func (h *hub) call(f func()) bool {
	ran := make(chan struct{})
	select {
	case h.calls <- func() { f(); close(ran) }:
		<-ran
		return true
	case <-h.done:
		return false
	}
}

// add registers a socket in its room. A socket that does not change who is
// online gets the room's current presence at once; any other gets it with
// the flush its arrival causes.
func (h *hub) add(c *client) {
	r := h.rooms[c.roomID()]
	if r == nil {
		r = newHubRoom(c.roomID())
		h.rooms[r.id] = r
		h.fillRemotes(r)
	}
	r.pacing.writers = &c.room.writers
	// arrived is the person's arrival in the room, on any instance; their
	// first socket of the room here is only that when they are nowhere else.
	arrived := r.add(c)
	if r.people[c.user.ID].sockets == 1 {
		h.people[c.user.ID]++
		h.cfg.Observer.PeopleOnline(len(h.people))
		h.link.announce(r.id, c.user, true)
	}
	if arrived {
		h.changed(r, presenceEvent{name: c.user.NoticeName(), joined: true})
		return
	}
	if _, pending := h.dirty[r]; !pending && r.gen > 0 {
		h.bringUp(c, r)
	}
}

// remove forgets a socket; removing one that is already gone does nothing.
func (h *hub) remove(c *client) {
	r := h.rooms[c.roomID()]
	if r == nil {
		return
	}
	left, ok := r.remove(c)
	if !ok {
		return
	}
	if p := r.people[c.user.ID]; p == nil || p.sockets == 0 { // their last socket of the room here
		if h.people[c.user.ID]--; h.people[c.user.ID] <= 0 {
			delete(h.people, c.user.ID)
		}
		h.cfg.Observer.PeopleOnline(len(h.people))
		h.link.announce(r.id, c.user, false)
	}
	if left {
		h.changed(r, presenceEvent{name: c.user.NoticeName(), joined: false})
	}
}

// drop closes a socket that cannot keep up, without waiting for it.
func (h *hub) drop(c *client, code int) {
	h.remove(c)
	c.CloseWith(code)
}

// pushOrDrop hands frames to a socket, or drops the socket when its queue is
// full: the hub never waits for a slow peer.
func (h *hub) pushOrDrop(c *client, fs ...outbox.Frame) {
	if !c.Push(fs...) {
		h.log.Info("chat: dropping slow socket", "user_id", c.user.ID, "room_id", c.roomID())
		h.cfg.Observer.SocketDropped()
		h.drop(c, closeTooSlow)
	}
}

// closeSession closes every socket of a session that has ended, in every room.
func (h *hub) closeSession(sessionKey string) {
	h.closeWhere(func(c *client) bool { return c.sessionKey == sessionKey }, h.render.SignedOut)
}

// closeUser closes every socket of a banned user, in every room.
func (h *hub) closeUser(userID int64) {
	h.closeWhere(func(c *client) bool { return c.user.ID == userID }, h.render.Banned)
}

// toPerson gives every socket here of one person, in whatever room, a
// fragment rendered once per language among them.
func (h *hub) toPerson(userID int64, render func(i18n.Lang) ([]byte, error)) {
	pms := make(map[i18n.Lang]*outbox.Fragment)
	for _, r := range h.rooms {
		for c := range r.clients {
			if c.user.ID != userID {
				continue
			}
			pm, ok := pms[c.locale.Lang]
			if !ok {
				pm = h.prepare(render(c.locale.Lang))
				pms[c.locale.Lang] = pm
			}
			if pm != nil {
				h.pushOrDrop(c, outbox.Frame{Fragment: pm})
			}
		}
	}
}

// closeWhere closes, with 1000 so that the page does not reconnect, every
// socket that match selects, after a last fragment that says why; the
// fragment is rendered once per language, and only when some socket needs it.
func (h *hub) closeWhere(match func(*client) bool, last func(i18n.Lang) ([]byte, error)) {
	pms := make(map[i18n.Lang]*outbox.Fragment)
	for _, r := range h.rooms {
		for c := range r.clients {
			if !match(c) {
				continue
			}
			pm, ok := pms[c.locale.Lang]
			if !ok {
				pm = h.prepare(last(c.locale.Lang))
				pms[c.locale.Lang] = pm
			}
			h.remove(c)
			if !c.Push(outbox.Frame{Fragment: pm, CloseCode: closeSignedOut}) {
				c.CloseWith(closeSignedOut)
			}
		}
	}
}

// schedule makes the flush timer fire by due.
func (h *hub) schedule(due time.Time) {
	if !h.timerDue.IsZero() && !due.Before(h.timerDue) {
		return
	}
	h.timerDue = due
	h.flushTimer.Reset(max(time.Until(due), 0))
}

// runDue sends what is due when the timer fires: held frames whose gap
// is over, and presence flushes; it schedules the next.
func (h *hub) runDue() {
	h.timerDue = time.Time{}
	now := time.Now()
	h.releaseDue(now)
	var due []*hubRoom
	for r := range h.dirty {
		if !r.due.After(now) {
			due = append(due, r)
			delete(h.dirty, r)
		}
	}
	for _, r := range due {
		start := time.Now()
		h.flush(r, now)
		h.cfg.Observer.PresenceFlushed(time.Since(start))
	}
	for r := range h.dirty {
		h.schedule(r.due)
	}
}

// prepareOnce returns the fragment kept in rendered for lang, preparing
// it from render and keeping it there the first time.
func (h *hub) prepareOnce(rendered *map[i18n.Lang]*outbox.Fragment, lang i18n.Lang, render func() ([]byte, error)) *outbox.Fragment {
	if pm, ok := (*rendered)[lang]; ok {
		return pm
	}
	pm := h.prepare(render())
	if *rendered == nil {
		*rendered = make(map[i18n.Lang]*outbox.Fragment)
	}
	(*rendered)[lang] = pm
	return pm
}

// prepare frames a rendered fragment once for all sockets; it logs and
// returns nil when rendering failed.
func (h *hub) prepare(html []byte, err error) *outbox.Fragment {
	if err == nil {
		var f *outbox.Fragment
		if f, err = outbox.NewFragment(html); err == nil {
			return f
		}
	}
	h.log.Error("chat: render fragment", "err", err)
	return nil
}

// toEverySocket sends a frame to every socket of every room, in the
// socket's language (hub).
func (h *hub) toEverySocket(pms map[i18n.Lang]*outbox.Fragment) {
	for _, r := range h.rooms {
		for c := range r.clients {
			pm, ok := pms[c.locale.Lang]
			if !ok {
				pm = pms[i18n.English]
			}
			h.pushOrDrop(c, outbox.Frame{Fragment: pm})
		}
	}
}
