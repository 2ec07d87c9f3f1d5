package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

// readyTimeout bounds the database check of /readyz: a load balancer
// probes often and must get an answer soon.
const readyTimeout = time.Second

// checkHealth is liveness: 200 while the process serves. It checks no
// dependency, so that a database outage does not get the process restarted.
func (s *Server) checkHealth(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString("ok\n")
}

// checkReady is readiness: 200 when the database (and NATS, when
// configured) answer within readyTimeout, 503 with the reason while
// draining or when one does not.
func (s *Server) checkReady(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if s.draining.Load() {
		return c.Status(fiber.StatusServiceUnavailable).SendString("draining: shutting down\n")
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
	defer cancel()
	if err := s.opts.Database.Ping(ctx); err != nil {
		s.log.Error("web: readiness check", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("database: not answering\n")
	}
	if s.opts.Link != nil {
		if err := s.opts.Link.Ping(readyTimeout); err != nil {
			s.log.Error("web: readiness check", "err", err)
			return c.Status(fiber.StatusServiceUnavailable).SendString("nats: not answering\n")
		}
	}
	return c.SendString("ready\n")
}

// Drain makes /readyz answer 503 from now on, so that a load balancer
// stops sending new visitors; everything else goes on serving.
func (s *Server) Drain() { s.draining.Store(true) }
