// Package sqlite stores Parley's data in SQLite through modernc.org/sqlite,
// a pure Go driver: the binary needs no C compiler and no database server.
//
// A Store keeps two connection pools on one database file in WAL mode: a
// writer pool with a single connection, so that writes are serialized and
// every transaction takes the write lock when it begins, and a reader pool
// of a few connections, so that reads never wait behind the writer.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"sync"
	"time"

	"github.com/parleychat/parley/app/parley"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// busyTimeout is how long a statement waits for a lock that another
// connection, or another process, holds.
const busyTimeout = 5 * time.Second

// Store is Parley's storage on a SQLite database. It is safe for
// concurrent use.
type Store struct {
	writer *sql.DB
	reader *sql.DB
	// sessionUser and roomByName are the queries every websocket makes,
	// prepared on the readers.
	sessionUser *sql.Stmt
	roomByName  *sql.Stmt
	memory      bool
	now         func() time.Time

	closeOnce sync.Once
	closeErr  error
}

var _ parley.Store = (*Store)(nil)

// Open opens the SQLite database that databaseURL names, creating the file
// when it does not exist, and brings its schema up to date. It accepts a
// plain path, a "file:" URI, "sqlite:PATH" and ":memory:"; it rejects
// every other scheme.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	t, err := parseDatabaseURL(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	s, err := open(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	return s, nil
}

// open creates the pools and migrates the schema. An in-memory database
// exists only inside its one connection, so the reader pool is the writer.
func open(ctx context.Context, t target) (*Store, error) {
	writer, err := openPool(ctx, t.dsn(writerParams()), 1)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, writer); err != nil {
		return nil, errors.Join(err, writer.Close())
	}
	s := &Store{writer: writer, reader: writer, memory: t.memory, now: utcNow}
	if !t.memory {
		if s.reader, err = openPool(ctx, t.dsn(readerParams()), readerConns()); err != nil {
			return nil, errors.Join(err, writer.Close())
		}
	}
	// Every page load and websocket looks its session up: parse that query
	// once, not once per request.
	if s.sessionUser, err = s.reader.PrepareContext(ctx, sessionUserQuery); err != nil {
		return nil, errors.Join(err, s.close())
	}
	if s.roomByName, err = s.reader.PrepareContext(ctx, roomByNameQuery); err != nil {
		return nil, errors.Join(err, s.close())
	}
	return s, nil
}

// writerParams configure the writer's connection. journal_mode=WAL is
// stored in the file, so the readers, opened after the writer, inherit it.
func writerParams() url.Values {
	return url.Values{
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
			"foreign_keys(1)",
			"journal_mode(WAL)",
			"synchronous(NORMAL)",
		},
		"_txlock": {"immediate"},
	}
}

// readerParams configure the readers' connections, which refuse writes.
func readerParams() url.Values {
	return url.Values{
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
			"foreign_keys(1)",
			"query_only(1)",
		},
	}
}

// readerConns is the size of the reader pool: one per CPU, from 2 to 8.
func readerConns() int {
	return min(max(runtime.NumCPU(), 2), 8)
}

// openPool opens a pool of at most conns connections that are kept open,
// and checks that the first one can be opened.
func openPool(ctx context.Context, dsn string, conns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return db, nil
}

// pingBusyTimeout is how long Ping waits for the write lock: well within
// a readiness probe's time.
const pingBusyTimeout = 250 * time.Millisecond

// Ping reports whether the database answers readers and lets the writer
// take the write lock. An open connection is not enough: while another
// process holds the lock, nothing can be stored.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.reader.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return wrap("ping", err)
	}
	return wrap("ping", s.probeWriteLock(ctx))
}

// probeWriteLock takes the write lock and gives it back at once, with the
// busy timeout of the writer's connection shortened meanwhile.
func (s *Store) probeWriteLock(ctx context.Context) (err error) {
	conn, err := s.writer.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	setBusy := func(ctx context.Context, d time.Duration) error {
		_, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", d.Milliseconds()))
		return err
	}
	if err := setBusy(ctx, pingBusyTimeout); err != nil {
		return err
	}
	defer func() {
		if rerr := setBusy(context.Background(), busyTimeout); rerr != nil {
			// A writer that gives up on locks after 250 ms must not
			// stay in the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, rerr)
		}
	}()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "ROLLBACK")
	return err
}

// Close checkpoints the write-ahead log into the database file and closes
// both pools, so that a clean shutdown leaves a single consistent file.
// Calling Close again returns the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { s.closeErr = wrap("close", s.close()) })
	return s.closeErr
}

// close closes the readers first, so that no reader holds back the
// checkpoint, then checkpoints and closes the writer.
func (s *Store) close() error {
	var errs []error
	for _, stmt := range []*sql.Stmt{s.sessionUser, s.roomByName} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	if s.reader != s.writer {
		errs = append(errs, s.reader.Close())
	}
	if !s.memory {
		_, err := s.writer.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		errs = append(errs, err)
	}
	errs = append(errs, s.writer.Close())
	return errors.Join(errs...)
}

// inTx runs fn in a write transaction, which takes the write lock when it
// begins (_txlock=immediate), and commits when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}
