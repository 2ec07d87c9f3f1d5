// Package apptest starts a real Parley for tests in other packages: on a
// loopback port, with its own SQLite file, cheap password hashing, no rate
// limits and a quiet log.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleychat/parley/app"
)

// shutdownTimeout bounds the shutdown at the end of a test.
const shutdownTimeout = 10 * time.Second

// Config returns a test configuration: 127.0.0.1 on a free port (BaseURL
// follows it), a fresh database under t.TempDir(), bcrypt cost 4, both rate
// limits off, and no log output. Tests change what they need.
func Config(t testing.TB) app.Config {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DatabaseURL = "file:" + filepath.Join(t.TempDir(), "parley.db")
	cfg.BcryptCost = 4
	cfg.AuthRateLimit = 0
	cfg.Chat.MessageRateLimit = 0
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return cfg
}

// Start starts Parley with cfg and shuts it down when the test ends.
func Start(t testing.TB, cfg app.Config) *app.App {
	t.Helper()
	a, err := app.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start Parley: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("shut Parley down: %v", err)
		}
	})
	return a
}
