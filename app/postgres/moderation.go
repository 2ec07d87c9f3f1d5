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
func recordAction(ctx context.Context, tx pgx.Tx, a action, now time.Time) error {
	var endsAt *time.Time
	if !a.endsAt.IsZero() {
		endsAt = &a.endsAt
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO moderation_actions
			(action, actor_id, target_id, message_id, message_text, ends_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		string(a.kind), nullID(a.actorID), nullID(a.targetID), nullID(a.messageID),
		a.messageText, endsAt, now)
	return err
}

// nullID stores the ID 0 as NULL.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// stored rounds t down to what timestamptz keeps, in UTC, so that a time
// the store returns equals the time it reads back.
func stored(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// MessageByID returns one stored message with its author, or an error that
// wraps parley.ErrNotFound.
func (s *Store) MessageByID(ctx context.Context, id int64) (parley.Message, error) {
	m, err := scanMessage(s.pool.QueryRow(ctx, `
		SELECT `+messageColumns+`
		FROM messages AS m JOIN users ON users.id = m.user_id
		WHERE m.id = $1`, id))
	if err != nil {
		return parley.Message{}, wrap("message by id", err)
	}
	return m, nil
}

// DeleteMessage deletes a message and records the deletion, with its text,
// in one transaction, and returns the message as it was. The message's row
// is locked first, so that of two deletions at once one deletes and logs
// and the other finds nothing.
func (s *Store) DeleteMessage(ctx context.Context, actorID, messageID int64) (parley.Message, error) {
	var m parley.Message
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		m, err = scanMessage(tx.QueryRow(ctx, `
			SELECT `+messageColumns+`
			FROM messages AS m JOIN users ON users.id = m.user_id
			WHERE m.id = $1
			FOR UPDATE OF m`, messageID))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM messages WHERE id = $1", messageID); err != nil {
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
// COLLATE "C" makes lower() fold ASCII letters only, as SQLite's does.
func (s *Store) UserByName(ctx context.Context, provider, name string) (parley.User, error) {
	if provider == "" {
		u, err := scanUser(s.pool.QueryRow(ctx, `
			SELECT `+userColumns+` FROM users
			WHERE lower(users.username) = lower($1::text COLLATE "C")`, name))
		if err != nil {
			return parley.User{}, wrap("user by name", err)
		}
		return u, nil
	}
	users, err := s.queryUsers(ctx, `
		SELECT `+userColumns+` FROM users
		WHERE users.provider = $1
			AND lower(users.display_name COLLATE "C") = lower($2::text COLLATE "C")
		ORDER BY users.id LIMIT 2`, provider, name)
	switch {
	case err != nil:
		return parley.User{}, wrap("user by name", err)
	case len(users) == 0:
		return parley.User{}, fmt.Errorf("postgres: user by name %s:%s: %w", provider, name, parley.ErrNotFound)
	case len(users) > 1:
		return parley.User{}, fmt.Errorf("postgres: user by name %s:%s: %w", provider, name, parley.ErrAmbiguousName)
	}
	return users[0], nil
}

// queryUsers runs a query whose rows are userColumns.
func (s *Store) queryUsers(ctx context.Context, query string, args ...any) ([]parley.User, error) {
	rows, err := s.pool.Query(ctx, query, args...)
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
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx,
			"UPDATE users SET admin = $1 WHERE id = $2 AND admin <> $1", admin, userID)
		if err != nil {
			return err
		}
		if err := changedOrMissing(ctx, tx, tag, userID); err != nil {
			return err
		}
		return recordAction(ctx, tx, action{kind: kind, actorID: actorID, targetID: userID}, now)
	})
	return wrap("set admin", err)
}

// changedOrMissing turns an UPDATE or DELETE of a user's row that changed
// nothing into parley.ErrNoChange, or pgx.ErrNoRows when the user does not
// exist.
func changedOrMissing(ctx context.Context, tx pgx.Tx, tag pgconn.CommandTag, userID int64) error {
	if tag.RowsAffected() > 0 {
		return nil
	}
	var one int
	if err := tx.QueryRow(ctx, "SELECT 1 FROM users WHERE id = $1", userID).Scan(&one); err != nil {
		return err
	}
	return parley.ErrNoChange
}

