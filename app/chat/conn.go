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
