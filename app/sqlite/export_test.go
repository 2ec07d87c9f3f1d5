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

// messagesBeforeInner is the inner query of MessagesBefore, the one that
// reads the messages table. Keep it in step with messages.go.
const messagesBeforeInner = `
	SELECT id, room_id, user_id, text, created_at FROM messages
	WHERE room_id = ? AND id < ?
	ORDER BY id DESC LIMIT ?`

// MessagesBeforePlan returns the detail lines of SQLite's query plan for
// MessagesBefore's inner query, as the store's readers would run it.
func MessagesBeforePlan(ctx context.Context, s *Store, roomID, before int64, limit int) ([]string, error) {
	rows, err := s.reader.QueryContext(ctx, "EXPLAIN QUERY PLAN "+messagesBeforeInner, roomID, before, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var details []string
	for rows.Next() {
		var id, parent, notUsed int64
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			return nil, err
		}
		details = append(details, detail)
	}
	return details, rows.Err()
}

// SetClock replaces the store's clock, so that tests can let time pass.
// Call it before the store is used concurrently.
func SetClock(s *Store, now func() time.Time) { s.now = now }
