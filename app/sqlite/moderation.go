package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// action is one row for moderation_actions.
type action struct {
	kind        parley.ActionKind
	actorID     int64 // 0: the command line
	targetID    int64
	messageID   int64 // 0: not a deletion
	messageText string
	endsAt      time.Time // zero: not a mute
}

// recordAction appends an action to the moderation log, inside the
// transaction that did it.
func recordAction(ctx context.Context, tx *sql.Tx, a action, nowMillis int64) error {
	var endsAt sql.NullInt64
	if !a.endsAt.IsZero() {
		endsAt = sql.NullInt64{Int64: toMillis(a.endsAt), Valid: true}
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO moderation_actions
			(action, actor_id, target_id, message_id, message_text, ends_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		string(a.kind), nullID(a.actorID), nullID(a.targetID), nullID(a.messageID),
		a.messageText, endsAt, nowMillis)
	return err
}

// nullID stores the ID 0 as NULL.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// MessageByID returns one stored message with its author, or an error that
// wraps parley.ErrNotFound.
func (s *Store) MessageByID(ctx context.Context, id int64) (parley.Message, error) {
	m, err := scanMessage(s.reader.QueryRowContext(ctx, `
		SELECT `+messageColumns+`
		FROM messages AS m JOIN users ON users.id = m.user_id
		WHERE m.id = ?`, id))
	if err != nil {
		return parley.Message{}, wrap("message by id", err)
	}
	return m, nil
}

// DeleteMessage deletes a message and records the deletion, with its text,
// in one transaction, and returns the message as it was.
func (s *Store) DeleteMessage(ctx context.Context, actorID, messageID int64) (parley.Message, error) {
	var m parley.Message
	now := toMillis(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = scanMessage(tx.QueryRowContext(ctx, `
			SELECT `+messageColumns+`
			FROM messages AS m JOIN users ON users.id = m.user_id
			WHERE m.id = ?`, messageID))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM messages WHERE id = ?", messageID); err != nil {
			return err
		}
		return recordAction(ctx, tx, action{
			kind: parley.ActionDelete, actorID: actorID, targetID: m.UserID,
			messageID: m.ID, messageText: m.Text,
		}, now)
	})
	if err != nil {
		return parley.Message{}, wrap("delete message", err)
	}
	return m, nil
}

// UserByName finds a local account by username in any letter case, or a
// provider account by provider and display name in any letter case.
func (s *Store) UserByName(ctx context.Context, provider, name string) (parley.User, error) {
	if provider == "" {
		// username is COLLATE NOCASE: = ignores case and uses its index.
		u, err := scanUser(s.reader.QueryRowContext(ctx,
			"SELECT "+userColumns+" FROM users WHERE users.username = ?", name))
		if err != nil {
			return parley.User{}, wrap("user by name", err)
		}
		return u, nil
	}
	users, err := s.queryUsers(ctx, `
		SELECT `+userColumns+` FROM users
		WHERE users.provider = ? AND lower(users.display_name) = lower(?)
		ORDER BY users.id LIMIT 2`, provider, name)
	switch {
	case err != nil:
		return parley.User{}, wrap("user by name", err)
	case len(users) == 0:
		return parley.User{}, fmt.Errorf("sqlite: user by name %s:%s: %w", provider, name, parley.ErrNotFound)
	case len(users) > 1:
		return parley.User{}, fmt.Errorf("sqlite: user by name %s:%s: %w", provider, name, parley.ErrAmbiguousName)
	}
	return users[0], nil
}

// queryUsers runs a query whose rows are userColumns.
func (s *Store) queryUsers(ctx context.Context, query string, args ...any) ([]parley.User, error) {
	rows, err := s.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var users []parley.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, rows.Err()
}

// SetAdmin grants or revokes the admin flag and records it.
func (s *Store) SetAdmin(ctx context.Context, actorID, userID int64, admin bool) error {
	kind := parley.ActionGrant
	if !admin {
		kind = parley.ActionRevoke
	}
	now := toMillis(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			"UPDATE users SET admin = ? WHERE id = ? AND admin <> ?", admin, userID, admin)
		if err != nil {
			return err
		}
		if err := changedOrMissing(ctx, tx, res, userID); err != nil {
			return err
		}
		return recordAction(ctx, tx, action{kind: kind, actorID: actorID, targetID: userID}, now)
	})
	return wrap("set admin", err)
}

