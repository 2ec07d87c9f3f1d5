package postgres

import (
	"context"
	"time"
)

// LoginStats returns a user's sign-in count and last sign-in time, which
// parley.User does not carry, for the black-box tests.
func LoginStats(ctx context.Context, s *Store, userID int64) (count int64, last time.Time, err error) {
	var lastLogin *time.Time
	err = s.pool.QueryRow(ctx,
		"SELECT login_count, last_login_at FROM users WHERE id = $1", userID).
		Scan(&count, &lastLogin)
	if lastLogin != nil {
		last = lastLogin.UTC()
	}
	return count, last, err
}

// SetClock replaces the store's clock, so that tests can let time pass.
// Call it before the store is used concurrently.
func SetClock(s *Store, now func() time.Time) { s.now = now }
