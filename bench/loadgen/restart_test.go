package main

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/parleychat/parley/app"
	"github.com/parleychat/parley/app/apptest"
)

func TestFullJitterStaysInTheExtensionsWindow(t *testing.T) {
	for retry, window := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		16 * time.Second, 32 * time.Second, 64 * time.Second, 64 * time.Second, 64 * time.Second} {
		var longest time.Duration
		for range 2000 {
			d := fullJitter(retry)
			if d < 0 || d >= window {
				t.Fatalf("fullJitter(%d) = %v, want in [0, %v)", retry, d, window)
			}
			longest = max(longest, d)
		}
		// Uniform over the window: 2000 draws reach its last tenth.
		if longest < window*9/10 {
			t.Errorf("fullJitter(%d): longest of 2000 draws %v, want close to %v", retry, longest, window)
		}
	}
}

func TestRestartModeAgainstParley(t *testing.T) {
	// A fixed address and database, so that the second Parley is the
	// first one restarted: same URL, same sessions.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := apptest.Config(t)
	cfg.Addr = ln.Addr().String()
	ln.Close()
	first, err := app.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}

	opts := testOptions(t, first.URL())
	opts.Restart = true
	opts.Sockets, opts.Users = 30, 10
	ready := make(chan struct{})
	opts.OnReady = func() { close(ready) }
	type outcome struct {
		res RestartResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := runRestart(context.Background(), opts)
		done <- outcome{res, err}
	}()

	select {
	case <-ready:
	case o := <-done:
		first.Shutdown(context.Background())
		t.Fatalf("runRestart ended before the restart: %+v", o)
	}
	// The restart: draining, 1012 to every socket, a pause with nothing
	// listening, then a new process on the same address and database.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := first.Shutdown(ctx); err != nil {
		t.Fatalf("shut the first Parley down: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	apptest.Start(t, cfg)

	o := <-done
	if o.err != nil {
		t.Fatalf("runRestart: %v", o.err)
	}
	got := o.res
	t.Logf("%+v", got)
	if got.CloseCodes[1012] != opts.Sockets {
		t.Errorf("close codes %v, want all %d sockets closed with 1012", got.CloseCodes, opts.Sockets)
	}
	if got.Dials < int64(opts.Sockets) {
		t.Errorf("dials after the restart: %d, want at least one per socket (%d)", got.Dials, opts.Sockets)
	}
	// Nothing listened for 300 ms, so the first reopen came after that.
	if got.DownSeconds < 0.3 {
		t.Errorf("down %v s, want at least the 0.3 s nothing listened", got.DownSeconds)
	}
	if got.AllBackSeconds < got.DownSeconds || got.ReconnectMaxSeconds > got.AllBackSeconds+0.001 {
		t.Errorf("all back %v s, down %v s, slowest socket %v s: inconsistent", got.AllBackSeconds, got.DownSeconds, got.ReconnectMaxSeconds)
	}
}

func TestRestartModeRefusesRooms(t *testing.T) {
	opts := testOptions(t, "http://127.0.0.1:1")
	opts.Restart, opts.Rooms = true, 2
	if _, err := runRestart(context.Background(), opts); err == nil {
		t.Errorf("-restart with -rooms 2 accepted")
	}
}
