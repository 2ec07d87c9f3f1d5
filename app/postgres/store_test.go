package postgres_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/postgres"
	"github.com/parleychat/parley/app/servicetest"
	"github.com/parleychat/parley/app/storetest"
)

// TestStoreContract runs the store contract that the SQLite store keeps
// too, each test in a fresh schema of PARLEY_TEST_POSTGRES_URL.
func TestStoreContract(t *testing.T) {
	servicetest.Require(t, servicetest.PostgresVar, "PostgreSQL database")
	storetest.Run(t, storetest.Backend{
		Name: "postgres",
		NewDatabase: func(t *testing.T) storetest.Opener {
			url := servicetest.PostgresURL(t)
			return func(t *testing.T) parley.Store { return openAt(t, url) }
		},
		LoginStats: func(t *testing.T, s parley.Store, userID int64) (int64, time.Time) {
			t.Helper()
			count, last, err := postgres.LoginStats(t.Context(), s.(*postgres.Store), userID)
			if err != nil {
				t.Fatalf("LoginStats(%d): %v", userID, err)
			}
			return count, last
		},
		SetClock: func(t *testing.T, s parley.Store, now func() time.Time) {
			postgres.SetClock(s.(*postgres.Store), now)
		},
	})
}

// openAt opens the store at databaseURL and closes it when the test ends.
func openAt(t *testing.T, databaseURL string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), databaseURL)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// rawConn connects to the database as another program would.
func rawConn(t *testing.T, databaseURL string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// closedPort returns a loopback address on which nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestOpenUnreachableServer(t *testing.T) {
	url := "postgres://parley:s3cret@" + closedPort(t) + "/parley?sslmode=disable"
	start := time.Now()
	s, err := postgres.Open(t.Context(), url)
	if err == nil {
		s.Close()
		t.Fatal("Open of a closed port succeeded, want an error")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "postgres: open: ") {
		t.Errorf("error %q does not start with %q", msg, "postgres: open: ")
	}
	if strings.Contains(msg, "s3cret") {
		t.Errorf("error %q repeats the URL's password", msg)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Open of a closed port took %v, want a prompt error", elapsed)
	}
}

func TestOpenRejectsOtherURLs(t *testing.T) {
	for _, url := range []string{
		"file:parley.db",
		"parley.db",
		"mysql://root:s3cret@localhost/parley",
		"",
		"postgres://parley:s3cret@localhost:notaport/parley",
		"postgres://parley:s3cret@localhost/parley?sslmode=bogus",
	} {
		t.Run(url, func(t *testing.T) {
			if err := postgres.ParseURL(url); err == nil {
				t.Errorf("ParseURL(%q) = nil, want an error", url)
			}
			s, err := postgres.Open(t.Context(), url)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded, want an error", url)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "postgres: ") || strings.Contains(msg, "s3cret") {
				t.Errorf("Open(%q) error = %q, want it to start with %q and not repeat the password", url, msg, "postgres: ")
			}
		})
	}
}

func TestIsURL(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"postgres://localhost/parley", true},
		{"postgresql://u@h:5432/db?sslmode=disable", true},
		{"POSTGRES://localhost/parley", true},
		{" postgres://localhost/parley", true},
		{"postgres:parley", false},
		{"file:parley.db", false},
		{"parley.db", false},
		{"sqlite://x.db", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := postgres.IsURL(tt.url); got != tt.want {
			t.Errorf("IsURL(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}

// TestOpenConcurrentlyMigratesOnce starts several stores on one fresh
// schema at once, as instances deployed together do: every one opens, and
// each migration is applied once.
func TestOpenConcurrentlyMigratesOnce(t *testing.T) {
	url := servicetest.PostgresURL(t)
	const n = 4
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(t.Context(), url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
			continue
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	rows, err := rawConn(t, url).Query(t.Context(), "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		t.Fatal(err)
	}
	if got, want := versions, []int32{1, 2, 3, 4, 5}; !slices.Equal(got, want) {
		t.Errorf("schema_migrations versions = %v, want %v", got, want)
	}
	if errs[0] == nil {
		rooms, err := stores[0].Rooms(t.Context())
		if err != nil || len(rooms) != 1 {
			t.Errorf("Rooms after concurrent opens = %v, %v; want general alone", rooms, err)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	url := servicetest.PostgresURL(t)
	openAt(t, url).Close()
	_, err := rawConn(t, url).Exec(t.Context(),
		"INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', now())")
	if err != nil {
		t.Fatal(err)
	}
	s, err := postgres.Open(t.Context(), url)
	if err == nil {
		s.Close()
		t.Fatal("Open of a database from a newer build succeeded, want an error")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open error = %q, want it to say the schema is newer", err)
	}
}

// TestSchemasAreApart checks that two schemas of one database, as two
// test runs or two deployments use, do not see each other's data.
func TestSchemasAreApart(t *testing.T) {
	a, b := openAt(t, servicetest.PostgresURL(t)), openAt(t, servicetest.PostgresURL(t))
	if _, err := a.CreateUser(t.Context(), "alice", []byte("hash")); err != nil {
		t.Fatal(err)
	}
	_, _, err := b.UserByUsername(t.Context(), "alice")
	if !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("UserByUsername in the other schema: error = %v, want parley.ErrNotFound", err)
	}
}
