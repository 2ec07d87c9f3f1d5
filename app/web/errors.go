package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// pageError is an error page whose detail is formatted with args in the
// reader's language. A *fiber.Error's message is a catalogue string
// (i18n.Msg) and is translated as it is.
type pageError struct {
	status int
	format string
	args   []any
}

func (e *pageError) Error() string { return fmt.Sprintf(e.format, e.args...) }

// newPageError is fiber.NewError for a detail with arguments.
func newPageError(status int, format string, args ...any) error {
	return &pageError{status: status, format: format, args: args}
}

// statusTitles are the titles of the error pages Parley shows.
var statusTitles = map[int]string{
	fiber.StatusBadRequest:            i18n.Msg("Bad Request"),
	fiber.StatusUnauthorized:          i18n.Msg("Unauthorized"),
	fiber.StatusForbidden:             i18n.Msg("Forbidden"),
	fiber.StatusNotFound:              i18n.Msg("Not Found"),
	fiber.StatusMethodNotAllowed:      i18n.Msg("Method Not Allowed"),
	fiber.StatusConflict:              i18n.Msg("Conflict"),
	fiber.StatusRequestEntityTooLarge: i18n.Msg("Request Entity Too Large"),
	fiber.StatusUnprocessableEntity:   i18n.Msg("Unprocessable Entity"),
	fiber.StatusUpgradeRequired:       i18n.Msg("Upgrade Required"),
	fiber.StatusTooManyRequests:       i18n.Msg("Too Many Requests"),
	fiber.StatusInternalServerError:   i18n.Msg("Internal Server Error"),
	fiber.StatusServiceUnavailable:    i18n.Msg("Service Unavailable"),
}

// showNotFound is the last route: anything unknown is a 404 page.
func (s *Server) showNotFound(c *fiber.Ctx) error {
	return fiber.NewError(fiber.StatusNotFound, i18n.Msg("There is nothing at this address."))
}

// handleError renders every error as a page with the right status, in the
// reader's language. Errors that are neither *fiber.Error nor pageError
// are internal: logged, and shown without detail.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	loc := locale(c)
	status, detail := fiber.StatusInternalServerError, loc.T("Something went wrong on our side. Please try again.")
	var fe *fiber.Error
	var pe *pageError
	switch {
	case errors.As(err, &pe):
		status, detail = pe.status, loc.T(pe.format, pe.args...)
	case errors.As(err, &fe):
		status, detail = fe.Code, loc.T(fe.Message)
	case errors.Is(err, parley.ErrUnavailable):
		// Trying later may work: say so, rather than "something went
		// wrong".
		s.log.Error("web: database unavailable", "method", c.Method(), "path", c.Path(), "err", err)
		status, detail = fiber.StatusServiceUnavailable, loc.T("Parley cannot use its database right now. Please try again in a minute.")
	default:
		s.log.Error("web: request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	if status == fiber.StatusRequestHeaderFieldsTooLarge {
		drainUnread(c.Context().Conn())
	}
	title := http.StatusText(status)
	if t, ok := statusTitles[status]; ok {
		title = loc.T(t)
	}
	c.Response().ResetBody()
	c.SetUserContext(i18n.With(c.UserContext(), loc))
	return render(c, status, components.ErrorPage(status, title, detail))
}