// changedOrMissing turns an UPDATE or DELETE of a user's row that changed
// nothing into parley.ErrNoChange, or sql.ErrNoRows when the user does not
// exist.
func changedOrMissing(ctx context.Context, tx *sql.Tx, res sql.Result, userID int64) error {
	n, err := res.RowsAffected()
	if err != nil || n > 0 {
		return err
	}
	var one int
	if err := tx.QueryRowContext(ctx, "SELECT 1 FROM users WHERE id = ?", userID).Scan(&one); err != nil {
		return err
	}
	return parley.ErrNoChange
}

// Admins returns every admin, sorted by display name without regard to case.
func (s *Store) Admins(ctx context.Context) ([]parley.User, error) {
	users, err := s.queryUsers(ctx, `
		SELECT `+userColumns+` FROM users WHERE users.admin = 1
		ORDER BY lower(users.display_name), users.id`)
	return users, wrap("admins", err)
}

// Mute keeps the user from sending until until, replacing any mute they
// have, and records it.
func (s *Store) Mute(ctx context.Context, actorID, userID int64, until time.Time) error {
	now := toMillis(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO mutes (user_id, created_at, ends_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET created_at = excluded.created_at, ends_at = excluded.ends_at`,
			userID, now, toMillis(until))
		if isForeignKeyViolation(err) {
			return fmt.Errorf("user %d: %w", userID, parley.ErrNotFound)
		} else if err != nil {
			return err
		}
		return recordAction(ctx, tx, action{kind: parley.ActionMute, actorID: actorID, targetID: userID, endsAt: stored(until)}, now)
	})
	return wrap("mute", err)
}

// Unmute ends a mute in force and records it.
func (s *Store) Unmute(ctx context.Context, actorID, userID int64) error {
	now := toMillis(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM mutes WHERE user_id = ? AND ends_at > ?", userID, now)
		if err != nil {
			return err
		}
		if err := changedOrMissing(ctx, tx, res, userID); err != nil {
			return err
		}
		return recordAction(ctx, tx, action{kind: parley.ActionUnmute, actorID: actorID, targetID: userID}, now)
	})
	return wrap("unmute", err)
}

// MutedUntil returns when the user's mute ends, or the zero time when no
// mute is in force.
func (s *Store) MutedUntil(ctx context.Context, userID int64) (time.Time, error) {
	var ends int64
	err := s.reader.QueryRowContext(ctx,
		"SELECT ends_at FROM mutes WHERE user_id = ? AND ends_at > ?", userID, toMillis(s.now())).Scan(&ends)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	} else if err != nil {
		return time.Time{}, wrap("muted until", err)
	}
	return fromMillis(ends), nil
}

// Mutes returns the mutes in force, the soonest to end first.
func (s *Store) Mutes(ctx context.Context) ([]parley.Mute, error) {
	rows, err := s.reader.QueryContext(ctx, `
		SELECT `+userColumns+`, mutes.ends_at
		FROM mutes JOIN users ON users.id = mutes.user_id
		WHERE mutes.ends_at > ?
		ORDER BY mutes.ends_at, users.id`, toMillis(s.now()))
	if err != nil {
		return nil, wrap("mutes", err)
	}
	defer rows.Close()
	var mutes []parley.Mute
	for rows.Next() {
		var ends int64
		u, err := scanUser(rows, &ends)
		if err != nil {
			return nil, wrap("mutes", err)
		}
		mutes = append(mutes, parley.Mute{User: u, Until: fromMillis(ends)})
	}
	return mutes, wrap("mutes", rows.Err())
}

// Ban bans the user, deletes their sessions and records it.
func (s *Store) Ban(ctx context.Context, actorID, userID int64) error {
	now := toMillis(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO bans (user_id, created_at) VALUES (?, ?)
			ON CONFLICT (user_id) DO NOTHING`, userID, now)
		if isForeignKeyViolation(err) {
			return fmt.Errorf("user %d: %w", userID, parley.ErrNotFound)
		} else if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return parley.ErrNoChange
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
			return err
		}
		return recordAction(ctx, tx, action{kind: parley.ActionBan, actorID: actorID, targetID: userID}, now)
	})
	return wrap("ban", err)
}

