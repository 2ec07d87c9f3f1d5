package chat

import (
	"io"
	"time"

	"github.com/fasthttp/websocket"
)

// Conn is the part of a websocket connection the chat needs. Both
// *github.com/fasthttp/websocket.Conn and gofiber/contrib's *websocket.Conn
// (which embeds it) satisfy it, so the chat does not depend on Fiber.
//
// Only one goroutine may call the write methods at a time; WriteControl and
// Close may be called concurrently with them.
type Conn interface {
	ReadMessage() (messageType int, data []byte, err error)
	WritePreparedMessage(pm *websocket.PreparedMessage) error
	WriteMessage(messageType int, data []byte) error
	// NextWriter writes one message, in pieces, until the writer is closed.
	NextWriter(messageType int) (io.WriteCloser, error)
	WriteControl(messageType int, data []byte, deadline time.Time) error
	SetReadLimit(limit int64)
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
	SetPongHandler(h func(appData string) error)
	Close() error
}

// Close codes the chat uses. The htmx ws extension reconnects after 1006,
// 1011, 1012 and 1013, and stays away after 1000 and 1001.
const (
	closeSignedOut = websocket.CloseNormalClosure   // 1000: do not come back
	closeRestart   = websocket.CloseServiceRestart  // 1012: reconnect, the server restarts
	closeTooSlow   = websocket.CloseTryAgainLater   // 1013: reconnect and catch up
	closeBadFrame  = websocket.CloseUnsupportedData // 1003
)
