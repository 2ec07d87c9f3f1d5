package web

import (
	"errors"
	"net"
	"reflect"
	"strconv"
	"strings"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/parleychat/parley/app/chat"
	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// localsPeer carries who is behind a socket from guardSocket to serveSocket.
const localsPeer = "parley.peer"

// guardSocket lets through only websocket upgrades from this site's pages
// with a valid session, for a room that exists: 403 for a foreign Origin,
// 401 without a session, 404 for an unknown room, all before the upgrade.
func (s *Server) guardSocket(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		s.obs.UpgradeRefused(RefusedNotWebsocket)
		return fiber.NewError(fiber.StatusUpgradeRequired, i18n.Msg("This address is for websockets."))
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != s.origin {
		s.log.Info("web: websocket from foreign origin refused", "origin", origin, "base_url_origin", s.origin)
		s.obs.UpgradeRefused(RefusedOrigin)
		return newPageError(fiber.StatusForbidden, i18n.Msg("Websocket refused: its origin is not %s (BASE_URL)."), s.origin)
	}
	user, ok := currentUser(c)
	hash, _ := currentSession(c)
	if !ok {
		s.obs.UpgradeRefused(RefusedNoSession)
		return fiber.NewError(fiber.StatusUnauthorized, i18n.Msg("Sign in first."))
	}
	name := c.Query("room", parley.DefaultRoom)
	ctx, cancel := storeContext(c)
	defer cancel()
	room, access, err := s.readableRoom(ctx, user, name)
	if errors.Is(err, parley.ErrNotFound) {
		s.obs.UpgradeRefused(RefusedUnknownRoom)
		return fiber.NewError(fiber.StatusNotFound, i18n.Msg("There is no room of that name."))
	} else if err != nil {
		return err
	}
	shown, err := strconv.ParseInt(c.Query("shown"), 10, 64)
	if err != nil {
		shown = -1 // unknown: the socket gets the whole history
	}
	c.Locals(localsPeer, chat.Peer{User: user, Room: room, Access: access, SessionKey: sessionKey(hash), ShownThrough: shown, Locale: locale(c)})
	keepUpgradeHeaders(&c.Request().Header)
	return c.Next()
}

// upgradeHeaders are the request headers the websocket upgrade reads.
var upgradeHeaders = []string{
	fiber.HeaderConnection,
	fiber.HeaderUpgrade,
	fiber.HeaderOrigin,
	fiber.HeaderSecWebSocketKey,
	fiber.HeaderSecWebSocketVersion,
	fiber.HeaderHost,
}

// readByUpgrade reports whether the upgrade reads header key, in any case.
func readByUpgrade(key []byte) bool {
	for _, h := range upgradeHeaders {
		if strings.EqualFold(h, string(key)) {
			return true
		}
	}
	return false
}

// keepUpgradeHeaders deletes every request header but those the upgrade
// reads, cookies included, once the socket's peer is known: the websocket
// package copies the headers and cookies that are left into maps that
// live as long as the socket, which nothing reads.
func keepUpgradeHeaders(h *fasthttp.RequestHeader) {
	h.DelAllCookies()
	var drop []string
	h.VisitAll(func(key, _ []byte) {
		if !readByUpgrade(key) {
			drop = append(drop, string(key))
		}
	})
	for _, key := range drop {
		h.Del(key)
	}
}

// upgradeSocket hands upgraded sockets to the chat room.
func (s *Server) upgradeSocket() fiber.Handler {
	upgrade := websocket.New(s.serveSocket, websocket.Config{
		Origins: []string{s.origin},
		// Reads already pass through fasthttp's own 4 KiB buffer, and client
		// frames are small: a small second buffer saves memory per socket
		// (it must hold a control frame: 125 bytes and a header).
		ReadBufferSize: 256,
		// Pooled, so only sockets being written to hold one: large enough
		// for a batch of queued fragments to go out in one write.
		WriteBufferSize: 4096,
		WriteBufferPool: writeBufferPool,
	})
	return func(c *fiber.Ctx) error {
		if err := upgrade(c); err != nil {
			return err
		}
		if c.Response().StatusCode() == fiber.StatusSwitchingProtocols {
			// fasthttp keeps the request of a hijacked connection until the
			// socket ends, and with it every buffer its parsing grew (about
			// 3 KiB); the upgrade has read what it needs. A fresh request
			// in its place lets them go (fasthttp reads only its method,
			// protocol and Connection header from here on: GET, HTTP/1.1
			// and none, as for the real one).
			*c.Request() = fasthttp.Request{}
		}
		return nil
	}
}

// serveSocket hands an upgraded socket to the chat. The chat reads it on
// a goroutine of its own, so this one, with its deep stack and fasthttp's
// request context, ends at once: only the connection outlives it, which
// fasthttp leaves open (KeepHijackedConns) for the chat to close; conn,
// the websocket package's pooled wrapper, is not kept.
func (s *Server) serveSocket(conn *websocket.Conn) {
	peer, ok := conn.Locals(localsPeer).(chat.Peer)
	if !ok {
		_ = conn.Close()
		return
	}
	markSocket(conn.UnderlyingConn())
	requestID, _ := conn.Locals(localsRequestID).(string)
	s.log.Debug("web: websocket connected", "user_id", peer.User.ID, "room", peer.Room.Name, "request_id", requestID)
	if readsPooledBuffer(conn.UnderlyingConn()) {
		// The socket must end before this handler does (see
		// readsPooledBuffer): the old way, one goroutine for its life.
		if err := s.opts.Chat.Serve(conn.Conn, peer); err != nil {
			s.log.Debug("web: websocket failed", "user_id", peer.User.ID, "request_id", requestID, "err", err)
		}
		return
	}
	if _, err := s.opts.Chat.Open(conn.Conn, peer); err != nil {
		s.log.Debug("web: websocket failed", "user_id", peer.User.ID, "request_id", requestID, "err", err)
	}
}

// netConnType is the type of a plain connection.
var netConnType = reflect.TypeFor[net.Conn]()

// readsPooledBuffer reports whether the hijacked connection nc reads
// through fasthttp's pooled bufio.Reader, which fasthttp takes back when
// the hijack handler returns, even with KeepHijackedConns: it does so when
// the client sent bytes after its upgrade request before the answer came
// (with ReduceMemoryUsage it reads from the connection itself otherwise).
// Such a socket must not outlive the handler, or it would read from a
// buffer another connection reuses. fasthttp does not export the reader
// of its hijackConn, so this looks at it by reflection, and answers true
// for anything it does not recognise.
func readsPooledBuffer(nc net.Conn) bool {
	v := reflect.ValueOf(nc)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return true
	}
	r := v.Elem().FieldByName("r")
	if !r.IsValid() || r.Kind() != reflect.Interface || r.IsNil() {
		return true
	}
	return !r.Elem().Type().Implements(netConnType)
}
