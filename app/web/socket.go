package web

import (
	"context"
	"errors"
	"strconv"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

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
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	room, err := s.opts.Chat.Find(ctx, name)
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
	c.Locals(localsPeer, chat.Peer{User: user, Room: room, SessionKey: sessionKey(hash), ShownThrough: shown, Locale: locale(c)})
	return c.Next()
}

// upgradeSocket hands upgraded sockets to the chat room.
func (s *Server) upgradeSocket() fiber.Handler {
	return websocket.New(s.serveSocket, websocket.Config{
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
}

// serveSocket runs for the socket's whole life; conn is pooled by the
// websocket package and must not be kept after it returns.
func (s *Server) serveSocket(conn *websocket.Conn) {
	peer, ok := conn.Locals(localsPeer).(chat.Peer)
	if !ok {
		return
	}
	markSocket(conn.UnderlyingConn())
	requestID, _ := conn.Locals(localsRequestID).(string)
	log := s.log.With("user_id", peer.User.ID, "room", peer.Room.Name, "request_id", requestID)
	log.Debug("web: websocket connected")
	err := s.opts.Chat.Serve(conn.Conn, peer)
	log.Debug("web: websocket disconnected", "err", err)
}
