package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// TestLockedDatabaseIsUnavailable holds the write lock from another
// connection, as another program would: writes and Ping fail with
// parley.ErrUnavailable, reads go on, and all works once it is released.
func TestLockedDatabaseIsUnavailable(t *testing.T) {
	path := dbPath(t)
	s := openAt(t, "file:"+path)
	alice := createUser(t, s, "alice")
	if _, err := s.CreateMessage(t.Context(), general, alice.ID, "before"); err != nil {
		t.Fatal(err)
	}

	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	if err := s.Ping(t.Context()); !errors.Is(err, parley.ErrUnavailable) {
		t.Errorf("Ping with the lock held elsewhere: %v, want ErrUnavailable", err)
	}
	t.Logf("Ping answered in %v", time.Since(start))
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if _, err := s.CreateMessage(ctx, general, alice.ID, "while locked"); !errors.Is(err, parley.ErrUnavailable) {
		t.Errorf("CreateMessage with the lock held elsewhere: %v, want ErrUnavailable", err)
	}
	if msgs, err := s.MessagesBefore(t.Context(), general, 1<<62, 10); err != nil || len(msgs) != 1 {
		t.Errorf("MessagesBefore with the lock held elsewhere: %d messages, %v; want the 1 stored", len(msgs), err)
	}

	if _, err := conn.ExecContext(t.Context(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping after the lock was released: %v", err)
	}
	if _, err := s.CreateMessage(t.Context(), general, alice.ID, "after"); err != nil {
		t.Errorf("CreateMessage after the lock was released: %v", err)
	}
}