// Admins returns every admin, sorted by display name without regard to
// case, byte by byte as SQLite sorts.
func (s *Store) Admins(ctx context.Context) ([]parley.User, error) {
	users, err := s.queryUsers(ctx, `
		SELECT `+userColumns+` FROM users WHERE users.admin
		ORDER BY lower(users.display_name COLLATE "C"), users.id`)
	return users, wrap("admins", err)
}

// Mute keeps the user from sending until until, replacing any mute they
// have, and records it.
func (s *Store) Mute(ctx context.Context, actorID, userID int64, until time.Time) error {
	now := s.now()
	until = stored(until)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO mutes (user_id, created_at, ends_at) VALUES ($1, $2, $3)
			ON CONFLICT (user_id) DO UPDATE SET created_at = excluded.created_at, ends_at = excluded.ends_at`,
			userID, now, until)
		if violates(err, foreignKeyViolation, "") {
			return fmt.Errorf("user %d: %w", userID, parley.ErrNotFound)
		} else if err != nil {
			return err
		}
		return recordAction(ctx, tx, action{kind: parley.ActionMute, actorID: actorID, targetID: userID, endsAt: until}, now)
	})
	return wrap("mute", err)
}

// Unmute ends a mute in force and records it.
func (s *Store) Unmute(ctx context.Context, actorID, userID int64) error {
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM mutes WHERE user_id = $1 AND ends_at > $2", userID, now)
		if err != nil {
			return err
		}
		if err := changedOrMissing(ctx, tx, tag, userID); err != nil {
			return err
		}
		return recordAction(ctx, tx, action{kind: parley.ActionUnmute, actorID: actorID, targetID: userID}, now)
	})
	return wrap("unmute", err)
}

// MutedUntil returns when the user's mute ends, or the zero time when no
// mute is in force.
func (s *Store) MutedUntil(ctx context.Context, userID int64) (time.Time, error) {
	var ends time.Time
	err := s.pool.QueryRow(ctx,
		"SELECT ends_at FROM mutes WHERE user_id = $1 AND ends_at > $2", userID, s.now()).Scan(&ends)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, nil
	} else if err != nil {
		return time.Time{}, wrap("muted until", err)
	}
	return ends.UTC(), nil
}

// Mutes returns the mutes in force, the soonest to end first.
func (s *Store) Mutes(ctx context.Context) ([]parley.Mute, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+userColumns+`, mutes.ends_at
		FROM mutes JOIN users ON users.id = mutes.user_id
		WHERE mutes.ends_at > $1
		ORDER BY mutes.ends_at, users.id`, s.now())
	if err != nil {
		return nil, wrap("mutes", err)
	}
	defer rows.Close()
	var mutes []parley.Mute
	for rows.Next() {
		var ends time.Time
		u, err := scanUser(rows, &ends)
		if err != nil {
			return nil, wrap("mutes", err)
		}
		mutes = append(mutes, parley.Mute{User: u, Until: ends.UTC()})
	}
	return mutes, wrap("mutes", rows.Err())
}

// Ban bans the user, deletes their sessions and records it. It locks the
// user's row for update first, so that a CreateSession in progress either
// commits before the ban, and its session is deleted here, or waits for
// the ban and is refused (see CreateSession).
func (s *Store) Ban(ctx context.Context, actorID, userID int64) error {
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM users WHERE id = $1 FOR UPDATE", userID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("user %d: %w", userID, parley.ErrNotFound)
		} else if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO bans (user_id, created_at) VALUES ($1, $2)
			ON CONFLICT (user_id) DO NOTHING`, userID, now)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return parley.ErrNoChange
		}
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = $1", userID); err != nil {
			return err
		}
		return recordAction(ctx, tx, action{kind: parley.ActionBan, actorID: actorID, targetID: userID}, now)
	})
	return wrap("ban", err)
}

