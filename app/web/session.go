package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/static"
)

const (
	sessionCookie = "parley_session"
	sessionTTL    = 30 * 24 * time.Hour
	// localsUser and localsSession are where loadSession leaves the signed-in
	// user and the session ID's hash for the handlers.
	localsUser    = "parley.user"
	localsSession = "parley.session"
)

// loadSession finds the signed-in user, if any, from the session cookie.
// The database keeps only the SHA-256 of session IDs, so a copy of it
// cannot sign anyone in.
func (s *Server) loadSession(c *fiber.Ctx) error {
	id := c.Cookies(sessionCookie)
	if id == "" || c.Path() == "/healthz" || c.Path() == "/readyz" || strings.HasPrefix(c.Path(), static.Prefix) {
		return c.Next()
	}
	hash := hashSessionID(id)
	ctx, cancel := storeContext(c)
	defer cancel()
	user, err := s.opts.Sessions.SessionUser(ctx, hash)
	switch {
	case errors.Is(err, parley.ErrNotFound):
		clearSessionCookie(c, s.secure)
	case err != nil:
		return fmt.Errorf("web: load session: %w", err)
	default:
		c.Locals(localsUser, user)
		c.Locals(localsSession, hash)
	}
	return c.Next()
}

// currentUser returns the signed-in user.
func currentUser(c *fiber.Ctx) (parley.User, bool) {
	u, ok := c.Locals(localsUser).(parley.User)
	return u, ok
}

// currentSession returns the hash of the request's valid session ID.
func currentSession(c *fiber.Ctx) ([]byte, bool) {
	h, ok := c.Locals(localsSession).([]byte)
	return h, ok
}

// startSession signs the user in with a new session ID, ending the
// request's previous session if it had one.
func (s *Server) startSession(c *fiber.Ctx, user parley.User) error {
	ctx, cancel := storeContext(c)
	defer cancel()
	if old, ok := currentSession(c); ok {
		if err := s.endSession(ctx, old); err != nil {
			return err
		}
	}
	id, err := newSessionID()
	if err != nil {
		return err
	}
	expires := time.Now().Add(sessionTTL)
	if err := s.opts.Sessions.CreateSession(ctx, hashSessionID(id), user.ID, expires); err != nil {
		return fmt.Errorf("web: create session: %w", err)
	}
	c.Cookie(&fiber.Cookie{
		Name:     sessionCookie,
		Value:    id,
		Path:     "/",
		Expires:  expires,
		HTTPOnly: true,
		Secure:   s.secure,
		SameSite: fiber.CookieSameSiteLaxMode,
	})
	return nil
}

// endSession revokes a session and closes its sockets.
func (s *Server) endSession(ctx context.Context, hash []byte) error {
	if err := s.opts.Sessions.DeleteSession(ctx, hash); err != nil {
		return fmt.Errorf("web: delete session: %w", err)
	}
	s.opts.Chat.EndSession(sessionKey(hash))
	return nil
}

func clearSessionCookie(c *fiber.Ctx, secure bool) {
	c.Cookie(&fiber.Cookie{
		Name:     sessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		Expires:  time.Unix(0, 0),
		HTTPOnly: true,
		Secure:   secure,
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// newSessionID returns 32 random bytes, base64url-encoded.
func newSessionID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("web: session id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashSessionID(id string) []byte {
	sum := sha256.Sum256([]byte(id))
	return sum[:]
}

// sessionKey names a session to the chat room.
func sessionKey(hash []byte) string { return hex.EncodeToString(hash) }
