package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// addMember makes the user a member of the room, joined at at; a member
// already is left as they are.
func addMember(ctx context.Context, db execer, roomID, userID int64, at time.Time) error {
	_, err := db.ExecContext(ctx, `
		INSERT INTO room_members (room_id, user_id, joined_at) VALUES (?, ?, ?)
		ON CONFLICT (room_id, user_id) DO NOTHING`,
		roomID, userID, toMillis(at))
	return err
}

// joinGeneral makes the user a member of general, as every account is.
func joinGeneral(ctx context.Context, db execer, userID int64, at time.Time) error {
	_, err := db.ExecContext(ctx, `
		INSERT INTO room_members (room_id, user_id, joined_at)
		SELECT id, ?, ? FROM rooms WHERE name = ?
		ON CONFLICT (room_id, user_id) DO NOTHING`,
		userID, toMillis(at), parley.DefaultRoom)
	return err
}

// membership reads, in a transaction, the kind of a room and whether the
// user is one of its members; sql.ErrNoRows for an unknown room.
func membership(ctx context.Context, tx *sql.Tx, roomID, userID int64) (kind parley.RoomKind, member bool, err error) {
	var name string
	err = tx.QueryRowContext(ctx, `
		SELECT kind, EXISTS (SELECT 1 FROM room_members WHERE room_id = rooms.id AND user_id = ?)
		FROM rooms WHERE id = ?`,
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
	at := stored(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		kind, member, err := membership(ctx, tx, roomID, userID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("room %d: %w", roomID, parley.ErrNotFound)
		case err != nil || member:
			return err
		case kind == parley.RoomDirect:
			return fmt.Errorf("room %d: %w", roomID, parley.ErrDirectRoomFixed)
		}
		err = addMember(ctx, tx, roomID, userID, at)
		if isForeignKeyViolation(err) {
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
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		kind, member, err := membership(ctx, tx, roomID, userID)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && !member:
			return fmt.Errorf("room %d, user %d: %w", roomID, userID, parley.ErrNoChange)
		case err != nil:
			return err
		case kind == parley.RoomDirect:
			return fmt.Errorf("room %d: %w", roomID, parley.ErrDirectRoomFixed)
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM room_members WHERE room_id = ? AND user_id = ?", roomID, userID)
		return err
	})
	return wrap("leave room", err)
}

// IsMember reports whether the user is a member of the room; an unknown
// room or user is no member, not an error.
func (s *Store) IsMember(ctx context.Context, roomID, userID int64) (bool, error) {
	var member bool
	err := s.reader.QueryRowContext(ctx,
		"SELECT EXISTS (SELECT 1 FROM room_members WHERE room_id = ? AND user_id = ?)",
		roomID, userID).Scan(&member)
	if err != nil {
		return false, wrap("is member", err)
	}
	return member, nil
}

// Members returns the members of a room, sorted by display name without
// regard to case, then by ID. An unknown room is an error that wraps
// parley.ErrNotFound.
func (s *Store) Members(ctx context.Context, roomID int64) ([]parley.User, error) {
	users, err := s.queryUsers(ctx, `
		SELECT `+userColumns+`
		FROM room_members JOIN users ON users.id = room_members.user_id
		WHERE room_members.room_id = ?
		ORDER BY lower(users.display_name), users.id`,
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

// exists returns nil when table has a row of that id, else sql.ErrNoRows.
// table is one of the package's own names, never input.
func (s *Store) exists(ctx context.Context, table string, id int64) error {
	var one int
	return s.reader.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE id = ?", id).Scan(&one)
}

// MemberCount returns how many members a room has. An unknown room is an
// error that wraps parley.ErrNotFound.
func (s *Store) MemberCount(ctx context.Context, roomID int64) (int, error) {
	var n int
	err := s.reader.QueryRowContext(ctx, `
		SELECT (SELECT count(*) FROM room_members WHERE room_id = rooms.id)
		FROM rooms WHERE id = ?`,
		roomID).Scan(&n)
	if err != nil {
		return 0, wrap("member count", err)
	}
	return n, nil
}

// MemberCounts returns the number of members of every room that has any,
// by room ID.
func (s *Store) MemberCounts(ctx context.Context) (map[int64]int, error) {
	rows, err := s.reader.QueryContext(ctx, "SELECT room_id, count(*) FROM room_members GROUP BY room_id")
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
	rows, err := s.reader.QueryContext(ctx, `
		SELECT `+roomColumns+`
		FROM room_members JOIN rooms ON rooms.id = room_members.room_id
		WHERE room_members.user_id = ?
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
// people userIDs names, in any order and with any repetition. Creation
// runs in a write transaction, which takes the write lock when it begins,
// and looks again first: two stores, or two processes, creating the same
// conversation at once end with one room. Fewer than 2 or more than 8
// distinct people is an error that wraps parley.ErrDirectRoomSize; an
// unknown user is parley.ErrNotFound.
func (s *Store) DirectRoom(ctx context.Context, userIDs []int64) (parley.Room, bool, error) {
	key, ids, err := parley.DirectKey(userIDs)
	if err != nil {
		return parley.Room{}, false, fmt.Errorf("sqlite: direct room: %w", err)
	}
	const byKey = "SELECT " + roomColumns + " FROM rooms WHERE dm_key = ?"
	r, err := scanRoom(s.reader.QueryRowContext(ctx, byKey, key))
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return r, false, wrap("direct room", err)
	}
	var created bool
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		r, err = scanRoom(tx.QueryRowContext(ctx, byKey, key))
		if !errors.Is(err, sql.ErrNoRows) {
			return err // found, or failed
		}
		r, err = createDirectRoom(ctx, tx, key, ids, stored(s.now()))
		created = err == nil
		return err
	})
	if err != nil {
		return parley.Room{}, false, wrap("direct room", err)
	}
	return r, created, nil
}

// createDirectRoom adds the direct room of key, under a fresh name, and
// its people as members.
func createDirectRoom(ctx context.Context, tx *sql.Tx, key string, ids []int64, at time.Time) (parley.Room, error) {
	r := parley.Room{Kind: parley.RoomDirect, CreatedAt: at}
	var err error
	for range directNameTries {
		r.Name = parley.NewDirectRoomName()
		err = tx.QueryRowContext(ctx, `
			INSERT INTO rooms (name, kind, dm_key, created_at) VALUES (?, ?, ?, ?)
			RETURNING id`,
			r.Name, parley.RoomDirect.String(), key, toMillis(at)).Scan(&r.ID)
		if !isUniqueViolation(err) { // the key is free: only the name can be taken
			break
		}
	}
	if err != nil {
		return parley.Room{}, err
	}
	for _, id := range ids {
		err := addMember(ctx, tx, r.ID, id, at)
		if isForeignKeyViolation(err) {
			return parley.Room{}, fmt.Errorf("user %d: %w", id, parley.ErrNotFound)
		}
		if err != nil {
			return parley.Room{}, err
		}
	}
	return r, nil
}
