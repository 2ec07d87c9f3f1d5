package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/parleychat/parley/app/parley"
)

// roomColumns are the columns scanRoom reads, in its order.
const roomColumns = "rooms.id, rooms.name, coalesce(rooms.created_by, 0), rooms.kind, rooms.created_at"

// CreateRoom adds a public room, its creator (when not 0) its first
// member. A name in use is an error that wraps parley.ErrRoomNameTaken; an
// unknown creator is parley.ErrNotFound.
func (s *Store) CreateRoom(ctx context.Context, name string, createdBy int64) (parley.Room, error) {
	return s.CreateRoomOfKind(ctx, name, parley.RoomPublic, createdBy)
}

// CreateRoomOfKind adds a public or private room and makes its creator
// (when not 0) its first member, in one statement. A name in use is an
// error that wraps parley.ErrRoomNameTaken; an unknown creator is
// parley.ErrNotFound; a direct room is parley.ErrDirectRoomFixed (only
// DirectRoom makes those).
func (s *Store) CreateRoomOfKind(ctx context.Context, name string, kind parley.RoomKind, createdBy int64) (parley.Room, error) {
	if kind != parley.RoomPublic && kind != parley.RoomPrivate {
		return parley.Room{}, fmt.Errorf("postgres: create room %q: kind %v: %w", name, kind, parley.ErrDirectRoomFixed)
	}
	r := parley.Room{Name: name, CreatedBy: createdBy, Kind: kind, CreatedAt: s.now()}
	var creator *int64
	if createdBy != 0 {
		creator = &createdBy
	}
	err := s.pool.QueryRow(ctx, `
		WITH room AS (
			INSERT INTO rooms (name, created_by, kind, created_at) VALUES ($1, $2, $3, $4)
			RETURNING id, created_by
		), member AS (
			INSERT INTO room_members (room_id, user_id, joined_at)
			SELECT id, created_by, $4 FROM room WHERE created_by IS NOT NULL
		)
		SELECT id FROM room`,
		name, creator, kind.String(), r.CreatedAt).Scan(&r.ID)
	switch {
	case violates(err, uniqueViolation, "rooms_name_key"):
		return parley.Room{}, fmt.Errorf("postgres: create room %q: %w", name, parley.ErrRoomNameTaken)
	case violates(err, foreignKeyViolation, ""):
		return parley.Room{}, fmt.Errorf("postgres: create room: user %d: %w", createdBy, parley.ErrNotFound)
	case err != nil:
		return parley.Room{}, wrap("create room", err)
	}
	return r, nil
}

// RoomByName finds a room by its exact name, or returns an error that
// wraps parley.ErrNotFound.
func (s *Store) RoomByName(ctx context.Context, name string) (parley.Room, error) {
	r, err := scanRoom(s.pool.QueryRow(ctx, "SELECT "+roomColumns+" FROM rooms WHERE name = $1", name))
	if err != nil {
		return parley.Room{}, wrap("room by name", err)
	}
	return r, nil
}

// RoomByID finds a room by its ID, or returns an error that wraps
// parley.ErrNotFound.
func (s *Store) RoomByID(ctx context.Context, id int64) (parley.Room, error) {
	r, err := scanRoom(s.pool.QueryRow(ctx, "SELECT "+roomColumns+" FROM rooms WHERE id = $1", id))
	if err != nil {
		return parley.Room{}, wrap("room by id", err)
	}
	return r, nil
}

// Rooms returns every room of every kind, sorted by name byte by byte
// (the column's collation is "C").
func (s *Store) Rooms(ctx context.Context) ([]parley.Room, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+roomColumns+" FROM rooms ORDER BY name")
	if err != nil {
		return nil, wrap("rooms", err)
	}
	rooms, err := scanRooms(rows)
	return rooms, wrap("rooms", err)
}

func scanRoom(row pgx.Row) (parley.Room, error) {
	var r parley.Room
	var kind string
	if err := row.Scan(&r.ID, &r.Name, &r.CreatedBy, &kind, &r.CreatedAt); err != nil {
		return parley.Room{}, err
	}
	k, err := parley.ParseRoomKind(kind)
	if err != nil {
		return parley.Room{}, fmt.Errorf("room %d: %w", r.ID, err)
	}
	r.Kind, r.CreatedAt = k, r.CreatedAt.UTC()
	return r, nil
}

// scanRooms reads every row of rows with scanRoom and closes rows.
func scanRooms(rows pgx.Rows) ([]parley.Room, error) {
	defer rows.Close()
	var rooms []parley.Room
	for rows.Next() {
		r, err := scanRoom(rows)
		if err != nil {
			return nil, err
		}
		rooms = append(rooms, r)
	}
	return rooms, rows.Err()
}
