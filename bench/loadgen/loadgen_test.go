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

// Test run sizes: small enough for a few seconds under -race. The phase
// timeout only bounds a run that hangs: the tests check counts, never
// timings, and on two busy cores under -race signing in 300 users has
// taken more than 15 s.
const (
	testUsers        = 10
	testSockets      = 50
	testMessages     = 5
	testPhaseTimeout = time.Minute
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
		Rooms:           1,
		Messages:        testMessages,
		DialConcurrency: 10,
		PhaseTimeout:    testPhaseTimeout,
		PIDs:            []int{os.Getpid()}, // the server runs in this process
		Log:             testLog{t},
	}
}

// checkCounts checks the counts a run of opts in one room reports.
func checkCounts(t *testing.T, opts Options, got Result) {
	t.Helper()
	checkRoomCounts(t, opts, got, roomWant{perRoom: opts.Users, receivers: opts.Sockets - got.StalledSockets})
}

// roomWant is what a run must report about the sender's room.
type roomWant struct {
	perRoom   int // the count each room's sockets end on
	receivers int // reading sockets in the sender's room
}

// checkRoomCounts checks the counts a run of opts reports: every socket
// ends on its room's count and no message leaves its room.
func checkRoomCounts(t *testing.T, opts Options, got Result, want roomWant) {
	t.Helper()
	checks := []struct {
		name      string
		got, want int64
	}{
		{"rooms", int64(got.Rooms), int64(opts.Rooms)},
		{"storm expected count", int64(got.Storm.ExpectedCount), int64(want.perRoom)},
		{"storm smallest expected count", int64(got.Storm.ExpectedCountMin), int64(want.perRoom)},
		{"sockets showing their room's count", int64(got.Storm.SocketsShowingExpected), int64(opts.Sockets)},
		{"broadcast messages", int64(got.Broadcast.Messages), int64(opts.Messages)},
		{"broadcast receivers", int64(got.Broadcast.Receivers), int64(want.receivers)},
		{"broadcast deliveries", got.Broadcast.Deliveries, int64(opts.Messages * want.receivers)},
		{"message frames outside the sender's room", got.Broadcast.ForeignDeliveries, 0},
		{"rooms created", int64(got.RoomSetup.Created), int64(roomsToCreate(opts))},
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

// roomsToCreate is how many rooms a fresh run creates: none with one
// room, which is general.
func roomsToCreate(opts Options) int {
	switch {
	case opts.Private:
		return 1
	case opts.Rooms == 1:
		return 0
	}
	return opts.Rooms
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

// acceptRooms answers POST /rooms with 303, as Parley does for a new room,
// in front of the floor, which has one room: every socket of every "room"
// then receives every message.
func acceptRooms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/rooms" {
			http.Redirect(w, r, "/r/"+r.PostFormValue("name"), http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func TestRunCountsMessagesThatLeaveTheirRoom(t *testing.T) {
	broadcaster := floor.New()
	server := httptest.NewServer(acceptRooms(broadcaster.Handler()))
	t.Cleanup(func() {
		broadcaster.Close()
		server.Close()
	})
	opts := testOptions(t, server.URL)
	// Socket i is user i mod 5 in room i mod 6: every room holds all five
	// users, so the floor's one count is every room's count.
	opts.Sockets, opts.Users, opts.Rooms = 60, 5, 6
	got, err := run(context.Background(), opts)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	// The other rooms' sockets may still be reading the last messages when
	// the leave storm closes them: some of the frames may never arrive.
	elsewhere := int64(opts.Sockets - opts.Sockets/opts.Rooms)
	most := int64(opts.Messages) * elsewhere
	if foreign := got.Broadcast.ForeignDeliveries; foreign < 1 || foreign > most {
		t.Errorf("message frames outside the sender's room = %d, want 1..%d (%d messages to %d sockets)",
			foreign, most, opts.Messages, elsewhere)
	}
	if got.Broadcast.Frames.ElsewhereMax < 1 {
		t.Errorf("frames per socket outside the sender's room: max %d, want at least 1", got.Broadcast.Frames.ElsewhereMax)
	}
}
