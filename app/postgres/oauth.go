package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// SaveOAuthState keeps a pending OAuth sign-in under the hash of its state
// until expires.
func (s *Store) SaveOAuthState(ctx context.Context, stateHash []byte, pending parley.OAuthPending, expires time.Time) error {
	if len(stateHash) == 0 {
		return wrap("save oauth state", errEmptyKey)
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO oauth_states (state_hash, provider, verifier, session, expires_at)
		VALUES ($1, $2, $3, $4, $5)`,
		stateHash, pending.Provider, pending.Verifier, pending.Session, expires)
	return wrap("save oauth state", err)
}

// TakeOAuthState returns and deletes a pending, unexpired OAuth sign-in in
// one statement, so that each state is used at most once even when two
// callbacks race, on one instance or two. An unknown, used or expired
// state is parley.ErrNotFound; an expired one is deleted too.
func (s *Store) TakeOAuthState(ctx context.Context, stateHash []byte) (parley.OAuthPending, error) {
	var p parley.OAuthPending
	var expires time.Time
	err := s.pool.QueryRow(ctx, `
		DELETE FROM oauth_states WHERE state_hash = $1
		RETURNING provider, verifier, session, expires_at`,
		stateHash).Scan(&p.Provider, &p.Verifier, &p.Session, &expires)
	if err != nil {
		return parley.OAuthPending{}, wrap("take oauth state", err)
	}
	if !expires.After(s.now()) {
		return parley.OAuthPending{}, fmt.Errorf("postgres: take oauth state: expired: %w", parley.ErrNotFound)
	}
	return p, nil
}
