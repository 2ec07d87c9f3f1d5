package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleychat/parley/app/parley"
)

// UpsertIdentity finds the user linked to (provider, provider user ID) or
// creates one (a member of general), then updates its display name,
// avatar and email and records the sign-in, all in one transaction.
// Identities are never merged by email: each (provider, provider user ID)
// is its own user. An empty display name keeps the stored one, or for a
// new user becomes the provider user ID.
//
// The transaction holds an advisory lock on the identity, so that two
// first sign-ins of one person that finish together, on one instance or
// two, make one user rather than one user and an error.
func (s *Store) UpsertIdentity(ctx context.Context, id parley.Identity) (parley.User, error) {
	if id.Provider == "" || id.ProviderUserID == "" {
		return parley.User{}, errors.New("postgres: upsert identity: empty provider or provider user ID")
	}
	now := s.now()
	var user parley.User
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2::text || '/' || $3::text))",
			lockIdentity, id.Provider, id.ProviderUserID)
		if err != nil {
			return err
		}
		userID, err := upsertIdentity(ctx, tx, id, now)
		if err != nil {
			return err
		}
		user, err = userByID(ctx, tx, userID)
		return err
	})
	if err != nil {
		return parley.User{}, wrap("upsert identity", err)
	}
	return user, nil
}

// upsertIdentity creates or updates the identity's user and returns its ID.
func upsertIdentity(ctx context.Context, tx pgx.Tx, id parley.Identity, now time.Time) (int64, error) {
	var userID int64
	err := tx.QueryRow(ctx, `
		SELECT user_id FROM identities WHERE provider = $1 AND provider_user_id = $2`,
		id.Provider, id.ProviderUserID).Scan(&userID)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return createIdentityUser(ctx, tx, id, now)
	case err != nil:
		return 0, err
	}
	return userID, updateIdentityUser(ctx, tx, userID, id, now)
}

// createIdentityUser creates a user without a username or password, makes
// it a member of general, and links the identity to it.
func createIdentityUser(ctx context.Context, tx pgx.Tx, id parley.Identity, now time.Time) (int64, error) {
	name := id.DisplayName
	if name == "" {
		name = id.ProviderUserID
	}
	var userID int64
	err := tx.QueryRow(ctx, `
		INSERT INTO users (display_name, provider, avatar_url, created_at, last_login_at, login_count)
		VALUES ($1, $2, $3, $4, $4, 1)
		RETURNING id`,
		name, id.Provider, id.AvatarURL, now).Scan(&userID)
	if err != nil {
		return 0, err
	}
	if err := joinGeneral(ctx, tx, userID, now); err != nil {
		return 0, err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO identities (provider, provider_user_id, user_id, email)
		VALUES ($1, $2, $3, $4)`,
		id.Provider, id.ProviderUserID, userID, id.Email)
	return userID, err
}

// updateIdentityUser refreshes what the provider says about the user and
// records the sign-in.
func updateIdentityUser(ctx context.Context, tx pgx.Tx, userID int64, id parley.Identity, now time.Time) error {
	_, err := tx.Exec(ctx, `
		UPDATE users SET display_name = coalesce(nullif($1, ''), display_name), avatar_url = $2
		WHERE id = $3`,
		id.DisplayName, id.AvatarURL, userID)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		UPDATE identities SET email = $1 WHERE provider = $2 AND provider_user_id = $3`,
		id.Email, id.Provider, id.ProviderUserID)
	if err != nil {
		return err
	}
	return recordLogin(ctx, tx, userID, now)
}
