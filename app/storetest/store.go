package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

var storeTests = []test{
	{"Ping", testPing},
	{"CloseTwiceThenPingFails", testCloseTwice},
	{"ReopenKeepsEverything", testReopenKeepsEverything},
}

func testPing(t *testing.T, b Backend) {
	s := b.open(t)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testCloseTwice(t *testing.T, b Backend) {
	s := b.open(t)
	createUser(t, s, "alice")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Ping(context.Background()); err == nil {
		t.Error("Ping after Close succeeded, want an error")
	}
}

// testReopenKeepsEverything is a restart: what one store wrote, a store
// opened afterwards on the same database reads, and message IDs go on
// growing. Opening runs the migrations again, which must change nothing.
func testReopenKeepsEverything(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	ctx := t.Context()
	s := open(t)
	u := createUser(t, s, "alice")
	if err := s.CreateSession(ctx, []byte("session"), u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	room := createRoom(t, s, "random", u.ID)
	first := createMessage(t, s, room.ID, u.ID, "before restart")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	for i := range 2 {
		s = open(t)
		got, hash, err := s.UserByUsername(ctx, "ALICE")
		if err != nil {
			t.Fatalf("reopen %d: UserByUsername: %v", i, err)
		}
		assertUser(t, "user after reopen", got, u)
		if string(hash) != "hash-of-alice" {
			t.Errorf("reopen %d: hash = %q, want %q", i, hash, "hash-of-alice")
		}
		if _, err := s.SessionUser(ctx, []byte("session")); err != nil {
			t.Errorf("reopen %d: SessionUser: %v", i, err)
		}
		gotRoom, err := s.RoomByName(ctx, "random")
		if err != nil {
			t.Fatalf("reopen %d: RoomByName: %v", i, err)
		}
		assertRooms(t, []parley.Room{gotRoom}, []parley.Room{room})
		assertMessages(t, messagesBefore(t, s, room.ID, 0, 50), []parley.Message{first})
		if err := s.Close(); err != nil {
			t.Fatalf("reopen %d: Close: %v", i, err)
		}
	}

	s = open(t)
	next := createMessage(t, s, room.ID, u.ID, "after restart")
	if next.ID <= first.ID {
		t.Errorf("message ID after reopen = %d, want more than %d", next.ID, first.ID)
	}
}
