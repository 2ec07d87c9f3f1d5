package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

const healthTimeout = 2 * time.Second

// checkHealth answers 200 while the process serves and its database answers.
func (s *Server) checkHealth(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(context.Background(), healthTimeout)
	defer cancel()
	c.Set(fiber.HeaderCacheControl, "no-store")
	if err := s.opts.Store.Ping(ctx); err != nil {
		s.log.Error("web: health check", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable\n")
	}
	return c.SendString("ok\n")
}
