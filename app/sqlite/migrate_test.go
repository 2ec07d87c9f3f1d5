package sqlite_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// version1 is what buildVersion1 stored: a user and the messages left
// after the newest of three was deleted.
type version1 struct {
	userID    int64
	messages  []parley.Message // in general, oldest first
	deletedID int64            // the newest message's ID, above every kept one
}

// buildVersion1 makes a database at schema version 1, as a build from
// before rooms left it: only migrations/0001_init.sql applied and
// recorded in schema_migrations the way migrate.go records it.
func buildVersion1(t *testing.T, path string) version1 {
	t.Helper()
	ctx := t.Context()
	initSQL, err := os.ReadFile(filepath.Join("migrations", "0001_init.sql"))
	if err != nil {
		t.Fatal(err)
	}
	// The "sqlite" driver is modernc.org/sqlite's, which the package registers.
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			t.Errorf("close version 1 database: %v", err)
		}
	}()
	exec := func(query string, args ...any) sql.Result {
		t.Helper()
		res, err := db.ExecContext(ctx, query, args...)
		if err != nil {
			t.Fatalf("version 1 database: %v\n%s", err, query)
		}
		return res
	}
	exec(`CREATE TABLE schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`)
	exec(string(initSQL))
	exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, '0001_init.sql', ?)",
		time.Now().Add(-time.Hour).UnixMilli())

	created := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	res := exec("INSERT INTO users (username, password_hash, display_name, created_at) VALUES ('alice', X'01', 'alice', ?)",
		created.UnixMilli())
	userID, err := res.LastInsertId()
	if err != nil {
		t.Fatal(err)
	}
	v := version1{userID: userID}
	for i, text := range []string{"first", "second", "third, deleted"} {
		at := created.Add(time.Duration(i+1) * time.Minute)
		res := exec("INSERT INTO messages (user_id, text, created_at) VALUES (?, ?, ?)", userID, text, at.UnixMilli())
		id, err := res.LastInsertId()
		if err != nil {
			t.Fatal(err)
		}
		v.messages = append(v.messages, parley.Message{
			ID: id, RoomID: general, UserID: userID, AuthorName: "alice", Text: text, CreatedAt: at,
		})
	}
	deleted := v.messages[len(v.messages)-1]
	exec("DELETE FROM messages WHERE id = ?", deleted.ID)
	v.messages, v.deletedID = v.messages[:len(v.messages)-1], deleted.ID

	var seq int64
	if err := db.QueryRowContext(ctx, "SELECT seq FROM sqlite_sequence WHERE name = 'messages'").Scan(&seq); err != nil {
		t.Fatal(err)
	}
	if seq != v.deletedID {
		t.Fatalf("version 1 AUTOINCREMENT counter = %d, want the deleted message's ID %d", seq, v.deletedID)
	}
	return v
}

func TestMigrateMessagesIntoGeneral(t *testing.T) {
	path := dbPath(t)
	v1 := buildVersion1(t, path)

	s := openAt(t, path)
	rooms, err := s.Rooms(t.Context())
	if err != nil {
		t.Fatalf("Rooms: %v", err)
	}
	if len(rooms) != 1 || rooms[0].ID != general || rooms[0].Name != "general" || rooms[0].CreatedBy != 0 {
		t.Errorf("Rooms after migration = %+v, want only general (ID %d, no creator)", rooms, general)
	}
	got, err := s.MessagesBefore(t.Context(), general, 0, parley.HistorySize)
	if err != nil {
		t.Fatalf("MessagesBefore(general): %v", err)
	}
	assertMessages(t, got, v1.messages)
	assertUsesRoomIndex(t, s)

	next, err := s.CreateMessage(t.Context(), general, v1.userID, "after migration")
	if err != nil {
		t.Fatalf("CreateMessage after migration: %v", err)
	}
	if next.ID <= v1.deletedID {
		t.Errorf("first message ID after migration = %d, want more than the deleted message's %d: IDs are never reused", next.ID, v1.deletedID)
	}
	want := append(slices.Clone(v1.messages), next)
	versions := schemaMigrations(t, path)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Opening again changes nothing.
	s = openAt(t, path)
	if got := schemaMigrations(t, path); !slices.Equal(got, versions) {
		t.Errorf("schema_migrations after reopening = %v, want %v", got, versions)
	}
	rooms2, err := s.Rooms(t.Context())
	if err != nil {
		t.Fatalf("Rooms after reopening: %v", err)
	}
	assertRooms(t, rooms2, rooms)
	got, err = s.MessagesBefore(t.Context(), general, 0, parley.HistorySize)
	if err != nil {
		t.Fatalf("MessagesBefore after reopening: %v", err)
	}
	assertMessages(t, got, want)
	after, err := s.CreateMessage(t.Context(), general, v1.userID, "after reopening")
	if err != nil {
		t.Fatalf("CreateMessage after reopening: %v", err)
	}
	if after.ID <= next.ID {
		t.Errorf("message ID after reopening = %d, want more than %d", after.ID, next.ID)
	}
}

func TestMigrateKeepsCounterOfEmptiedMessages(t *testing.T) {
	path := dbPath(t)
	v1 := buildVersion1(t, path)
	if _, err := rawDB(t, path).ExecContext(t.Context(), "DELETE FROM messages"); err != nil {
		t.Fatal(err)
	}

	s := openAt(t, path)
	got, err := s.MessagesBefore(t.Context(), general, 0, parley.HistorySize)
	if err != nil || len(got) != 0 {
		t.Fatalf("MessagesBefore(general) = %d messages, %v; want none", len(got), err)
	}
	m, err := s.CreateMessage(t.Context(), general, v1.userID, "after migration")
	if err != nil {
		t.Fatalf("CreateMessage after migration: %v", err)
	}
	if m.ID <= v1.deletedID {
		t.Errorf("first message ID after migration = %d, want more than the deleted messages' %d", m.ID, v1.deletedID)
	}
}

// appliedMigration is one row of schema_migrations.
type appliedMigration struct {
	version   int64
	name      string
	appliedAt int64
}

// schemaMigrations reads schema_migrations, by version, and checks that
// every migration file is in it.
func schemaMigrations(t *testing.T, path string) []appliedMigration {
	t.Helper()
	rows, err := rawDB(t, path).QueryContext(t.Context(),
		"SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var applied []appliedMigration
	for rows.Next() {
		var m appliedMigration
		if err := rows.Scan(&m.version, &m.name, &m.appliedAt); err != nil {
			t.Fatal(err)
		}
		applied = append(applied, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range applied {
		names = append(names, m.name)
	}
	var want []string
	for _, f := range files {
		want = append(want, filepath.Base(f))
	}
	if !slices.Equal(names, want) {
		t.Errorf("schema_migrations names = %q, want every migration once: %q", names, want)
	}
	return applied
}
