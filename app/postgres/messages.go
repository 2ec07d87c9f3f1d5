package postgres

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/parleychat/parley/app/parley"
)

// CreateMessage stores a message in a room and returns it with its ID, its
// time and its author's display name, provider and admin flag. An unknown
// room or user is parley.ErrNotFound.
//
// The messages of one room are added one at a time, under an advisory lock
// on the room held until commit, so that a room's messages become visible
// in the order of their IDs: whoever reads message N of a room, from any
// instance, can already read every earlier message of that room. Catch-up
// by ID relies on it; an identity alone would not promise it, since two
// transactions may commit in the opposite order to the one they drew their
// IDs in.
func (s *Store) CreateMessage(ctx context.Context, roomID, userID int64, text string) (parley.Message, error) {
	m := parley.Message{RoomID: roomID, UserID: userID, Text: text, CreatedAt: s.now()}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// A room ID past 32 bits shares its lock with another room: that
		// costs some waiting, never the order.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, $2)", lockRoomPosts, int32(roomID)); err != nil {
			return err
		}
		err := tx.QueryRow(ctx,
			"SELECT display_name, provider, admin FROM users WHERE id = $1", userID).
			Scan(&m.AuthorName, &m.AuthorProvider, &m.AuthorAdmin)
		if err != nil {
			return fmt.Errorf("user %d: %w", userID, err)
		}
		err = tx.QueryRow(ctx, `
			INSERT INTO messages (room_id, user_id, text, created_at) VALUES ($1, $2, $3, $4)
			RETURNING id`,
			roomID, userID, text, m.CreatedAt).Scan(&m.ID)
		if violates(err, foreignKeyViolation, "messages_room_id_fkey") {
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
// name, provider and admin flag. It walks the (room_id, id) index
// backwards from before, so its cost depends on limit, not on how many
// messages the room or the database holds.
func (s *Store) MessagesBefore(ctx context.Context, roomID, before int64, limit int) ([]parley.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+messageColumns+`
		FROM (
			SELECT id, room_id, user_id, text, created_at FROM messages
			WHERE room_id = $1 AND id < $2
			ORDER BY id DESC LIMIT $3
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
func scanMessage(row pgx.Row) (parley.Message, error) {
	var m parley.Message
	err := row.Scan(&m.ID, &m.RoomID, &m.UserID, &m.AuthorName, &m.AuthorProvider, &m.AuthorAdmin, &m.Text, &m.CreatedAt)
	if err != nil {
		return parley.Message{}, err
	}
	m.CreatedAt = m.CreatedAt.UTC()
	return m, nil
}
