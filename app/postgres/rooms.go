package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/parleychat/parley/app/parley"
)

// roomColumns are the columns scanRoom reads, in its order.
const roomColumns = "id, name, coalesce(created_by, 0), created_at"

// CreateRoom adds a room. A name in use is an error that wraps
// parley.ErrRoomNameTaken; an unknown creator is parley.ErrNotFound.
func (s *Store) CreateRoom(ctx context.Context, name string, createdBy int64) (parley.Room, error) {
	r := parley.Room{Name: name, CreatedBy: createdBy, CreatedAt: s.now()}
	var creator *int64
	if createdBy != 0 {
		creator = &createdBy
	}
	err := s.pool.QueryRow(ctx, `
		INSERT INTO rooms (name, created_by, created_at) VALUES ($1, $2, $3)
		RETURNING id`,
		name, creator, r.CreatedAt).Scan(&r.ID)
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

// Rooms returns every room, sorted by name byte by byte (the column's
// collation is "C").
func (s *Store) Rooms(ctx context.Context) ([]parley.Room, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+roomColumns+" FROM rooms ORDER BY name")
	if err != nil {
		return nil, wrap("rooms", err)
	}
	defer rows.Close()
	var rooms []parley.Room
	for rows.Next() {
		r, err := scanRoom(rows)
		if err != nil {
			return nil, wrap("rooms", err)
		}
		rooms = append(rooms, r)
	}
	return rooms, wrap("rooms", rows.Err())
}

func scanRoom(row pgx.Row) (parley.Room, error) {
	var r parley.Room
	if err := row.Scan(&r.ID, &r.Name, &r.CreatedBy, &r.CreatedAt); err != nil {
		return parley.Room{}, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return r, nil
}
