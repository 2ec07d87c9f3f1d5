package chat

import (
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// Close codes the hub uses. The htmx ws extension reconnects after 1006,
// 1011, 1012 and 1013, and stays away after 1000 and 1001.
const (
	closeSignedOut = websocket.CloseNormalClosure   // 1000: do not come back
	closeRestart   = websocket.CloseServiceRestart  // 1012: reconnect, the server restarts
	closeTooSlow   = websocket.CloseTryAgainLater   // 1013: reconnect and catch up
	closeBadFrame  = websocket.CloseUnsupportedData // 1003
)

// countQuery asks the hub how many people are online counting one more
// user, who is about to connect.
type countQuery struct {
	userID int64
	reply  chan int // buffered: the hub never waits on it
}

// frame is one prepared websocket message waiting for a socket.
type frame struct {
	pm *websocket.PreparedMessage
	// messageID is the stored message the frame shows, 0 for any other
	// frame; a socket skips messages its catch-up has already shown.
	messageID int64
	// closeCode, when not 0, closes the socket once the frame is written.
	closeCode int
}

// hub owns the set of sockets and presence. Only its run goroutine touches
// the fields below the channels; everything else talks to it through them.
type hub struct {
	cfg    Config
	render Renderer
	log    *slog.Logger

	register   chan *client
	unregister chan *client
	broadcast  chan frame
	endSession chan string
	countWith  chan countQuery
	stop       chan struct{}
	done       chan struct{}

	clients map[*client]struct{}
	// online counts each user's open sockets: presence is per person.
	online map[int64]int
	// events are the arrivals and departures not yet announced.
	events []presenceEvent
	// pendingSince is when presence first changed after the last flush;
	// zero when nothing is pending.
	pendingSince time.Time
	flushTimer   *time.Timer
	// lastCount caches the rendered count, which most sockets share.
	lastCount      int
	lastCountFrame *websocket.PreparedMessage
	// onlineNow mirrors len(online) for readers outside the hub goroutine.
	onlineNow atomic.Int64
}

func newHub(cfg Config, render Renderer, log *slog.Logger) *hub {
	h := &hub{
		cfg:        cfg,
		render:     render,
		log:        log,
		register:   make(chan *client),
		unregister: make(chan *client),
		broadcast:  make(chan frame),
		endSession: make(chan string),
		countWith:  make(chan countQuery),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
		clients:    make(map[*client]struct{}),
		online:     make(map[int64]int),
		lastCount:  -1,
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
		case f := <-h.broadcast:
			for c := range h.clients {
				h.enqueue(c, f)
			}
		case key := <-h.endSession:
			h.signOut(key)
		case q := <-h.countWith:
			n := len(h.online)
			if h.online[q.userID] == 0 {
				n++
			}
			q.reply <- n
		case <-h.flushTimer.C:
			h.flushPresence()
		case <-h.stop:
			for c := range h.clients {
				c.close(closeRestart)
			}
			return
		}
	}
}

// add registers a socket and gives it the current count at once.
func (h *hub) add(c *client) {
	h.clients[c] = struct{}{}
	h.online[c.userID]++
	h.onlineNow.Store(int64(len(h.online)))
	if h.online[c.userID] == 1 {
		h.presenceChanged(presenceEvent{name: c.name, joined: true})
	}
	if pm := h.countFrame(); pm != nil {
		c.sentCount = len(h.online)
		c.offerCount(pm)
	}
}

// remove forgets a socket; removing one that is already gone does nothing.
func (h *hub) remove(c *client) {
	if _, ok := h.clients[c]; !ok {
		return
	}
	delete(h.clients, c)
	h.online[c.userID]--
	if h.online[c.userID] == 0 {
		delete(h.online, c.userID)
		h.onlineNow.Store(int64(len(h.online)))
		h.presenceChanged(presenceEvent{name: c.name, joined: false})
	}
}

// drop closes a socket that cannot keep up, without waiting for it.
func (h *hub) drop(c *client, code int) {
	h.remove(c)
	c.close(code)
}

// enqueue hands a frame to a socket, or drops the socket when its queue is
// full: the hub never waits for a slow peer.
func (h *hub) enqueue(c *client, f frame) {
	select {
	case c.send <- f:
	default:
		h.log.Info("chat: dropping slow socket", "user_id", c.userID)
		h.drop(c, closeTooSlow)
	}
}

// signOut closes every socket of a session that has ended.
func (h *hub) signOut(sessionKey string) {
	var pm *websocket.PreparedMessage
	for c := range h.clients {
		if c.sessionKey != sessionKey {
			continue
		}
		if pm == nil {
			pm = h.prepare(h.render.SignedOut())
		}
		h.remove(c)
		select {
		case c.send <- frame{pm: pm, closeCode: closeSignedOut}:
		default:
			c.close(closeSignedOut)
		}
	}
}

// presenceChanged records an arrival or departure and schedules a flush:
// after PresenceQuiet without further change, or PresenceMaxDelay after the
// first unannounced change, whichever comes first.
func (h *hub) presenceChanged(e presenceEvent) {
	h.events = append(h.events, e)
	now := time.Now()
	if h.pendingSince.IsZero() {
		h.pendingSince = now
	}
	wait := min(h.cfg.PresenceQuiet, h.pendingSince.Add(h.cfg.PresenceMaxDelay).Sub(now))
	h.flushTimer.Reset(max(wait, 0))
}

// flushPresence sends the notices to every socket and the count to every
// socket whose count is out of date, each rendered once.
func (h *hub) flushPresence() {
	events := h.events
	h.events, h.pendingSince = nil, time.Time{}
	var notices *websocket.PreparedMessage
	if len(events) > 0 {
		notices = h.prepare(h.render.Notices(summarize(events, time.Now())))
	}
	count := h.countFrame()
	n := len(h.online)
	for c := range h.clients {
		if notices != nil {
			h.enqueue(c, frame{pm: notices})
		}
		if count != nil && c.sentCount != n {
			c.sentCount = n
			c.offerCount(count)
		}
	}
}

// countFrame returns the rendered count of people online, rendering it only
// when the count has changed.
func (h *hub) countFrame() *websocket.PreparedMessage {
	n := len(h.online)
	if n != h.lastCount {
		h.lastCount, h.lastCountFrame = n, h.prepare(h.render.Count(n))
	}
	return h.lastCountFrame
}

// prepare frames a rendered fragment once for all sockets; it logs and
// returns nil when rendering failed.
func (h *hub) prepare(html []byte, err error) *websocket.PreparedMessage {
	if err == nil {
		var pm *websocket.PreparedMessage
		if pm, err = websocket.NewPreparedMessage(websocket.TextMessage, html); err == nil {
			return pm
		}
	}
	h.log.Error("chat: render fragment", "err", err)
	return nil
}
