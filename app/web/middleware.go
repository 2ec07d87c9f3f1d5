package web

import (
	"net/http"
	"runtime/debug"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
)

// contentSecurityPolicy allows only Parley's own scripts, styles and
// sockets. img-src also allows https: for OAuth avatars.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' https: data:; connect-src 'self'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// recoverPanics turns a panicking handler into a 500 page.
func (s *Server) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("web: panic", "path", c.Path(), "panic", r, "stack", string(debug.Stack()))
			err = fiber.ErrInternalServerError
		}
	}()
	return c.Next()
}

// setSecurityHeaders applies the headers every response carries.
func (s *Server) setSecurityHeaders(c *fiber.Ctx) error {
	err := c.Next()
	if c.Response().StatusCode() == fiber.StatusSwitchingProtocols {
		// Not on a websocket's 101, where they mean nothing: fasthttp keeps
		// that response's headers for the socket's whole life.
		return err
	}
	h := &c.Response().Header
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	// same-origin rather than no-referrer: browsers without
	// Sec-Fetch-Site fall back on Origin and Referer checks.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.secure {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	return err
}

// refuseCrossOrigin rejects state-changing requests sent by other sites,
// using the browser's Sec-Fetch-Site and Origin headers (the rules of
// net/http's CrossOriginProtection, which it calls).
func (s *Server) refuseCrossOrigin(c *fiber.Ctx) error {
	req := &http.Request{Method: c.Method(), Host: c.Hostname(), Header: http.Header{}}
	for _, name := range []string{"Sec-Fetch-Site", "Origin"} {
		if v := c.Get(name); v != "" {
			req.Header.Set(name, v)
		}
	}
	if err := s.crossOrigin.Check(req); err != nil {
		return newPageError(fiber.StatusForbidden, i18n.Msg("Cross-site request refused: %v."), err)
	}
	return c.Next()
}
