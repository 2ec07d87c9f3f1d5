package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/parley"
)

// storeContext is the context of the store calls a handler makes for its
// request: the request's own (c.UserContext(), which carries the
// request's Locale) bounded by parley.StoreTimeout. The caller must call
// the CancelFunc before its handler returns (defer cancel()), and must
// not hand the context, or c, to anything that outlives the handler:
// Fiber reuses c for another request once the handler is done.
//
// What the request's context does not do, on Fiber v2: it is never
// cancelled when the client goes away. Fiber's UserContext is
// context.Background() unless a middleware sets one, and fasthttp, under
// it, neither reads the connection while a handler runs nor gives each
// request a context of its own (its RequestCtx.Done is closed only when
// the whole server shuts down). So a client that disconnects does not
// cancel its query; the timeout is what bounds it. Deriving from the
// request's context is still what lets a later middleware (or Fiber v3,
// or net/http) cancel store calls without touching the handlers.
func storeContext(c *fiber.Ctx) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.UserContext(), parley.StoreTimeout)
}
