package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// localsRequestID is where logRequests leaves the request's ID.
const localsRequestID = "parley.request_id"

// maxRequestIDLength bounds an X-Request-ID taken from a proxy.
const maxRequestIDLength = 64

// logRequests gives every request an ID (X-Request-ID, taken from the
// proxy when it is short and safe), and once the request is answered logs
// and counts it by method, route pattern, status and duration. It never
// logs the raw URL: OAuth callbacks carry a code and a state in theirs.
func (s *Server) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	id := requestID(c.Get(fiber.HeaderXRequestID))
	c.Set(fiber.HeaderXRequestID, id)
	c.Locals(localsRequestID, id)
	if err := c.Next(); err != nil {
		// Render the error now, as Fiber would after the chain, so that the
		// status logged is the one sent.
		if err := s.handleError(c, err); err != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	// Copied: Fiber's method string points into the request's buffer,
	// which the next request reuses, and metrics keep their labels.
	method := strings.Clone(c.Method())
	route := routePattern(c)
	d := time.Since(start)
	s.obs.Request(method, route, status, d)
	level := slog.LevelInfo
	if status >= fiber.StatusInternalServerError {
		level = slog.LevelError
	}
	s.log.LogAttrs(context.Background(), level, "web: request",
		slog.String("method", method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Duration("duration", d),
		slog.String("request_id", id))
	return nil
}

// routePattern is the pattern of the route that answered, e.g. "/r/:room":
// a label with few values. The catch-all 404 (a Use route on "/") is
// "unmatched".
func routePattern(c *fiber.Ctx) string {
	route := c.Route().Path
	if route == "/" && c.Path() != "/" {
		return "unmatched"
	}
	return route
}

// requestID returns the incoming ID when it is short and made of safe
// characters, else a new random one.
func requestID(incoming string) string {
	if n := len(incoming); n > 0 && n <= maxRequestIDLength && safeID(incoming) {
		return strings.Clone(incoming) // Fiber reuses the header's buffer
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

func safeID(s string) bool {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}
