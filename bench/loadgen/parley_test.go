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

func TestRunInRoomsAgainstParley(t *testing.T) {
	tests := []struct {
		name                   string
		sockets, users, rooms  int
		stalledPercent         float64
		wantPerRoom, receivers int
	}{
		// Socket i is user i: six rooms of ten people.
		{"one socket per user", 60, 60, 6, 0, 10, 10},
		// Socket i is user i mod 10 in room i mod 6: every user has
		// sockets in three rooms, every room ten sockets of five users.
		{"users in several rooms", 60, 10, 6, 0, 5, 10},
		// Sockets 1, 10, 20, 30, 40 and 50 stall: 30 in the sender's
		// room, the others in rooms 1, 2 and 4.
		{"stalled sockets", 60, 60, 6, 10, 10, 9},
		// A hundred rooms of three.
		{"many small rooms", 300, 300, 100, 0, 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(t, startParley(t))
			opts.Sockets, opts.Users, opts.Rooms = tt.sockets, tt.users, tt.rooms
			opts.StalledPercent = tt.stalledPercent
			ctx, cancel := context.WithTimeout(context.Background(), 5*testPhaseTimeout)
			defer cancel()
			got, err := run(ctx, opts)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			checkRoomCounts(t, opts, got, roomWant{perRoom: tt.wantPerRoom, receivers: tt.receivers})
			frames := got.Broadcast.Frames
			if frames.ElsewhereMax != 0 {
				t.Errorf("frames per socket outside the sender's room during the broadcast: max %d, want 0", frames.ElsewhereMax)
			}
			if frames.InRoomAvg < float64(opts.Messages) {
				t.Errorf("frames per socket in the sender's room during the broadcast: avg %g, want at least %d",
					frames.InRoomAvg, opts.Messages)
			}
		})
	}
}

func TestRunInRoomsReusesRooms(t *testing.T) {
	opts := testOptions(t, startParley(t))
	opts.Sockets, opts.Users, opts.Rooms = 12, 12, 4
	opts.Messages = 1
	opts.RunID = "again"
	for _, want := range []RoomSetupResult{{Created: 4}, {Existed: 4}} {
		got, err := run(context.Background(), opts)
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		if got.RoomSetup.Created != want.Created || got.RoomSetup.Existed != want.Existed {
			t.Errorf("rooms created %d, there already %d; want %d, %d",
				got.RoomSetup.Created, got.RoomSetup.Existed, want.Created, want.Existed)
		}
	}
}

// TestRunInAPrivateRoomAgainstParley: with -private every user is added
// to the run's private room through its members form, and every socket
// of theirs opens in it and ends on the count.
func TestRunInAPrivateRoomAgainstParley(t *testing.T) {
	opts := testOptions(t, startParley(t))
	opts.Sockets, opts.Users, opts.Private = 40, 20, true
	ctx, cancel := context.WithTimeout(context.Background(), 4*testPhaseTimeout)
	defer cancel()
	got, err := run(ctx, opts)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	checkCounts(t, opts, got)
}
