package sqlite

import (
	"context"
	"database/sql"
)

// DeleteExpired removes expired sessions and expired pending OAuth
// sign-ins. Lookups ignore them anyway; the app may call this on a ticker
// to keep the tables small.
func (s *Store) DeleteExpired(ctx context.Context) error {
	now := toMillis(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= ?", now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM oauth_states WHERE expires_at <= ?", now)
		return err
	})
	return wrap("delete expired", err)
}
