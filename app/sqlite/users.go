package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/parleychat/parley/app/parley"
)

// userColumns are the columns scanUser reads, in its order.
const userColumns = `users.id, coalesce(users.username, ''), users.display_name,
	users.provider, users.avatar_url, users.admin, users.language, users.time_zone, users.created_at`

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// scanUser reads the userColumns of one row, plus any extra columns.
func scanUser(row scanner, extra ...any) (parley.User, error) {
	var u parley.User
	var created int64
	dest := append([]any{&u.ID, &u.Username, &u.DisplayName, &u.Provider, &u.AvatarURL, &u.Admin, &u.Language, &u.TimeZone, &created}, extra...)
	if err := row.Scan(dest...); err != nil {
		return parley.User{}, err
	}
	u.CreatedAt = fromMillis(created)
	return u, nil
}

// CreateUser adds a local account whose display name is its username,
// and makes it a member of general in the same transaction. It returns an
// error that wraps parley.ErrUsernameTaken when the name is in use in any
// letter case.
func (s *Store) CreateUser(ctx context.Context, username string, passwordHash []byte) (parley.User, error) {
	if username == "" || len(passwordHash) == 0 {
		return parley.User{}, errors.New("sqlite: create user: empty username or password hash")
	}
	now := stored(s.now())
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO users (username, password_hash, display_name, created_at)
			VALUES (?, ?, ?, ?)
			RETURNING id`,
			username, passwordHash, username, toMillis(now)).Scan(&id)
		if err != nil {
			return err
		}
		return joinGeneral(ctx, tx, id, now)
	})
	if isUniqueViolation(err) {
		return parley.User{}, fmt.Errorf("sqlite: create user: %w", parley.ErrUsernameTaken)
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
	row := s.reader.QueryRowContext(ctx, `
		SELECT `+userColumns+`, users.password_hash
		FROM users
		WHERE users.username = ? AND users.password_hash IS NOT NULL`,
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
	err := recordLogin(ctx, s.writer, userID, toMillis(s.now()))
	return wrap("record login", err)
}

// execer is a *sql.DB or *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// recordLogin sets last_login_at and increments login_count, or returns
// sql.ErrNoRows when there is no such user.
func recordLogin(ctx context.Context, db execer, userID, nowMillis int64) error {
	res, err := db.ExecContext(ctx, `
		UPDATE users SET last_login_at = ?, login_count = login_count + 1
		WHERE id = ?`,
		nowMillis, userID)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		err = sql.ErrNoRows
	}
	return err
}

// userByID reads a user inside a transaction.
func userByID(ctx context.Context, tx *sql.Tx, id int64) (parley.User, error) {
	row := tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE users.id = ?`, id)
	return scanUser(row)
}

// SetPreferences keeps the language and time zone the person chose; an
// unknown user is an error that wraps parley.ErrNotFound.
func (s *Store) SetPreferences(ctx context.Context, userID int64, language, timeZone string) error {
	res, err := s.writer.ExecContext(ctx, `
		UPDATE users SET language = ?, time_zone = ? WHERE id = ?`,
		language, timeZone, userID)
	if err != nil {
		return wrap("set preferences", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return wrap("set preferences", cmp.Or(err, sql.ErrNoRows))
	}
	return nil
}
