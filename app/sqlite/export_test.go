package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// LoginStats returns a user's sign-in count and last sign-in time, which
// parley.User does not carry, for the black-box tests.
func LoginStats(ctx context.Context, s *Store, userID int64) (count int64, last time.Time, err error) {
	var lastMillis sql.NullInt64
	err = s.reader.QueryRowContext(ctx,
		"SELECT login_count, last_login_at FROM users WHERE id = ?", userID).
		Scan(&count, &lastMillis)
	if lastMillis.Valid {
		last = fromMillis(lastMillis.Int64)
	}
	return count, last, err
}
