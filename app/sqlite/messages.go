package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/parleychat/parley/app/parley"
)

// CreateMessage stores a message and returns it with its ID, its time and
// its author's display name and provider. An unknown user is
// parley.ErrNotFound.
func (s *Store) CreateMessage(ctx context.Context, userID int64, text string) (parley.Message, error) {
	m := parley.Message{UserID: userID, Text: text, CreatedAt: stored(s.now())}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx,
			"SELECT display_name, provider FROM users WHERE id = ?", userID).
			Scan(&m.AuthorName, &m.AuthorProvider)
		if err != nil {
			return fmt.Errorf("user %d: %w", userID, err)
		}
		return tx.QueryRowContext(ctx, `
			INSERT INTO messages (user_id, text, created_at) VALUES (?, ?, ?)
			RETURNING id`,
			userID, text, toMillis(m.CreatedAt)).Scan(&m.ID)
	})
	if err != nil {
		return parley.Message{}, wrap("create message", err)
	}
	return m, nil
}

// RecentMessages returns the last limit messages, oldest first, each with
// its author's display name and provider. It walks the message IDs
// backwards from the newest, so its cost depends on limit, not on the
// number of stored messages.
func (s *Store) RecentMessages(ctx context.Context, limit int) ([]parley.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.reader.QueryContext(ctx, `
		SELECT m.id, m.user_id, users.display_name, users.provider, m.text, m.created_at
		FROM (SELECT id, user_id, text, created_at FROM messages ORDER BY id DESC LIMIT ?) AS m
		JOIN users ON users.id = m.user_id
		ORDER BY m.id`,
		limit)
	if err != nil {
		return nil, wrap("recent messages", err)
	}
	defer rows.Close()
	messages := make([]parley.Message, 0, min(limit, parley.HistorySize))
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, wrap("recent messages", err)
		}
		messages = append(messages, m)
	}
	return messages, wrap("recent messages", rows.Err())
}

// scanMessage reads one row of RecentMessages.
func scanMessage(rows *sql.Rows) (parley.Message, error) {
	var m parley.Message
	var created int64
	err := rows.Scan(&m.ID, &m.UserID, &m.AuthorName, &m.AuthorProvider, &m.Text, &created)
	m.CreatedAt = fromMillis(created)
	return m, err
}
