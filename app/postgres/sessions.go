package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// CreateSession stores a session for the user under the hash of its
// secret ID, valid until expires. An unknown user is parley.ErrNotFound.
func (s *Store) CreateSession(ctx context.Context, idHash []byte, userID int64, expires time.Time) error {
	if len(idHash) == 0 {
		return wrap("create session", errEmptyKey)
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO sessions (id_hash, user_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4)`,
		idHash, userID, s.now(), expires)
	if violates(err, foreignKeyViolation, "") {
		return fmt.Errorf("postgres: create session: user %d: %w", userID, parley.ErrNotFound)
	}
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
