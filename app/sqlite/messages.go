package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/parleychat/parley/app/parley"
)

// CreateMessage stores a message in a room and returns it with its ID, its
// time and its author's display name and provider. An unknown room or user
// is parley.ErrNotFound.
func (s *Store) CreateMessage(ctx context.Context, roomID, userID int64, text string) (parley.Message, error) {
	m := parley.Message{RoomID: roomID, UserID: userID, Text: text, CreatedAt: stored(s.now())}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx,
			"SELECT display_name, provider, admin FROM users WHERE id = ?", userID).
			Scan(&m.AuthorName, &m.AuthorProvider, &m.AuthorAdmin)
		if err != nil {
			return fmt.Errorf("user %d: %w", userID, err)
		}
		err = tx.QueryRowContext(ctx, `
			INSERT INTO messages (room_id, user_id, text, created_at) VALUES (?, ?, ?, ?)
			RETURNING id`,
			roomID, userID, text, toMillis(m.CreatedAt)).Scan(&m.ID)
		if isForeignKeyViolation(err) {
			return fmt.Errorf("room %d: %w", roomID, parley.ErrNotFound)
		}
		return err
	})
	if err != nil {
		return parley.Message{}, wrap("create message", err)
	}
	return m, nil
}

// MessagesBefore returns the newest limit messages of a room whose IDs are
// below before (0: no bound), oldest first, each with its author's display
// name and provider. It walks the (room_id, id) index backwards from
// before, so its cost depends on limit, not on how many messages the room
// or the database holds.
func (s *Store) MessagesBefore(ctx context.Context, roomID, before int64, limit int) ([]parley.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	rows, err := s.reader.QueryContext(ctx, `
		SELECT `+messageColumns+`
		FROM (
			SELECT id, room_id, user_id, text, created_at FROM messages
			WHERE room_id = ? AND id < ?
			ORDER BY id DESC LIMIT ?
		) AS m
		JOIN users ON users.id = m.user_id
		ORDER BY m.id`,
		roomID, before, limit)
	if err != nil {
		return nil, wrap("messages before", err)
	}
	defer rows.Close()
	messages := make([]parley.Message, 0, min(limit, parley.HistorySize+1))
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, wrap("messages before", err)
		}
		messages = append(messages, m)
	}
	return messages, wrap("messages before", rows.Err())
}

// messageColumns are the columns scanMessage reads, from a message m
// joined with its author in users.
const messageColumns = `m.id, m.room_id, m.user_id, users.display_name, users.provider,
	users.admin, m.text, m.created_at`

// scanMessage reads the messageColumns of one row.
func scanMessage(rows scanner) (parley.Message, error) {
	var m parley.Message
	var created int64
	err := rows.Scan(&m.ID, &m.RoomID, &m.UserID, &m.AuthorName, &m.AuthorProvider, &m.AuthorAdmin, &m.Text, &created)
	m.CreatedAt = fromMillis(created)
	return m, err
}
