package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// DeleteExpired removes expired sessions and expired pending OAuth
// sign-ins. Lookups ignore them anyway; the app calls this on a ticker to
// keep the tables small. Several instances may do so at once.
func (s *Store) DeleteExpired(ctx context.Context) error {
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE expires_at <= $1", now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM oauth_states WHERE expires_at <= $1", now)
		return err
	})
	return wrap("delete expired", err)
}
