// Package web is Parley's HTTP adapter: Fiber routes, thin handlers, the
// session cookie, security headers and the websocket upgrade. Handlers parse
// the request, call the domain (the store, the chat room) and render a templ
// component; the rules live elsewhere.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/parleychat/parley/app/oauth"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/ratelimit"
)

// Timeouts for plain HTTP requests; websockets set their own deadlines.
const (
	readTimeout  = 15 * time.Second
	writeTimeout = 15 * time.Second
	idleTimeout  = 120 * time.Second
	// bodyLimit is far above any form Parley has.
	bodyLimit = 64 << 10
)

// Options are what the web layer needs from the rest of the app.
type Options struct {
	// Users, Sessions, Rooms, Members, Messages, Moderation and OAuthStates are
	// the parts of the store the handlers use, one per entity; the app
	// wires each to the same store.
	Users       parley.UserStore
	Sessions    parley.SessionStore
	Rooms       parley.RoomStore
	Members     parley.MembershipStore
	Messages    parley.MessageStore
	Moderation  parley.ModerationStore
	OAuthStates parley.OAuthStateStore
	// Database is the store's health check, which /readyz asks.
	Database DatabasePinger
	// Chat is the live rooms.
	Chat LiveRooms
	// Moderator deletes messages, mutes and bans, with the rules.
	Moderator Moderator
	Providers *oauth.Providers
	// BaseURL is the public URL: origin checks, OAuth callbacks, Secure cookies.
	BaseURL          *url.URL
	RegistrationOpen bool
	// RoomCreationAdminsOnly is ROOM_CREATION=admins.
	RoomCreationAdminsOnly bool
	BcryptCost             int
	// AuthRateLimit is sign-in and sign-up attempts per minute per client
	// address; 0 turns the limit off.
	AuthRateLimit int
	// TrustedProxies are the proxies (TRUSTED_PROXIES) whose
	// X-Forwarded-For names the client; empty means none is trusted.
	TrustedProxies []netip.Prefix
	// Link, when set, is the link to the other instances (NATS), which
	// /readyz checks besides the database.
	Link Pinger
	Log  *slog.Logger
	// Observer is told about requests, refused upgrades and sign-ins, for
	// metrics; nil means NopObserver.
	Observer Observer
}

// DatabasePinger is a database that answers, or not, before ctx ends.
type DatabasePinger interface {
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
}

// Pinger is a dependency that answers, or not, within a timeout.
type Pinger interface {
	Ping(timeout time.Duration) error
}

// Server serves Parley over HTTP.
type Server struct {
	opts        Options
	app         *fiber.App
	origin      string
	secure      bool
	crossOrigin *http.CrossOriginProtection
	authLimiter *ratelimit.Limiter[string]
	log         *slog.Logger
	obs         Observer
	// draining is set by Drain: /readyz answers 503.
	draining atomic.Bool
	// conns is the listener Serve uses, nil before it runs.
	conns atomic.Pointer[connTracker]
	// stopping is set once Shutdown has begun: a Serve that starts after
	// it must not accept connections.
	stopping atomic.Bool
	// dummyHash is compared against when a username does not exist, so that
	// the answer takes as long as for a wrong password.
	dummyHash func() []byte
}

// New builds the server and its routes.
func New(opts Options) *Server {
	s := &Server{
		opts:        opts,
		origin:      opts.BaseURL.Scheme + "://" + opts.BaseURL.Host,
		secure:      opts.BaseURL.Scheme == "https",
		crossOrigin: http.NewCrossOriginProtection(),
		authLimiter: ratelimit.New[string](opts.AuthRateLimit, time.Minute),
		log:         opts.Log,
		obs:         opts.Observer,
		dummyHash: sync.OnceValue(func() []byte {
			h, _ := bcrypt.GenerateFromPassword([]byte("parley-timing-equaliser"), opts.BcryptCost)
			return h
		}),
	}
	if s.obs == nil {
		s.obs = NopObserver{}
	}
	// Behind a proxy the Host header may differ from BASE_URL's.
	if err := s.crossOrigin.AddTrustedOrigin(s.origin); err != nil {
		s.log.Warn("web: trusted origin", "origin", s.origin, "err", err)
	}
	s.app = fiber.New(fiber.Config{
		AppName:               "Parley",
		DisableStartupMessage: true,
		ReadTimeout:           readTimeout,
		WriteTimeout:          writeTimeout,
		IdleTimeout:           idleTimeout,
		BodyLimit:             bodyLimit,
		ReduceMemoryUsage:     true,
		ErrorHandler:          s.handleError,
	})
	// Upgraded connections outlive their hijack handler: the chat reads
	// and closes them (see serveSocket).
	s.app.Server().KeepHijackedConns = true
	s.routes()
	return s
}

func (s *Server) routes() {
	app := s.app
	app.Use(s.logRequests, s.setSecurityHeaders, s.recoverPanics, s.refuseCrossOrigin, s.loadSession, s.pickLocale)

	app.Get("/static/*", s.serveStatic)
	app.Get("/healthz", s.checkHealth)
	app.Get("/readyz", s.checkReady)

	app.Get("/", s.showHome)
	app.Get("/login", s.showLoginPage)
	app.Post("/login", s.signIn)
	app.Get("/register", s.showRegisterPage)
	app.Post("/register", s.register)
	app.Post("/logout", s.signOut)
	app.Get("/auth/:provider", s.beginOAuth)
	app.Get("/auth/:provider/callback", s.finishOAuth)

	app.Get("/chat", s.showChat)
	app.Get("/rooms", s.showRooms)
	app.Post("/rooms", s.createRoom)
	app.Get("/r/:room", s.showRoomPage)
	app.Get("/r/:room/messages", s.showEarlierMessages)
	app.Get("/r/:room/members", s.showMembersPage)
	app.Post("/r/:room/members", s.addMember)
	app.Post("/r/:room/members/remove", s.removeMember)
	app.Post("/r/:room/join", s.joinRoom)
	app.Post("/r/:room/leave", s.leaveRoom)
	app.Get("/dm", s.showDirectPage)
	app.Post("/dm", s.startDirect)
	app.Get("/ws", s.guardSocket, s.upgradeSocket())

	app.Post("/messages/:id/delete", s.deleteMessage)
	app.Get("/settings", s.showSettingsPage)
	app.Post("/settings", s.saveSettings)
	app.Get("/admin", s.showAdminPage)
	app.Post("/admin/mute", s.muteUser)
	app.Post("/admin/unmute", s.unmuteUser)
	app.Post("/admin/ban", s.banUser)
	app.Post("/admin/unban", s.unbanUser)

	app.Use(s.showNotFound)
}

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	conns := trackConns(ln, s.obs.SocketBytesWritten)
	s.conns.Store(conns)
	// Shutdown sets stopping before it looks for conns: one of the two
	// sees the other, so a Serve that starts late never accepts.
	if s.stopping.Load() {
		return conns.Close()
	}
	if err := s.app.Listener(conns); err != nil {
		return fmt.Errorf("web: serve: %w", err)
	}
	return nil
}

// Shutdown stops accepting connections and waits for requests in flight.
// Websockets are not among them: the chat room closes those.
func (s *Server) Shutdown(ctx context.Context) error {
	// Stop accepting, then drop the connections that never sent a request:
	// fasthttp would wait for them until ReadTimeout (see connTracker).
	s.stopping.Store(true)
	if conns := s.conns.Load(); conns != nil {
		_ = conns.Close()
		conns.closeUnused()
	}
	if err := s.app.ShutdownWithContext(ctx); err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	return nil
}
