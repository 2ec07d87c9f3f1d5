package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/servicetest"
)

// TestUnansweredDatabaseIsUnavailable checks that a store call that the
// database does not answer before its deadline says parley.ErrUnavailable,
// so that the web layer answers 503 and not 500.
func TestUnansweredDatabaseIsUnavailable(t *testing.T) {
	servicetest.Require(t, servicetest.PostgresVar, "PostgreSQL database")
	url := servicetest.PostgresURL(t)
	s := openAt(t, url)
	// A lock held by another connection: the write waits until the
	// caller's deadline.
	other := rawConn(t, url)
	if _, err := other.Exec(t.Context(), "BEGIN; LOCK TABLE messages IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	u, err := s.CreateUser(t.Context(), "alice", []byte("hash"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateMessage(ctx, 1, u.ID, "while locked"); !errors.Is(err, parley.ErrUnavailable) {
		t.Errorf("CreateMessage with the table locked elsewhere: %v, want ErrUnavailable", err)
	}
	if _, err := other.Exec(t.Context(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateMessage(t.Context(), 1, u.ID, "after"); err != nil {
		t.Errorf("CreateMessage after the lock was released: %v", err)
	}
}
