package postgres_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/servicetest"
)

// TestMigrateMembership builds a schema at version 4, as a build from
// before room kinds and membership left it, with accounts, rooms and
// messages, and opens a store on it: migration 0005 makes every room
// public and everyone a member of general and of every room they wrote
// in, since their account or their first message there.
func TestMigrateMembership(t *testing.T) {
	url := servicetest.PostgresURL(t)
	ctx := t.Context()
	conn := rawConn(t, url)
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, query, args...); err != nil {
			t.Fatalf("version 4 schema: %v\n%s", err, query)
		}
	}
	exec(`CREATE TABLE schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL
	)`)
	for version, name := range []string{"0001_init.sql", "0002_rooms.sql", "0003_moderation.sql", "0004_preferences.sql"} {
		text, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		exec(string(text))
		exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())", version+1, name)
	}
	users := map[string]int64{}
	created := map[string]time.Time{}
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, name := range []string{"alice", "Bob", "carol"} {
		at = at.Add(time.Hour)
		var id int64
		err := conn.QueryRow(ctx, `INSERT INTO users (username, password_hash, display_name, created_at)
			VALUES ($1, '\x01', $1, $2) RETURNING id`, name, at).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		users[name], created[name] = id, at
	}
	rooms := map[string]int64{"general": 1}
	for name, creator := range map[string]string{"random": "alice", "quiet": "Bob"} {
		var id int64
		err := conn.QueryRow(ctx, "INSERT INTO rooms (name, created_by, created_at) VALUES ($1, $2, $3) RETURNING id",
			name, users[creator], at).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		rooms[name] = id
	}
	first := map[string]time.Time{}
	for _, m := range []struct{ user, room string }{
		{"alice", "random"}, {"Bob", "random"}, {"alice", "general"}, {"alice", "random"},
	} {
		at = at.Add(time.Minute)
		exec("INSERT INTO messages (room_id, user_id, text, created_at) VALUES ($1, $2, 'hello', $3)",
			rooms[m.room], users[m.user], at)
		if key := m.user + "/" + m.room; first[key].IsZero() {
			first[key] = at
		}
	}

	s := openAt(t, url)
	all, err := s.Rooms(ctx)
	if err != nil {
		t.Fatalf("Rooms: %v", err)
	}
	for _, r := range all {
		if r.Kind != parley.RoomPublic {
			t.Errorf("room %s kind = %v, want public", r.Name, r.Kind)
		}
	}
	for name, want := range map[string][]string{
		"alice": {"general", "random"},
		"Bob":   {"general", "random"},
		"carol": {"general"},
	} {
		got, err := s.RoomsOf(ctx, users[name])
		if err != nil {
			t.Fatalf("RoomsOf(%s): %v", name, err)
		}
		var names []string
		for _, r := range got {
			names = append(names, r.Name)
		}
		if !slices.Equal(names, want) {
			t.Errorf("RoomsOf(%s) = %q, want %q", name, names, want)
		}
	}
	if n, err := s.MemberCount(ctx, rooms["quiet"]); err != nil || n != 0 {
		t.Errorf("quiet's member count = %d, %v; want 0: its creator never wrote in it", n, err)
	}
	want := map[string]time.Time{
		"alice/general": created["alice"], "Bob/general": created["Bob"], "carol/general": created["carol"],
		"alice/random": first["alice/random"], "Bob/random": first["Bob/random"],
	}
	rows, err := conn.Query(ctx, `
		SELECT users.display_name || '/' || rooms.name, room_members.joined_at
		FROM room_members
		JOIN users ON users.id = room_members.user_id
		JOIN rooms ON rooms.id = room_members.room_id`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]time.Time{}
	for rows.Next() {
		var key string
		var joined time.Time
		if err := rows.Scan(&key, &joined); err != nil {
			t.Fatal(err)
		}
		got[key] = joined
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("room_members = %v, want %v", got, want)
	}
	for key, at := range want {
		if !got[key].Equal(at) {
			t.Errorf("joined_at of %s = %v, want %v", key, got[key], at)
		}
	}
	// A new account after the migration joins general.
	dave, err := s.CreateUser(ctx, "dave", []byte("hash"))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.IsMember(ctx, 1, dave.ID); err != nil || !ok {
		t.Errorf("IsMember(general, new user) = %v, %v; want true", ok, err)
	}
}
