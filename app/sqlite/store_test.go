package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/app/sqlite"
)

func TestOpenAcceptsSQLiteURLs(t *testing.T) {
	tests := []struct {
		name string
		url  func(dir string) string
		file string // relative to dir; empty for an in-memory database
	}{
		{"plain relative path", func(string) string { return "parley.db" }, "parley.db"},
		{"plain absolute path", func(dir string) string { return filepath.Join(dir, "abs.db") }, "abs.db"},
		{"default file URL", func(string) string { return "file:parley.db" }, "parley.db"},
		{"absolute file URL", func(dir string) string { return "file:" + filepath.Join(dir, "f.db") }, "f.db"},
		{"file URL with authority", func(dir string) string { return "file://" + filepath.Join(dir, "a.db") }, "a.db"},
		{"sqlite scheme", func(string) string { return "sqlite:s.db" }, "s.db"},
		{"sqlite URL absolute", func(dir string) string { return "sqlite://" + filepath.Join(dir, "u.db") }, "u.db"},
		{"path with URI characters", func(string) string { return "odd#name%.db" }, "odd#name%.db"},
		{"memory", func(string) string { return ":memory:" }, ""},
		{"memory file URL", func(string) string { return "file::memory:" }, ""},
		{"memory mode", func(string) string { return "file:mem.db?mode=memory" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			s := openAt(t, tt.url(dir))
			if err := s.Ping(t.Context()); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			u := createUser(t, s, "alice")
			if _, _, err := s.UserByUsername(t.Context(), "alice"); err != nil {
				t.Fatalf("UserByUsername after CreateUser: %v", err)
			}
			if _, err := s.CreateMessage(t.Context(), general, u.ID, "hi"); err != nil {
				t.Fatalf("CreateMessage: %v", err)
			}
			if tt.file == "" {
				assertNoFiles(t, dir)
				return
			}
			if _, err := os.Stat(filepath.Join(dir, tt.file)); err != nil {
				t.Errorf("database file: %v", err)
			}
		})
	}
}

// assertNoFiles fails when dir holds any file.
func assertNoFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("in-memory database wrote %s", e.Name())
	}
}

func TestOpenRejectsOtherSchemes(t *testing.T) {
	tests := []struct {
		url, want string
	}{
		{"postgres://parley:s3cret@db.example.com/parley", `"postgres"`},
		{"postgresql://localhost/parley", `"postgresql"`},
		{"mysql://root@localhost/parley", `"mysql"`},
		{"https://example.com/parley.db", `"https"`},
		{"", "empty"},
		{"file:", "no file"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			s, err := sqlite.Open(t.Context(), tt.url)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tt.url)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("Open(%q) error = %q, want it to mention %s", tt.url, msg, tt.want)
			}
			if strings.Contains(tt.url, "://") && !strings.Contains(msg, "only SQLite is supported") {
				t.Errorf("Open(%q) error = %q, want it to say only SQLite is supported", tt.url, msg)
			}
			if strings.Contains(msg, "s3cret") {
				t.Errorf("Open error %q repeats the URL's password", msg)
			}
		})
	}
}

func TestCloseCheckpointsWAL(t *testing.T) {
	path := dbPath(t)
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	u := createUser(t, s, "alice")
	for range 20 {
		if _, err := s.CreateMessage(t.Context(), general, u.ID, strings.Repeat("x", 500)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if info, err := os.Stat(path + "-wal"); err == nil && info.Size() > 0 {
		t.Errorf("after Close the WAL holds %d bytes, want it empty or gone", info.Size())
	}
	if err := s.Ping(context.Background()); err == nil {
		t.Error("Ping after Close succeeded, want an error")
	}
}

// TestReadsDoNotWaitForWriter keeps the store's writer busy, waiting for
// a write lock that another connection holds (as another process would),
// and checks that reads still answer at once.
func TestReadsDoNotWaitForWriter(t *testing.T) {
	path := dbPath(t)
	s := openAt(t, path)
	u := createUser(t, s, "alice")
	if err := s.CreateSession(t.Context(), []byte("sid"), u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateMessage(t.Context(), general, u.ID, "hello"); err != nil {
		t.Fatal(err)
	}
	unlock := holdWriteLock(t, path)
	written := make(chan error, 1)
	go func() {
		_, err := s.CreateMessage(context.Background(), general, u.ID, "waits for the lock")
		written <- err
	}()
	time.Sleep(100 * time.Millisecond) // let the write take the writer connection

	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if _, err := s.SessionUser(ctx, []byte("sid")); err != nil {
		t.Errorf("SessionUser while the writer waits: %v", err)
	}
	if msgs, err := s.MessagesBefore(ctx, general, 0, 50); err != nil || len(msgs) != 1 {
		t.Errorf("MessagesBefore while the writer waits = %d messages, %v; want 1, nil", len(msgs), err)
	}
	if _, _, err := s.UserByUsername(ctx, "alice"); err != nil {
		t.Errorf("UserByUsername while the writer waits: %v", err)
	}
	unlock()
	if err := <-written; err != nil {
		t.Errorf("write after the lock was released: %v", err)
	}
}

// holdWriteLock takes the database's write lock on a connection of its
// own and returns the function that releases it.
func holdWriteLock(t *testing.T, path string) func() {
	t.Helper()
	db := rawDB(t, path)
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	return func() {
		_, err := conn.ExecContext(context.Background(), "ROLLBACK")
		err = errors.Join(err, conn.Close())
		if err != nil {
			t.Errorf("release write lock: %v", err)
		}
	}
}

func TestOpenSetsWALMode(t *testing.T) {
	path := dbPath(t)
	openAt(t, path)
	db := rawDB(t, path)
	var mode string
	if err := db.QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if got, want := mode, "wal"; got != want {
		t.Errorf("journal_mode = %q, want %q", got, want)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := dbPath(t)
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = rawDB(t, path).ExecContext(t.Context(),
		"INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)")
	if err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(t.Context(), path)
	if err == nil {
		s.Close()
		t.Fatal("Open of a database from a newer build succeeded, want an error")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open error = %q, want it to say the schema is newer", err)
	}
}

// rawDB opens the database file directly, as another program would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
