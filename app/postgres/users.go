package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parleychat/parley/app/parley"
)

// userColumns are the columns scanUser reads, in its order.
const userColumns = `users.id, coalesce(users.username, ''), users.display_name,
	users.provider, users.avatar_url, users.admin, users.language, users.time_zone, users.created_at`

// scanUser reads the userColumns of one row, plus any extra columns.
func scanUser(row pgx.Row, extra ...any) (parley.User, error) {
	var u parley.User
	dest := append([]any{&u.ID, &u.Username, &u.DisplayName, &u.Provider, &u.AvatarURL, &u.Admin, &u.Language, &u.TimeZone, &u.CreatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return parley.User{}, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return u, nil
}

// CreateUser adds a local account whose display name is its username,
// and makes it a member of general in the same statement. It returns an
// error that wraps parley.ErrUsernameTaken when the name is in use in any
// letter case.
func (s *Store) CreateUser(ctx context.Context, username string, passwordHash []byte) (parley.User, error) {
	if username == "" || len(passwordHash) == 0 {
		return parley.User{}, errors.New("postgres: create user: empty username or password hash")
	}
	now := s.now()
	var id int64
	err := s.pool.QueryRow(ctx, `
		WITH u AS (
			INSERT INTO users (username, password_hash, display_name, created_at)
			VALUES ($1, $2, $1, $3)
			RETURNING id
		), general AS (
			INSERT INTO room_members (room_id, user_id, joined_at)
			SELECT rooms.id, u.id, $3 FROM u CROSS JOIN rooms WHERE rooms.name = $4
		)
		SELECT id FROM u`,
		username, passwordHash, now, parley.DefaultRoom).Scan(&id)
	if violates(err, uniqueViolation, "users_username_nocase") {
		return parley.User{}, fmt.Errorf("postgres: create user: %w", parley.ErrUsernameTaken)
	}
	if err != nil {
		return parley.User{}, wrap("create user", err)
	}
	return parley.User{ID: id, Username: username, DisplayName: username, CreatedAt: now}, nil
}

// UserByUsername finds a local account by name, in any letter case, and
// returns it with its password hash. Accounts without a password, such as
// those created through a provider, are not found.
func (s *Store) UserByUsername(ctx context.Context, username string) (parley.User, []byte, error) {
	var hash []byte
	row := s.pool.QueryRow(ctx, `
		SELECT `+userColumns+`, users.password_hash
		FROM users
		WHERE lower(users.username) = lower($1::text COLLATE "C") AND users.password_hash IS NOT NULL`,
		username)
	u, err := scanUser(row, &hash)
	if err != nil {
		return parley.User{}, nil, wrap("user by username", err)
	}
	return u, hash, nil
}

// RecordLogin notes that the user signed in: it sets the time of the last
// sign-in and counts it. UpsertIdentity records provider sign-ins itself;
// the web layer calls RecordLogin after a local sign-in or registration.
func (s *Store) RecordLogin(ctx context.Context, userID int64) error {
	return wrap("record login", recordLogin(ctx, s.pool, userID, s.now()))
}

// execer is a *pgxpool.Pool or a pgx.Tx.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// recordLogin sets last_login_at and increments login_count, or returns
// pgx.ErrNoRows when there is no such user.
func recordLogin(ctx context.Context, db execer, userID int64, now time.Time) error {
	tag, err := db.Exec(ctx, `
		UPDATE users SET last_login_at = $1, login_count = login_count + 1
		WHERE id = $2`,
		now, userID)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	return err
}

// userByID reads a user inside a transaction.
func userByID(ctx context.Context, tx pgx.Tx, id int64) (parley.User, error) {
	return scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE users.id = $1`, id))
}

// SetPreferences keeps the language and time zone the person chose; an
// unknown user is an error that wraps parley.ErrNotFound.
func (s *Store) SetPreferences(ctx context.Context, userID int64, language, timeZone string) error {
	res, err := s.pool.Exec(ctx, `
		UPDATE users SET language = $1, time_zone = $2 WHERE id = $3`,
		language, timeZone, userID)
	if err != nil {
		return wrap("set preferences", err)
	}
	if res.RowsAffected() == 0 {
		return wrap("set preferences", pgx.ErrNoRows)
	}
	return nil
}
