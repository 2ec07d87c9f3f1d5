// Package floor is the bare websocket broadcaster that every benchmark run
// measures beside Parley: net/http and fasthttp/websocket, no auth, no
// templates, no storage. It sends the same fragments as Parley, coalesces
// the user count, and runs one reader and one writer goroutine per socket,
// so that the difference between the two is what Parley adds.
package floor

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// handshakeTimeout bounds a websocket upgrade.
const handshakeTimeout = 10 * time.Second

// SessionCookie is the cookie name Parley uses, so that the load
// generator signs in to the floor exactly as it does to Parley.
const SessionCookie = "parley_session"

// Server is the floor's HTTP handler together with its broadcaster. Create
// it with New and end it with Close.
type Server struct {
	hub      *hub
	upgrader websocket.Upgrader
	chatForm *websocket.PreparedMessage

	sessionsMu sync.Mutex
	sessions   map[string]string // session ID -> username

	anonymous atomic.Int64 // numbers sockets that come without a session

	stopFlusher chan struct{}
	flusherDone chan struct{}
	closeOnce   sync.Once
}

// New returns a running floor server; its count flusher runs until Close.
func New() *Server {
	s := &Server{
		hub:         newHub(),
		chatForm:    mustPrepare([]byte(chatFormFragment)),
		sessions:    make(map[string]string),
		stopFlusher: make(chan struct{}),
		flusherDone: make(chan struct{}),
	}
	// A zero ReadBufferSize reads through the buffer net/http allocated for
	// the connection. Write buffers come from a pool shared by all sockets,
	// as in Parley: an idle socket holds none. (Without a pool this fork
	// gives every socket a buffer of its own: it never reuses net/http's.)
	// A nil CheckOrigin refuses cross-origin upgrades.
	s.upgrader = websocket.Upgrader{
		HandshakeTimeout: handshakeTimeout,
		WriteBufferPool:  &sync.Pool{},
	}
	go func() {
		defer close(s.flusherDone)
		s.hub.runCountFlusher(s.stopFlusher)
	}()
	return s
}

// Handler routes /ws, POST /register, POST /login and GET /healthz.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws", s.serveWebsocket)
	mux.HandleFunc("POST /register", s.signIn)
	mux.HandleFunc("POST /login", s.signIn)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	return mux
}

// Close closes every socket with 1012 (service restart), waits until all
// are served out and stops the count flusher. Stop the HTTP server from
// accepting first: sockets upgraded after Close are refused.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.hub.shutdown()
		close(s.stopFlusher)
		<-s.flusherDone
	})
}

// signIn accepts any username and password, starts a session and sends
// the browser to /chat, as Parley's /register and /login do on success.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	username := r.PostFormValue("username")
	if username == "" {
		http.Error(w, "username is required", http.StatusUnprocessableEntity)
		return
	}
	sessionID, err := newSessionID()
	if err != nil {
		http.Error(w, "cannot start a session", http.StatusInternalServerError)
		return
	}
	s.sessionsMu.Lock()
	s.sessions[sessionID] = username
	s.sessionsMu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    sessionID,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, "/chat", http.StatusSeeOther)
}

// username returns the user of r's session, if it has one.
func (s *Server) username(r *http.Request) (string, bool) {
	cookie, err := r.Cookie(SessionCookie)
	if err != nil {
		return "", false
	}
	s.sessionsMu.Lock()
	defer s.sessionsMu.Unlock()
	name, ok := s.sessions[cookie.Value]
	return name, ok
}

// serveWebsocket upgrades a request and hands the socket to its own
// goroutines. Returning lets net/http release what it kept for the
// connection (its buffered writer, its goroutine's stack), as in gorilla's
// chat example. A socket without a session counts as a user of its own.
func (s *Server) serveWebsocket(w http.ResponseWriter, r *http.Request) {
	name, ok := s.username(r)
	user := "user:" + name
	if !ok {
		name = "anonymous"
		user = "anonymous:" + strconv.FormatInt(s.anonymous.Add(1), 10)
	}
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered with an HTTP error
	}
	c := newClient(conn, user, name)
	if !s.hub.register(c) {
		c.stop(websocket.CloseServiceRestart)
		c.writeClose()
		_ = conn.Close()
		return
	}
	go s.serveSocket(c)
}

// serveSocket runs c's reader here and its writer in a second goroutine
// until the socket ends; Close waits for it through the hub.
func (s *Server) serveSocket(c *client) {
	defer s.hub.socketDone()
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		c.writeLoop()
	}()
	c.readLoop(s.relay)
	s.hub.unregister(c)
	c.drop()
	<-writerDone
}

// relay broadcasts one chat message to every socket and sends the sender
// a fresh, empty form.
func (s *Server) relay(sender *client, text string) {
	id := s.hub.nextMessageID.Add(1)
	s.hub.broadcast(mustPrepare(renderMessage(id, sender.name, text, time.Now())))
	if !sender.enqueue(s.chatForm) {
		sender.drop()
	}
}

func newSessionID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
