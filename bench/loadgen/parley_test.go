package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleychat/parley/app"
)

// startParley serves the real Parley in-process on 127.0.0.1 with a
// fresh database, the limits off and cheap password hashing.
func startParley(t *testing.T) string {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DatabaseURL = "file:" + filepath.Join(t.TempDir(), "parley.db")
	cfg.BcryptCost = 4
	cfg.AuthRateLimit = 0
	cfg.MessageRateLimit = 0
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithTimeout(context.Background(), testPhaseTimeout)
	defer cancel()
	a, err := app.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start Parley: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("shut Parley down: %v", err)
		}
	})
	return a.URL()
}

func TestRunAgainstParley(t *testing.T) {
	opts := testOptions(t, startParley(t))
	ctx, cancel := context.WithTimeout(context.Background(), 4*testPhaseTimeout)
	defer cancel()
	got, err := run(ctx, opts)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	checkCounts(t, opts, got)
}
