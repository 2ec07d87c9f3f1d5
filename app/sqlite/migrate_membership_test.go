package sqlite_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// version4 is what buildVersion4 stored, by name.
type version4 struct {
	users   map[string]int64
	rooms   map[string]int64
	created map[string]time.Time // each user's account
	first   map[string]time.Time // "user/room": that user's first message there
}

// buildVersion4 makes a database at schema version 4, as a build from
// before room kinds and membership left it: migrations 0001 to 0004
// applied and recorded the way migrate.go records them. Alice wrote in
// general and twice in random, Bob once in random, Carol nowhere; Bob
// created quiet and never wrote in it.
func buildVersion4(t *testing.T, path string) version4 {
	t.Helper()
	ctx := t.Context()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			t.Errorf("close version 4 database: %v", err)
		}
	}()
	exec := func(query string, args ...any) int64 {
		t.Helper()
		res, err := db.ExecContext(ctx, query, args...)
		if err != nil {
			t.Fatalf("version 4 database: %v\n%s", err, query)
		}
		id, err := res.LastInsertId()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	exec(`CREATE TABLE schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`)
	for version, name := range []string{"0001_init.sql", "0002_rooms.sql", "0003_moderation.sql", "0004_preferences.sql"} {
		text, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		exec(string(text))
		exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			version+1, name, time.Now().Add(-time.Hour).UnixMilli())
	}

	v := version4{users: map[string]int64{}, rooms: map[string]int64{"general": general},
		created: map[string]time.Time{}, first: map[string]time.Time{}}
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, name := range []string{"alice", "Bob", "carol"} {
		at = at.Add(time.Hour)
		v.users[name] = exec("INSERT INTO users (username, password_hash, display_name, created_at) VALUES (?, X'01', ?, ?)",
			name, name, at.UnixMilli())
		v.created[name] = at
	}
	v.rooms["random"] = exec("INSERT INTO rooms (name, created_by, created_at) VALUES ('random', ?, ?)", v.users["alice"], at.UnixMilli())
	v.rooms["quiet"] = exec("INSERT INTO rooms (name, created_by, created_at) VALUES ('quiet', ?, ?)", v.users["Bob"], at.UnixMilli())
	for _, m := range []struct{ user, room string }{
		{"alice", "random"}, {"Bob", "random"}, {"alice", "general"}, {"alice", "random"},
	} {
		at = at.Add(time.Minute)
		exec("INSERT INTO messages (room_id, user_id, text, created_at) VALUES (?, ?, 'hello', ?)",
			v.rooms[m.room], v.users[m.user], at.UnixMilli())
		if key := m.user + "/" + m.room; v.first[key].IsZero() {
			v.first[key] = at
		}
	}
	return v
}

