package main

import (
	"context"
	"testing"

	"github.com/parleychat/parley/app/apptest"
)

// startParley serves the real Parley in-process on 127.0.0.1 with a
// fresh database, the limits off and cheap password hashing.
func startParley(t *testing.T) string {
	t.Helper()
	return apptest.Start(t, apptest.Config(t)).URL()
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
