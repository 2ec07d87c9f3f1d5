package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleychat/parley/app/parley"
)

// joinGeneral makes the user a member of general, as every account is.
func joinGeneral(ctx context.Context, db execer, userID int64, at time.Time) error {
	_, err := db.Exec(ctx, `
		INSERT INTO room_members (room_id, user_id, joined_at)
		SELECT id, $1, $2 FROM rooms WHERE name = $3
		ON CONFLICT (room_id, user_id) DO NOTHING`,
		userID, at, parley.DefaultRoom)
	return err
}

// membership reads, in a transaction, the kind of a room and whether the
// user is one of its members, locking the room's row against a
// concurrent change of its kind; pgx.ErrNoRows for an unknown room.
func membership(ctx context.Context, tx pgx.Tx, roomID, userID int64) (kind parley.RoomKind, member bool, err error) {
	var name string
	err = tx.QueryRow(ctx, `
		SELECT kind, EXISTS (SELECT 1 FROM room_members WHERE room_id = rooms.id AND user_id = $1)
		FROM rooms WHERE id = $2 FOR SHARE`,
		userID, roomID).Scan(&name, &member)
	if err != nil {
		return 0, false, err
	}
	kind, err = parley.ParseRoomKind(name)
	return kind, member, err
}

// JoinRoom makes the user a member of the room; joining again changes
// nothing. An unknown room or user is an error that wraps
// parley.ErrNotFound; a direct conversation the user is not one of the
// people of is parley.ErrDirectRoomFixed.
func (s *Store) JoinRoom(ctx context.Context, roomID, userID int64) error {
	at := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		kind, member, err := membership(ctx, tx, roomID, userID)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("room %d: %w", roomID, parley.ErrNotFound)
		case err != nil || member:
			return err
		case kind == parley.RoomDirect:
			return fmt.Errorf("room %d: %w", roomID, parley.ErrDirectRoomFixed)
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO room_members (room_id, user_id, joined_at) VALUES ($1, $2, $3)
			ON CONFLICT (room_id, user_id) DO NOTHING`,
			roomID, userID, at)
		if violates(err, foreignKeyViolation, "") {
			return fmt.Errorf("user %d: %w", userID, parley.ErrNotFound)
		}
		return err
	})
	return wrap("join room", err)
}

// LeaveRoom takes the user out of the room's members. It returns an error
// that wraps parley.ErrNoChange when they are not a member (also of an
// unknown room), and parley.ErrDirectRoomFixed for a direct conversation.
func (s *Store) LeaveRoom(ctx context.Context, roomID, userID int64) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		kind, member, err := membership(ctx, tx, roomID, userID)
		switch {
		case errors.Is(err, pgx.ErrNoRows) || err == nil && !member:
			return fmt.Errorf("room %d, user %d: %w", roomID, userID, parley.ErrNoChange)
		case err != nil:
			return err
		case kind == parley.RoomDirect:
			return fmt.Errorf("room %d: %w", roomID, parley.ErrDirectRoomFixed)
		}
		tag, err := tx.Exec(ctx, "DELETE FROM room_members WHERE room_id = $1 AND user_id = $2", roomID, userID)
		if err == nil && tag.RowsAffected() == 0 {
			// Another leave got there first.
			return fmt.Errorf("room %d, user %d: %w", roomID, userID, parley.ErrNoChange)
		}
		return err
	})
	return wrap("leave room", err)
}

// IsMember reports whether the user is a member of the room; an unknown
// room or user is no member, not an error.
func (s *Store) IsMember(ctx context.Context, roomID, userID int64) (bool, error) {
	var member bool
	err := s.pool.QueryRow(ctx,
		"SELECT EXISTS (SELECT 1 FROM room_members WHERE room_id = $1 AND user_id = $2)",
		roomID, userID).Scan(&member)
	if err != nil {
		return false, wrap("is member", err)
	}
	return member, nil
}

// Members returns the members of a room, sorted by display name without
// regard to case, byte by byte as SQLite sorts, then by ID. An unknown
// room is an error that wraps parley.ErrNotFound.
func (s *Store) Members(ctx context.Context, roomID int64) ([]parley.User, error) {
	users, err := s.queryUsers(ctx, `
		SELECT `+userColumns+`
		FROM room_members JOIN users ON users.id = room_members.user_id
		WHERE room_members.room_id = $1
		ORDER BY lower(users.display_name COLLATE "C"), users.id`,
		roomID)
	if err != nil {
		return nil, wrap("members", err)
	}
	if len(users) == 0 {
		// No members: say whether there is such a room at all.
		if err := s.exists(ctx, "rooms", roomID); err != nil {
			return nil, wrap("members", fmt.Errorf("room %d: %w", roomID, err))
		}
	}
	return users, nil
}

// exists returns nil when table has a row of that id, else pgx.ErrNoRows.
// table is one of the package's own names, never input.
func (s *Store) exists(ctx context.Context, table string, id int64) error {
	var one int
	return s.pool.QueryRow(ctx, "SELECT 1 FROM "+table+" WHERE id = $1", id).Scan(&one)
}

// MemberCount returns how many members a room has. An unknown room is an
// error that wraps parley.ErrNotFound.
func (s *Store) MemberCount(ctx context.Context, roomID int64) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM room_members WHERE room_id = rooms.id)
		FROM rooms WHERE id = $1`,
		roomID).Scan(&n)
	if err != nil {
		return 0, wrap("member count", err)
	}
	return n, nil
}

