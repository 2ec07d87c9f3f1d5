package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// CreateSession stores a session for the user under the hash of its
// secret ID, valid until expires. An unknown user is parley.ErrNotFound; a
// banned one is parley.ErrBanned, and gets no session. The ban check is in
// the INSERT itself, so a ban that commits first always wins.
func (s *Store) CreateSession(ctx context.Context, idHash []byte, userID int64, expires time.Time) error {
	if len(idHash) == 0 {
		return wrap("create session", errEmptyKey)
	}
	res, err := s.writer.ExecContext(ctx, `
		INSERT INTO sessions (id_hash, user_id, created_at, expires_at)
		SELECT ?, ?, ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM bans WHERE bans.user_id = ?)`,
		idHash, userID, toMillis(s.now()), toMillis(expires), userID)
	if isForeignKeyViolation(err) {
		return fmt.Errorf("sqlite: create session: user %d: %w", userID, parley.ErrNotFound)
	}
	if err != nil {
		return wrap("create session", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return wrap("create session", err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: create session: user %d: %w", userID, parley.ErrBanned)
	}
	return nil
}

const sessionUserQuery = `
	SELECT ` + userColumns + `
	FROM sessions JOIN users ON users.id = sessions.user_id
	WHERE sessions.id_hash = ? AND sessions.expires_at > ?`

// SessionUser returns the user of an unexpired session, or an error that
// wraps parley.ErrNotFound.
func (s *Store) SessionUser(ctx context.Context, idHash []byte) (parley.User, error) {
	row := s.sessionUser.QueryRowContext(ctx, idHash, toMillis(s.now()))
	u, err := scanUser(row)
	if err != nil {
		return parley.User{}, wrap("session user", err)
	}
	return u, nil
}

// DeleteSession revokes a session; deleting a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, idHash []byte) error {
	_, err := s.writer.ExecContext(ctx, "DELETE FROM sessions WHERE id_hash = ?", idHash)
	return wrap("delete session", err)
}
