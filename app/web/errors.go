package web

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// showNotFound is the last route: anything unknown is a 404 page.
func (s *Server) showNotFound(c *fiber.Ctx) error {
	return fiber.NewError(fiber.StatusNotFound, "There is nothing at this address.")
}

// handleError renders every error as a page with the right status. Errors
// that are not *fiber.Error are internal: logged, and shown without detail.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, detail := fiber.StatusInternalServerError, "Something went wrong on our side. Please try again."
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		status, detail = fe.Code, fe.Message
	case errors.Is(err, parley.ErrUnavailable):
		// Trying later may work: say so, rather than "something went
		// wrong".
		s.log.Error("web: database unavailable", "method", c.Method(), "path", c.Path(), "err", err)
		status, detail = fiber.StatusServiceUnavailable, "Parley cannot use its database right now. Please try again in a minute."
	default:
		s.log.Error("web: request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	c.Response().ResetBody()
	return render(c, status, components.ErrorPage(status, http.StatusText(status), detail))
}
