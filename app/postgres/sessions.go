package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleychat/parley/app/parley"
)

// CreateSession stores a session for the user under the hash of its
// secret ID, valid until expires. An unknown user is parley.ErrNotFound; a
// banned one is parley.ErrBanned, and gets no session.
//
// The transaction first takes a share lock on the user's row, which waits
// for a Ban in progress (Ban locks the row for update), and only then looks
// for a ban, in a statement of its own and so with a snapshot taken after
// that Ban committed: a session is either refused or stored before the Ban
// began, and then deleted by it. Without the lock a session could be
// stored, unseen, beside a ban being committed.
func (s *Store) CreateSession(ctx context.Context, idHash []byte, userID int64, expires time.Time) error {
	if len(idHash) == 0 {
		return wrap("create session", errEmptyKey)
	}
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM users WHERE id = $1 FOR KEY SHARE", userID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("user %d: %w", userID, parley.ErrNotFound)
		} else if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO sessions (id_hash, user_id, created_at, expires_at)
			SELECT $1::bytea, $2::bigint, $3::timestamptz, $4::timestamptz
			WHERE NOT EXISTS (SELECT 1 FROM bans WHERE bans.user_id = $2)`,
			idHash, userID, now, expires)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("user %d: %w", userID, parley.ErrBanned)
		}
		return nil
	})
	return wrap("create session", err)
}

// SessionUser returns the user of an unexpired session, or an error that
// wraps parley.ErrNotFound. Every page load and websocket asks: pgx
// prepares the query once per connection and reuses it.
func (s *Store) SessionUser(ctx context.Context, idHash []byte) (parley.User, error) {
	row := s.pool.QueryRow(ctx, `
		SELECT `+userColumns+`
		FROM sessions JOIN users ON users.id = sessions.user_id
		WHERE sessions.id_hash = $1 AND sessions.expires_at > $2`,
		idHash, s.now())
	u, err := scanUser(row)
	if err != nil {
		return parley.User{}, wrap("session user", err)
	}
	return u, nil
}

// DeleteSession revokes a session; deleting a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, idHash []byte) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM sessions WHERE id_hash = $1", idHash)
	return wrap("delete session", err)
}
