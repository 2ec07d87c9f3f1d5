package web_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/web"
)

// requestKey marks a value that a middleware puts in the request's context.
type requestKey struct{}

// TestStoreContextDerivesFromTheRequest checks that a handler's store
// context carries what the request's context carries, ends within
// parley.StoreTimeout, and ends at once when cancelled.
func TestStoreContextDerivesFromTheRequest(t *testing.T) {
	app := fiber.New()
	var (
		value    any
		deadline time.Duration
		hasLimit bool
		errLive  error
		errAfter error
	)
	app.Get("/", func(c *fiber.Ctx) error {
		c.SetUserContext(context.WithValue(c.UserContext(), requestKey{}, "from the request"))
		return c.Next()
	}, func(c *fiber.Ctx) error {
		ctx, cancel := web.StoreContext(c)
		value = ctx.Value(requestKey{})
		var end time.Time
		end, hasLimit = ctx.Deadline()
		deadline = time.Until(end)
		errLive = ctx.Err()
		cancel()
		errAfter = ctx.Err()
		return c.SendStatus(fiber.StatusNoContent)
	})
	resp, err := app.Test(httptest.NewRequest("GET", "/", nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != fiber.StatusNoContent {
		t.Fatalf("status = %d, want %d", resp.StatusCode, fiber.StatusNoContent)
	}
	if value != "from the request" {
		t.Errorf("store context value = %v, want the request context's", value)
	}
	if !hasLimit || deadline <= 0 || deadline > parley.StoreTimeout {
		t.Errorf("store context deadline in %v (set: %v), want within parley.StoreTimeout (%v)", deadline, hasLimit, parley.StoreTimeout)
	}
	if errLive != nil {
		t.Errorf("store context before cancel: %v, want live", errLive)
	}
	if errAfter != context.Canceled {
		t.Errorf("store context after cancel: %v, want context.Canceled", errAfter)
	}
}