// Unban lifts a ban and records it.
func (s *Store) Unban(ctx context.Context, actorID, userID int64) error {
	now := toMillis(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM bans WHERE user_id = ?", userID)
		if err != nil {
			return err
		}
		if err := changedOrMissing(ctx, tx, res, userID); err != nil {
			return err
		}
		return recordAction(ctx, tx, action{kind: parley.ActionUnban, actorID: actorID, targetID: userID}, now)
	})
	return wrap("unban", err)
}

// Bans returns the banned people, the most recently banned first.
func (s *Store) Bans(ctx context.Context) ([]parley.Ban, error) {
	rows, err := s.reader.QueryContext(ctx, `
		SELECT `+userColumns+`, bans.created_at
		FROM bans JOIN users ON users.id = bans.user_id
		ORDER BY bans.created_at DESC, users.id`)
	if err != nil {
		return nil, wrap("bans", err)
	}
	defer rows.Close()
	var bans []parley.Ban
	for rows.Next() {
		var since int64
		u, err := scanUser(rows, &since)
		if err != nil {
			return nil, wrap("bans", err)
		}
		bans = append(bans, parley.Ban{User: u, Since: fromMillis(since)})
	}
	return bans, wrap("bans", rows.Err())
}

// actionUserColumns are a user's columns under alias, read from a LEFT
// JOIN: a missing user (the command line) reads as the zero User.
func actionUserColumns(alias string) string {
	cols := []string{"id", "username", "display_name", "provider", "avatar_url", "admin", "created_at"}
	zero := []string{"0", "''", "''", "''", "''", "0", "0"}
	for i, c := range cols {
		cols[i] = "coalesce(" + alias + "." + c + ", " + zero[i] + ")"
	}
	return strings.Join(cols, ", ")
}

// RecentActions returns the newest limit actions, newest first, with their
// actors and targets.
func (s *Store) RecentActions(ctx context.Context, limit int) ([]parley.Action, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.reader.QueryContext(ctx, `
		SELECT a.id, a.action, coalesce(a.message_id, 0), a.message_text, a.ends_at, a.created_at,
			`+actionUserColumns("actor")+`, `+actionUserColumns("target")+`
		FROM moderation_actions AS a
		LEFT JOIN users AS actor ON actor.id = a.actor_id
		LEFT JOIN users AS target ON target.id = a.target_id
		ORDER BY a.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, wrap("recent actions", err)
	}
	defer rows.Close()
	var actions []parley.Action
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return nil, wrap("recent actions", err)
		}
		actions = append(actions, a)
	}
	return actions, wrap("recent actions", rows.Err())
}

// scanAction reads one row of RecentActions.
func scanAction(rows *sql.Rows) (parley.Action, error) {
	var a parley.Action
	var kind string
	var ends sql.NullInt64
	var created, actorCreated, targetCreated int64
	userDest := func(u *parley.User, created *int64) []any {
		return []any{&u.ID, &u.Username, &u.DisplayName, &u.Provider, &u.AvatarURL, &u.Admin, created}
	}
	dest := []any{&a.ID, &kind, &a.MessageID, &a.MessageText, &ends, &created}
	dest = append(dest, userDest(&a.Actor, &actorCreated)...)
	dest = append(dest, userDest(&a.Target, &targetCreated)...)
	if err := rows.Scan(dest...); err != nil {
		return parley.Action{}, err
	}
	a.Kind, a.CreatedAt = parley.ActionKind(kind), fromMillis(created)
	if ends.Valid {
		a.Until = fromMillis(ends.Int64)
	}
	if a.Actor.ID != 0 {
		a.Actor.CreatedAt = fromMillis(actorCreated)
	}
	if a.Target.ID != 0 {
		a.Target.CreatedAt = fromMillis(targetCreated)
	}
	return a, nil
}
