package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/parleychat/parley/app/parley"
)

// roomColumns are the columns scanRoom reads, in its order.
const roomColumns = "id, name, coalesce(created_by, 0), created_at"

// CreateRoom adds a room. A name in use is an error that wraps
// parley.ErrRoomNameTaken; an unknown creator is parley.ErrNotFound.
func (s *Store) CreateRoom(ctx context.Context, name string, createdBy int64) (parley.Room, error) {
	r := parley.Room{Name: name, CreatedBy: createdBy, CreatedAt: stored(s.now())}
	creator := sql.NullInt64{Int64: createdBy, Valid: createdBy != 0}
	err := s.writer.QueryRowContext(ctx, `
		INSERT INTO rooms (name, created_by, created_at) VALUES (?, ?, ?)
		RETURNING id`,
		name, creator, toMillis(r.CreatedAt)).Scan(&r.ID)
	switch {
	case isUniqueViolation(err):
		return parley.Room{}, fmt.Errorf("sqlite: create room %q: %w", name, parley.ErrRoomNameTaken)
	case isForeignKeyViolation(err):
		return parley.Room{}, fmt.Errorf("sqlite: create room: user %d: %w", createdBy, parley.ErrNotFound)
	case err != nil:
		return parley.Room{}, wrap("create room", err)
	}
	return r, nil
}

// RoomByName finds a room by its exact name, or returns an error that
// wraps parley.ErrNotFound.
func (s *Store) RoomByName(ctx context.Context, name string) (parley.Room, error) {
	r, err := scanRoom(s.roomByName.QueryRowContext(ctx, name))
	if err != nil {
		return parley.Room{}, wrap("room by name", err)
	}
	return r, nil
}

// Rooms returns every room, sorted by name.
func (s *Store) Rooms(ctx context.Context) ([]parley.Room, error) {
	rows, err := s.reader.QueryContext(ctx, "SELECT "+roomColumns+" FROM rooms ORDER BY name")
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

const roomByNameQuery = "SELECT " + roomColumns + " FROM rooms WHERE name = ?"

func scanRoom(row scanner) (parley.Room, error) {
	var r parley.Room
	var created int64
	if err := row.Scan(&r.ID, &r.Name, &r.CreatedBy, &created); err != nil {
		return parley.Room{}, err
	}
	r.CreatedAt = fromMillis(created)
	return r, nil
}
