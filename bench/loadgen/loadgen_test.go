package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/bench/internal/floor"
)

// Test run sizes: small enough for a few seconds under -race.
const (
	testUsers        = 10
	testSockets      = 50
	testMessages     = 5
	testPhaseTimeout = 15 * time.Second
)

// testLog forwards the generator's progress lines to t.Log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// startFloor serves the floor in-process on 127.0.0.1 and returns its URL.
func startFloor(t *testing.T) string {
	t.Helper()
	broadcaster := floor.New()
	server := httptest.NewServer(broadcaster.Handler())
	t.Cleanup(func() {
		broadcaster.Close() // websockets are hijacked: httptest does not wait for them
		server.Close()
	})
	return server.URL
}

func testOptions(t *testing.T, url string) Options {
	return Options{
		URL:             url,
		Users:           testUsers,
		Sockets:         testSockets,
		Messages:        testMessages,
		DialConcurrency: 10,
		PhaseTimeout:    testPhaseTimeout,
		PID:             os.Getpid(), // the server runs in this process
		Log:             testLog{t},
	}
}

// checkCounts checks the counts a run reports for opts.
func checkCounts(t *testing.T, opts Options, got Result) {
	t.Helper()
	receivers := opts.Sockets - got.StalledSockets
	checks := []struct {
		name      string
		got, want int64
	}{
		{"storm expected count", int64(got.Storm.ExpectedCount), int64(opts.Users)},
		{"sockets showing the final count", int64(got.Storm.SocketsShowingExpected), int64(opts.Sockets)},
		{"broadcast messages", int64(got.Broadcast.Messages), int64(opts.Messages)},
		{"broadcast receivers", int64(got.Broadcast.Receivers), int64(receivers)},
		{"broadcast deliveries", got.Broadcast.Deliveries, int64(opts.Messages * receivers)},
		{"sockets closed in the leave storm", int64(got.Leave.Closed), int64(opts.Sockets - 1)},
		{"survivor's count after the leave storm", int64(got.Leave.SurvivorCount), 1},
		{"users registered", int64(got.SignIn.Registered), int64(opts.Users)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if got.Storm.PresenceFramesMax < 1 || got.Storm.Frames < int64(opts.Sockets) {
		t.Errorf("storm frames = %d, presence frames max = %d: every socket must get a count",
			got.Storm.Frames, got.Storm.PresenceFramesMax)
	}
	if got.Server == nil || got.Server.PeakRSSBytes <= 0 {
		t.Errorf("server resources = %+v, want RSS read from /proc", got.Server)
	}
}

func TestRunAgainstFloor(t *testing.T) {
	tests := []struct {
		name           string
		stalledPercent float64
		wantStalled    int
	}{
		{"every socket reads", 0, 0},
		{"ten percent stop reading", 10, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := startFloor(t)
			opts := testOptions(t, url)
			opts.StalledPercent = tt.stalledPercent
			ctx, cancel := context.WithTimeout(context.Background(), 4*testPhaseTimeout)
			defer cancel()
			got, err := run(ctx, opts)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if got.StalledSockets != tt.wantStalled {
				t.Errorf("stalled sockets = %d, want %d", got.StalledSockets, tt.wantStalled)
			}
			checkCounts(t, opts, got)
		})
	}
}

// refuseTakenNames answers a second /register of a name with 409, as
// Parley does, so that the generator must sign in through /login.
func refuseTakenNames(next http.Handler) http.Handler {
	var mu sync.Mutex
	taken := make(map[string]bool)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/register" {
			name := r.PostFormValue("username")
			mu.Lock()
			wasTaken := taken[name]
			taken[name] = true
			mu.Unlock()
			if wasTaken {
				http.Error(w, "username is already taken", http.StatusConflict)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func TestRunSignsInTakenNamesThroughLogin(t *testing.T) {
	broadcaster := floor.New()
	server := httptest.NewServer(refuseTakenNames(broadcaster.Handler()))
	t.Cleanup(func() {
		broadcaster.Close()
		server.Close()
	})
	opts := testOptions(t, server.URL)
	opts.RunID = "again"
	opts.Messages = 1
	for _, want := range []SignInResult{{Registered: testUsers}, {LoggedIn: testUsers}} {
		got, err := run(context.Background(), opts)
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		if got.SignIn.Registered != want.Registered || got.SignIn.LoggedIn != want.LoggedIn {
			t.Errorf("registered %d, signed in %d; want %d, %d",
				got.SignIn.Registered, got.SignIn.LoggedIn, want.Registered, want.LoggedIn)
		}
	}
}

func TestRunJoinsItsGoroutines(t *testing.T) {
	url := startFloor(t)
	before := runtime.NumGoroutine()
	opts := testOptions(t, url)
	opts.Messages = 1
	if _, err := run(context.Background(), opts); err != nil {
		t.Fatalf("run: %v", err)
	}
	// The in-process floor's handlers and connections end a moment after
	// the generator's sockets close.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines after the run, %d before", after, before)
	}
}

func TestRunRefusesRemoteURL(t *testing.T) {
	opts := testOptions(t, "http://192.0.2.1:8080")
	_, err := run(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "not loopback") {
		t.Fatalf("run against a remote URL: err = %v, want a refusal", err)
	}
}
