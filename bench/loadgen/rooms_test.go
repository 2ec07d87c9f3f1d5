package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNewRoomPlan(t *testing.T) {
	tests := []struct {
		name                    string
		runID                   string
		rooms, sockets, users   int
		wantNames               []string
		wantExpected            []int
		wantLowest, wantHighest int
	}{
		{"one room is general", "abc", 1, 50, 10, []string{"general"}, []int{10}, 10, 10},
		{"one room, fewer sockets than users", "abc", 1, 3, 10, []string{"general"}, []int{3}, 3, 3},
		{"a user per socket", "abc", 3, 9, 9,
			[]string{"lg-abc-0", "lg-abc-1", "lg-abc-2"}, []int{3, 3, 3}, 3, 3},
		// Socket i is user i mod 2 in room i mod 4: rooms 0 and 2 hold
		// user 0 only, rooms 1 and 3 user 1 only.
		{"a user's sockets in some rooms", "abc", 4, 8, 2,
			[]string{"lg-abc-0", "lg-abc-1", "lg-abc-2", "lg-abc-3"}, []int{1, 1, 1, 1}, 1, 1},
		// Socket i is user i mod 10 in room i mod 6: every user in three
		// rooms, five users per room.
		{"users across rooms", "abc", 6, 60, 10, nil, []int{5, 5, 5, 5, 5, 5}, 5, 5},
		// Sockets 0..6 in 3 rooms: room 0 has 0, 3, 6; rooms 1, 2 two each.
		{"uneven rooms", "abc", 3, 7, 7, nil, []int{3, 2, 2}, 2, 3},
		{"upper-case run ID", "ABC", 2, 2, 2, []string{"lg-abc-0", "lg-abc-1"}, []int{1, 1}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := newRoomPlan(tt.runID, tt.rooms, tt.sockets, tt.users, false)
			if tt.wantNames != nil && !slices.Equal(plan.names, tt.wantNames) {
				t.Errorf("names = %q, want %q", plan.names, tt.wantNames)
			}
			if len(plan.names) != tt.rooms {
				t.Errorf("%d names, want %d", len(plan.names), tt.rooms)
			}
			if !slices.Equal(plan.expected, tt.wantExpected) {
				t.Errorf("expected counts = %v, want %v", plan.expected, tt.wantExpected)
			}
			lowest, highest := plan.expectedRange()
			if lowest != tt.wantLowest || highest != tt.wantHighest {
				t.Errorf("expectedRange() = %d, %d; want %d, %d", lowest, highest, tt.wantLowest, tt.wantHighest)
			}
		})
	}
}

func TestDescribeRange(t *testing.T) {
	tests := []struct {
		lowest, highest int
		want            string
	}{
		{10, 10, "10"},
		{9, 10, "9..10"},
	}
	for _, tt := range tests {
		if got := describeRange(tt.lowest, tt.highest); got != tt.want {
			t.Errorf("describeRange(%d, %d) = %q, want %q", tt.lowest, tt.highest, got, tt.want)
		}
	}
}

func TestRoomOf(t *testing.T) {
	tests := []struct {
		socket, rooms, want int
	}{
		{0, 1, 0},
		{9999, 1, 0},
		{0, 1000, 0},
		{999, 1000, 999},
		{1000, 1000, 0},
		{9999, 1000, 999},
	}
	for _, tt := range tests {
		if got := roomOf(tt.socket, tt.rooms); got != tt.want {
			t.Errorf("roomOf(%d, %d) = %d, want %d", tt.socket, tt.rooms, got, tt.want)
		}
	}
}

func TestSocketURL(t *testing.T) {
	const ws = "ws://127.0.0.1:8080/ws"
	tests := []struct {
		name  string
		rooms int
		index int
		want  string
	}{
		{"one room: the plain URL", 1, 0, ws},
		{"first room", 3, 0, ws + "?room=lg-r1-0"},
		{"last room", 3, 2, ws + "?room=lg-r1-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := newRoomPlan("r1", tt.rooms, 3, 3, false)
			if got := plan.socketURL(ws, tt.index); got != tt.want {
				t.Errorf("socketURL(%q, %d) = %q, want %q", ws, tt.index, got, tt.want)
			}
		})
	}
}

func TestCheckRoomName(t *testing.T) {
	tests := []struct {
		name   string
		wantOK bool
	}{
		{"general", true},
		{"lg-0a1b2c-999", true},
		{"ab", true},
		{"9-lives", true},
		{strings.Repeat("a", 32), true},
		{"a", false},
		{strings.Repeat("a", 33), false},
		{"-lead", false},
		{"Upper", false},
		{"under_score", false},
		{"sp ace", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkRoomName(tt.name)
			if gotOK := err == nil; gotOK != tt.wantOK {
				t.Errorf("checkRoomName(%q) = %v, want ok = %v", tt.name, err, tt.wantOK)
			}
		})
	}
}