// Unban lifts a ban and records it.
func (s *Store) Unban(ctx context.Context, actorID, userID int64) error {
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM bans WHERE user_id = $1", userID)
		if err != nil {
			return err
		}
		if err := changedOrMissing(ctx, tx, tag, userID); err != nil {
			return err
		}
		return recordAction(ctx, tx, action{kind: parley.ActionUnban, actorID: actorID, targetID: userID}, now)
	})
	return wrap("unban", err)
}

// Bans returns the banned people, the most recently banned first.
func (s *Store) Bans(ctx context.Context) ([]parley.Ban, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+userColumns+`, bans.created_at
		FROM bans JOIN users ON users.id = bans.user_id
		ORDER BY bans.created_at DESC, users.id`)
	if err != nil {
		return nil, wrap("bans", err)
	}
	defer rows.Close()
	var bans []parley.Ban
	for rows.Next() {
		var since time.Time
		u, err := scanUser(rows, &since)
		if err != nil {
			return nil, wrap("bans", err)
		}
		bans = append(bans, parley.Ban{User: u, Since: since.UTC()})
	}
	return bans, wrap("bans", rows.Err())
}

// actionUserColumns are a user's columns under alias, read from a LEFT
// JOIN: a missing user (the command line) has NULL in each, which
// scanAction reads as the zero User.
func actionUserColumns(alias string) string {
	return alias + ".id, " + alias + ".username, " + alias + ".display_name, " +
		alias + ".provider, " + alias + ".avatar_url, " + alias + ".admin, " + alias + ".created_at"
}

// RecentActions returns the newest limit actions, newest first, with their
// actors and targets.
func (s *Store) RecentActions(ctx context.Context, limit int) ([]parley.Action, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT a.id, a.action, coalesce(a.message_id, 0), a.message_text, a.ends_at, a.created_at,
			`+actionUserColumns("actor")+`, `+actionUserColumns("target")+`
		FROM moderation_actions AS a
		LEFT JOIN users AS actor ON actor.id = a.actor_id
		LEFT JOIN users AS target ON target.id = a.target_id
		ORDER BY a.id DESC LIMIT $1`, limit)
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

// nullUser is a user's row from a LEFT JOIN, every column nullable.
type nullUser struct {
	id                                      *int64
	username, displayName, provider, avatar *string
	admin                                   *bool
	createdAt                               *time.Time
}

// dest is where Scan puts the columns of actionUserColumns.
func (n *nullUser) dest() []any {
	return []any{&n.id, &n.username, &n.displayName, &n.provider, &n.avatar, &n.admin, &n.createdAt}
}

// user is the row as a User; the zero User when there was none.
func (n *nullUser) user() parley.User {
	if n.id == nil {
		return parley.User{}
	}
	u := parley.User{ID: *n.id, DisplayName: deref(n.displayName), Provider: deref(n.provider),
		AvatarURL: deref(n.avatar), Username: deref(n.username)}
	if n.admin != nil {
		u.Admin = *n.admin
	}
	if n.createdAt != nil {
		u.CreatedAt = n.createdAt.UTC()
	}
	return u
}

// deref reads a nullable text column, NULL as "".
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// scanAction reads one row of RecentActions.
func scanAction(rows pgx.Rows) (parley.Action, error) {
	var a parley.Action
	var kind string
	var ends *time.Time
	var actor, target nullUser
	dest := []any{&a.ID, &kind, &a.MessageID, &a.MessageText, &ends, &a.CreatedAt}
	dest = append(dest, actor.dest()...)
	dest = append(dest, target.dest()...)
	if err := rows.Scan(dest...); err != nil {
		return parley.Action{}, err
	}
	a.Kind, a.CreatedAt = parley.ActionKind(kind), a.CreatedAt.UTC()
	if ends != nil {
		a.Until = ends.UTC()
	}
	a.Actor, a.Target = actor.user(), target.user()
	return a, nil
}