func TestMigrateMembership(t *testing.T) {
	path := dbPath(t)
	v4 := buildVersion4(t, path)
	s := openAt(t, path)
	ctx := t.Context()

	// Every existing room is public, and none is direct.
	rooms, err := s.Rooms(ctx)
	if err != nil {
		t.Fatalf("Rooms: %v", err)
	}
	if got, want := roomNames(rooms), []string{"general", "quiet", "random"}; !slices.Equal(got, want) {
		t.Fatalf("Rooms after migration = %q, want %q", got, want)
	}
	for _, r := range rooms {
		if r.Kind != parley.RoomPublic {
			t.Errorf("room %s kind = %v, want public", r.Name, r.Kind)
		}
	}
	var keys int
	if err := rawDB(t, path).QueryRowContext(ctx, "SELECT count(dm_key) FROM rooms").Scan(&keys); err != nil || keys != 0 {
		t.Errorf("rooms with a dm_key after migration = %d, %v; want none", keys, err)
	}

	// Everyone has joined general and every room they wrote in.
	for name, want := range map[string][]string{
		"alice": {"general", "random"},
		"Bob":   {"general", "random"},
		"carol": {"general"},
	} {
		rooms, err := s.RoomsOf(ctx, v4.users[name])
		if err != nil {
			t.Fatalf("RoomsOf(%s): %v", name, err)
		}
		if got := roomNames(rooms); !slices.Equal(got, want) {
			t.Errorf("RoomsOf(%s) = %q, want %q", name, got, want)
		}
	}
	for room, want := range map[string][]string{
		"general": {"alice", "Bob", "carol"},
		"random":  {"alice", "Bob"},
		"quiet":   nil, // created by Bob, who never wrote in it
	} {
		members, err := s.Members(ctx, v4.rooms[room])
		if err != nil {
			t.Fatalf("Members(%s): %v", room, err)
		}
		var got []string
		for _, u := range members {
			got = append(got, u.DisplayName)
		}
		if !slices.Equal(got, want) {
			t.Errorf("Members(%s) = %q, want %q", room, got, want)
		}
	}

	// Each joined general when their account was made, and another room
	// with their first message in it.
	want := map[string]time.Time{
		"alice/general": v4.created["alice"], "Bob/general": v4.created["Bob"], "carol/general": v4.created["carol"],
		"alice/random": v4.first["alice/random"], "Bob/random": v4.first["Bob/random"],
	}
	got := joinedAt(t, rawDB(t, path))
	if len(got) != len(want) {
		t.Errorf("room_members = %v, want %v", got, want)
	}
	for key, at := range want {
		if !got[key].Equal(at) {
			t.Errorf("joined_at of %s = %v, want %v", key, got[key], at)
		}
	}

	// The migrated database works as a new one: a new account joins
	// general, and reopening changes nothing.
	dave := createUser(t, s, "dave")
	if ok, err := s.IsMember(ctx, general, dave.ID); err != nil || !ok {
		t.Errorf("IsMember(general, new user) = %v, %v; want true", ok, err)
	}
	versions := schemaMigrations(t, path)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = openAt(t, path)
	if got := schemaMigrations(t, path); !slices.Equal(got, versions) {
		t.Errorf("schema_migrations after reopening = %v, want %v", got, versions)
	}
	if n, err := s.MemberCount(ctx, general); err != nil || n != 4 {
		t.Errorf("general's member count after reopening = %d, %v; want 4", n, err)
	}
}

// joinedAt reads room_members as "user/room" (display name, room name)
// to joined_at.
func joinedAt(t *testing.T, db *sql.DB) map[string]time.Time {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `
		SELECT users.display_name, rooms.name, room_members.joined_at
		FROM room_members
		JOIN users ON users.id = room_members.user_id
		JOIN rooms ON rooms.id = room_members.room_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]time.Time{}
	for rows.Next() {
		var user, room string
		var at int64
		if err := rows.Scan(&user, &room, &at); err != nil {
			t.Fatal(err)
		}
		got[fmt.Sprintf("%s/%s", user, room)] = time.UnixMilli(at).UTC()
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestMembershipSchemaRefusesBadRooms checks the constraints of 0005: a
// kind is one of three, and a room has a dm_key exactly when it is direct.
func TestMembershipSchemaRefusesBadRooms(t *testing.T) {
	path := dbPath(t)
	openAt(t, path)
	db := rawDB(t, path)
	for _, insert := range []string{
		"INSERT INTO rooms (name, kind, created_at) VALUES ('a', 'secret', 0)",
		"INSERT INTO rooms (name, kind, created_at) VALUES ('b', 'direct', 0)",
		"INSERT INTO rooms (name, kind, dm_key, created_at) VALUES ('c', 'private', '1,2', 0)",
		"INSERT INTO rooms (name, dm_key, created_at) VALUES ('d', '1,2', 0)",
	} {
		if _, err := db.ExecContext(t.Context(), insert); err == nil {
			t.Errorf("%s: succeeded, want a constraint error", insert)
		}
	}
	const direct = "INSERT INTO rooms (name, kind, dm_key, created_at) VALUES (?, 'direct', '1,2', 0)"
	if _, err := db.ExecContext(t.Context(), direct, "dm-1"); err != nil {
		t.Fatalf("first direct room: %v", err)
	}
	if _, err := db.ExecContext(t.Context(), direct, "dm-2"); err == nil {
		t.Error("second direct room of one key: succeeded, want a unique constraint error")
	}
}