func TestNormalizeRooms(t *testing.T) {
	valid := Options{URL: "http://127.0.0.1:8080", Sockets: 100, Rooms: 1, DialConcurrency: 1,
		PhaseTimeout: time.Second, RunID: "abc123"}
	tests := []struct {
		name    string
		change  func(*Options)
		wantErr string // empty: no error
	}{
		{"one room", func(*Options) {}, ""},
		{"a room per socket", func(o *Options) { o.Rooms = 100 }, ""},
		{"rooms of ten", func(o *Options) { o.Rooms = 10 }, ""},
		{"no rooms", func(o *Options) { o.Rooms = 0 }, "rooms must be at least 1, got 0"},
		{"negative rooms", func(o *Options) { o.Rooms = -2 }, "rooms must be at least 1, got -2"},
		{"more rooms than sockets", func(o *Options) { o.Rooms = 101 },
			"rooms (101) must not exceed sockets (100): every room needs a socket"},
		{"run ID unfit for room names", func(o *Options) { o.Rooms = 2; o.RunID = "a_b" }, `run ID "a_b" with 2 rooms`},
		{"run ID too long for room names", func(o *Options) { o.Rooms = 100; o.RunID = strings.Repeat("x", 27) },
			"must be 2 to 32 characters long"},
		{"any run ID with one room", func(o *Options) { o.RunID = "a_b" }, ""},
		{"a random run ID makes room names", func(o *Options) { o.Rooms = 100; o.RunID = "" }, ""},
		{"a hold", func(o *Options) { o.Hold = time.Second / 2 }, ""},
		{"a negative hold", func(o *Options) { o.Hold = -time.Second },
			"hold (-1s) must be at least 0 and less than the phase timeout (1s)"},
		{"a hold as long as a phase", func(o *Options) { o.Hold = time.Second },
			"hold (1s) must be at least 0 and less than the phase timeout (1s)"},
		{"a dial spread", func(o *Options) { o.DialSpread = time.Second / 2 }, ""},
		{"a private room", func(o *Options) { o.Private = true }, ""},
		{"private rooms", func(o *Options) { o.Private = true; o.Rooms = 2 }, "private needs one room and no trickle"},
		{"a trickle into a private room", func(o *Options) { o.Private = true; o.Trickle = 1; o.TrickleEvery = time.Millisecond }, "private needs one room and no trickle"},
		{"a negative dial spread", func(o *Options) { o.DialSpread = -time.Second },
			"dial spread (-1s) must not be negative, and less than the phase timeout (1s)"},
		{"a dial spread as long as a phase", func(o *Options) { o.DialSpread = time.Second },
			"dial spread (1s) must not be negative, and less than the phase timeout (1s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := valid
			tt.change(&opts)
			_, err := opts.normalize()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("normalize() = %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("normalize() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// testSocket is a socket without a connection, in room, that has received
// frames frames and shows count (its room's count is expected).
func testSocket(t *testing.T, index, room, expected int, frames, count int64, stalled bool) *socket {
	t.Helper()
	s := newSocket(index, place{user: index, room: room, expected: expected}, nil, stalled)
	s.frames.Store(frames)
	s.count.Store(count)
	return s
}

func TestReadersIn(t *testing.T) {
	sockets := []*socket{
		testSocket(t, 0, 0, 2, 0, 2, false),
		testSocket(t, 1, 1, 2, 0, 2, false),
		testSocket(t, 2, 0, 2, 0, 2, true),
		testSocket(t, 3, 1, 2, 0, 2, false),
		testSocket(t, 4, 0, 2, 0, 2, false),
	}
	tests := []struct {
		room, want int
	}{
		{0, 2}, // socket 2 stalls
		{1, 2},
		{2, 0},
	}
	for _, tt := range tests {
		if got := readersIn(sockets, tt.room); got != tt.want {
			t.Errorf("readersIn(room %d) = %d, want %d", tt.room, got, tt.want)
		}
	}
}

func TestBroadcastFrames(t *testing.T) {
	tests := []struct {
		name    string
		sockets []*socket
		before  []int64
		want    FramesPerSocket
	}{
		{
			name: "one room",
			sockets: []*socket{
				testSocket(t, 0, 0, 1, 12, 1, false),
				testSocket(t, 1, 0, 1, 11, 1, false),
			},
			before: []int64{2, 1},
			want:   FramesPerSocket{InRoomAvg: 10},
		},
		{
			name: "frames elsewhere, stalled sockets left out",
			sockets: []*socket{
				testSocket(t, 0, 0, 1, 25, 1, false),
				testSocket(t, 1, 1, 1, 4, 1, false),
				testSocket(t, 2, 0, 1, 99, 1, true),
				testSocket(t, 3, 1, 1, 1, 1, false),
				testSocket(t, 4, 0, 1, 20, 1, false),
				testSocket(t, 5, 2, 1, 99, 1, true),
			},
			before: []int64{5, 1, 0, 1, 0, 0},
			want:   FramesPerSocket{InRoomAvg: 20, ElsewhereAvg: 1.5, ElsewhereMax: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := broadcastFrames(tt.sockets, tt.before, 0); got != tt.want {
				t.Errorf("broadcastFrames() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAllShowExpected(t *testing.T) {
	tests := []struct {
		name    string
		sockets []*socket
		want    bool
		summary string
	}{
		{
			name: "every room on its count",
			sockets: []*socket{
				testSocket(t, 0, 0, 3, 0, 3, false),
				testSocket(t, 1, 1, 2, 0, 2, false),
			},
			want:    true,
			summary: "2 of 2 sockets show their room's count, counts seen 2..3 (-1: none yet)",
		},
		{
			name: "one socket shows the whole server's count",
			sockets: []*socket{
				testSocket(t, 0, 0, 3, 0, 3, false),
				testSocket(t, 1, 1, 2, 0, 5, false),
			},
			want:    false,
			summary: "1 of 2 sockets show their room's count, counts seen 3..5 (-1: none yet); socket 1 (room 1) shows 5, want 2",
		},
		{
			name: "no count yet",
			sockets: []*socket{
				testSocket(t, 0, 0, 3, 0, -1, false),
			},
			want:    false,
			summary: "0 of 1 sockets show their room's count, counts seen -1..-1 (-1: none yet); socket 0 (room 0) shows -1, want 3",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := allShowExpected(tt.sockets); got != tt.want {
				t.Errorf("allShowExpected() = %v, want %v", got, tt.want)
			}
			if got := countSummary(tt.sockets); got != tt.summary {
				t.Errorf("countSummary() = %q, want %q", got, tt.summary)
			}
		})
	}
}

func TestNoteMessage(t *testing.T) {
	const prefix = "lgtokabcx"
	tests := []struct {
		name         string
		room         int
		frame        string
		lastProbe    int64
		wantLast     int64
		wantArrivals int64
		wantForeign  int64
	}{
		{"the followed message in the sender's room", 0, "<p>lg lgtokabcx7z</p>", 6, 7, 1, 0},
		{"the same message again", 0, "<p>lg lgtokabcx7z</p>", 7, 7, 0, 0},
		{"an earlier message in the sender's room", 0, "<p>lg lgtokabcx6z</p>", 6, 6, 0, 0},
		{"the followed message in another room", 1, "<p>lg lgtokabcx7z</p>", 6, 6, 0, 1},
		{"an earlier message in another room", 2, "<p>lg lgtokabcx3z</p>", 6, 6, 0, 1},
		{"a presence frame", 1, `<span id="num-users">3 users online</span>`, 6, 6, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFleet(prefix, 0)
			p := newProbe(7, prefix+"7z", 2)
			f.probe.Store(p)
			s := testSocket(t, 1, tt.room, 1, 0, 1, false)
			got := f.noteMessage(s, []byte(tt.frame), 1, tt.lastProbe)
			if got != tt.wantLast {
				t.Errorf("last message counted = %d, want %d", got, tt.wantLast)
			}
			if arrivals := p.arrivals.Load(); arrivals != tt.wantArrivals {
				t.Errorf("arrivals = %d, want %d", arrivals, tt.wantArrivals)
			}
			if foreign := f.foreign.Load(); foreign != tt.wantForeign {
				t.Errorf("foreign deliveries = %d, want %d", foreign, tt.wantForeign)
			}
		})
	}
}

func TestFeedIndexesEvenlySpreadsThemOverTheTime(t *testing.T) {
	const count, over = 5, 200 * time.Millisecond
	indexes := make(chan int)
	start := time.Now()
	go feedIndexesEvenly(context.Background(), indexes, count, over)
	next := 0
	for i := range indexes {
		if i != next {
			t.Fatalf("got index %d, want %d", i, next)
		}
		if got, want := time.Since(start), over*time.Duration(i)/count; got < want {
			t.Errorf("index %d came after %v, want no sooner than %v", i, got, want)
		}
		next++
	}
	if next != count {
		t.Errorf("got %d indexes, want %d", next, count)
	}
}

func TestPrivatePlanIsOneRoomOfTheRun(t *testing.T) {
	plan := newRoomPlan("AbC123", 1, 4, 2, true)
	if got, want := plan.names, []string{"lg-abc123-private"}; !slices.Equal(got, want) {
		t.Errorf("names = %q, want %q", got, want)
	}
	if !plan.creates() {
		t.Error("a private plan does not create its room")
	}
	if got, want := plan.socketURL("ws://127.0.0.1:8080/ws", 0), "ws://127.0.0.1:8080/ws?room=lg-abc123-private"; got != want {
		t.Errorf("socketURL = %q, want %q", got, want)
	}
	if got := plan.expected; !slices.Equal(got, []int{2}) {
		t.Errorf("expected = %v, want [2]", got)
	}
}