// MemberCounts returns the number of members of every room that has any,
// by room ID.
func (s *Store) MemberCounts(ctx context.Context) (map[int64]int, error) {
	rows, err := s.pool.Query(ctx, "SELECT room_id, count(*) FROM room_members GROUP BY room_id")
	if err != nil {
		return nil, wrap("member counts", err)
	}
	defer rows.Close()
	counts := make(map[int64]int)
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, wrap("member counts", err)
		}
		counts[id] = n
	}
	return counts, wrap("member counts", rows.Err())
}

// RoomsOf returns the rooms the user is a member of, of every kind,
// sorted by name. An unknown user is an error that wraps
// parley.ErrNotFound.
func (s *Store) RoomsOf(ctx context.Context, userID int64) ([]parley.Room, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+roomColumns+`
		FROM room_members JOIN rooms ON rooms.id = room_members.room_id
		WHERE room_members.user_id = $1
		ORDER BY rooms.name`,
		userID)
	if err != nil {
		return nil, wrap("rooms of", err)
	}
	rooms, err := scanRooms(rows)
	if err != nil {
		return nil, wrap("rooms of", err)
	}
	if len(rooms) == 0 {
		// No rooms: say whether there is such a user at all.
		if err := s.exists(ctx, "users", userID); err != nil {
			return nil, wrap("rooms of", fmt.Errorf("user %d: %w", userID, err))
		}
	}
	return rooms, nil
}

// directNameTries is how many fresh names DirectRoom tries when the one
// it drew is taken, which 64 random bits make next to impossible.
const directNameTries = 3

// DirectRoom finds or creates the direct conversation of exactly the
// people userIDs names, in any order and with any repetition. The unique
// dm_key decides a race: of two instances creating the same conversation
// at once, one inserts it and the other, waiting on that key, finds it.
// Fewer than 2 or more than 8 distinct people is an error that wraps
// parley.ErrDirectRoomSize; an unknown user is parley.ErrNotFound.
func (s *Store) DirectRoom(ctx context.Context, userIDs []int64) (parley.Room, bool, error) {
	key, ids, err := parley.DirectKey(userIDs)
	if err != nil {
		return parley.Room{}, false, fmt.Errorf("postgres: direct room: %w", err)
	}
	const byKey = "SELECT " + roomColumns + " FROM rooms WHERE dm_key = $1"
	r, err := scanRoom(s.pool.QueryRow(ctx, byKey, key))
	if err == nil || !errors.Is(err, pgx.ErrNoRows) {
		return r, false, wrap("direct room", err)
	}
	var created bool
	for range directNameTries {
		err = s.inTx(ctx, func(tx pgx.Tx) error {
			r, err = createDirectRoom(ctx, tx, key, ids, s.now())
			if created = err == nil; !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			// Another store created it first; this statement sees it.
			r, err = scanRoom(tx.QueryRow(ctx, byKey, key))
			return err
		})
		// A taken name is a new name's turn; the key is never the clash,
		// which ON CONFLICT takes.
		if !violates(err, uniqueViolation, "rooms_name_key") {
			break
		}
	}
	if err != nil {
		return parley.Room{}, false, wrap("direct room", err)
	}
	return r, created, nil
}

// createDirectRoom adds the direct room of key, under a fresh name, and
// its people as members. It returns pgx.ErrNoRows when a room of that
// key exists already.
func createDirectRoom(ctx context.Context, tx pgx.Tx, key string, ids []int64, at time.Time) (parley.Room, error) {
	r := parley.Room{Name: parley.NewDirectRoomName(), Kind: parley.RoomDirect, CreatedAt: at}
	err := tx.QueryRow(ctx, `
		INSERT INTO rooms (name, kind, dm_key, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (dm_key) DO NOTHING
		RETURNING id`,
		r.Name, parley.RoomDirect.String(), key, at).Scan(&r.ID)
	if err != nil {
		return parley.Room{}, err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO room_members (room_id, user_id, joined_at)
		SELECT $1, unnest($2::bigint[]), $3`,
		r.ID, ids, at)
	if violates(err, foreignKeyViolation, "") {
		return parley.Room{}, fmt.Errorf("users %v: %w", ids, parley.ErrNotFound)
	}
	return r, err
}
