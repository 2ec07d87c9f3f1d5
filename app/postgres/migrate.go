package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrationFiles are the schema's migrations, named NNNN_what.sql and
// applied in the order of their numbers. They mirror SQLite's, number for
// number. A released file never changes: a schema change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Advisory lock keys. PostgreSQL's two-key advisory locks live in a space
// of their own: the first key says what is locked, the second which one.
const (
	// lockMigrations, with the hash of the schema's name, is held while a
	// process migrates that schema.
	lockMigrations int32 = 0x7061_0001
	// lockRoomPosts, with a room's ID, is held by each transaction that
	// adds a message to that room.
	lockRoomPosts int32 = 0x7061_0002
	// lockIdentity, with the hash of a provider and provider user ID, is
	// held while that identity is found or created.
	lockIdentity int32 = 0x7061_0003
)

// migration is one numbered step of the schema.
type migration struct {
	version int
	name    string
	sql     string
}

// migrate applies, in order, each migration the database has not had yet,
// each in its own transaction. It holds an advisory lock on the schema
// throughout, so that instances starting together migrate one after the
// other: the first applies, the others find nothing left to do.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	migrations, err := loadMigrations(migrationFiles)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1, hashtext(current_schema()))", lockMigrations); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	err = migrateLocked(ctx, conn.Conn(), migrations)
	// Unlock with a context of its own: ctx may be what failed.
	_, unlockErr := conn.Exec(context.WithoutCancel(ctx),
		"SELECT pg_advisory_unlock($1, hashtext(current_schema()))", lockMigrations)
	if unlockErr != nil {
		// A connection that may still hold the lock must not go back to
		// the pool; closing it releases the lock.
		conn.Hijack().Close(context.WithoutCancel(ctx))
		return errors.Join(err, fmt.Errorf("migrate: unlock: %w", unlockErr))
	}
	return err
}

// migrateLocked is migrate's work under the lock.
func migrateLocked(ctx context.Context, conn *pgx.Conn, migrations []migration) error {
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL
	)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := checkNotNewer(ctx, conn, migrations); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range migrations {
		if err := applyMigration(ctx, conn, m); err != nil {
			return fmt.Errorf("migrate: %s: %w", m.name, err)
		}
	}
	return nil
}

// loadMigrations reads the migration files, sorted by version. Versions
// must be unique positive numbers.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var migrations []migration
	for _, name := range names { // fs.Glob sorts its result.
		m, err := loadMigration(fsys, name)
		if err != nil {
			return nil, err
		}
		if n := len(migrations); n > 0 && migrations[n-1].version >= m.version {
			return nil, fmt.Errorf("%s: version %d is not greater than %s's", m.name, m.version, migrations[n-1].name)
		}
		migrations = append(migrations, m)
	}
	return migrations, nil
}

// loadMigration reads one migration file and the version its name starts
// with.
func loadMigration(fsys fs.FS, name string) (migration, error) {
	base := path.Base(name)
	digits, _, _ := strings.Cut(base, "_")
	version, err := strconv.Atoi(digits)
	if err != nil || version <= 0 {
		return migration{}, fmt.Errorf("%s: name must start with a positive number and _", base)
	}
	text, err := fs.ReadFile(fsys, name)
	if err != nil {
		return migration{}, err
	}
	return migration{version: version, name: base, sql: string(text)}, nil
}

// checkNotNewer refuses a database that a newer build has migrated past
// what this build knows: its code would not match the schema.
func checkNotNewer(ctx context.Context, conn *pgx.Conn, migrations []migration) error {
	var newest *int64
	if err := conn.QueryRow(ctx, "SELECT max(version) FROM schema_migrations").Scan(&newest); err != nil {
		return err
	}
	known := 0
	if len(migrations) > 0 {
		known = migrations[len(migrations)-1].version
	}
	if newest != nil && *newest > int64(known) {
		return fmt.Errorf("database schema version %d is newer than this build's %d", *newest, known)
	}
	return nil
}

// applyMigration runs m in a transaction unless the database has it
// already.
func applyMigration(ctx context.Context, conn *pgx.Conn, m migration) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var applied bool
		err := tx.QueryRow(ctx,
			"SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)", m.version).Scan(&applied)
		if err != nil || applied {
			return err
		}
		// Exec without arguments sends the file as one simple query, so
		// that it may hold several statements.
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return err
		}
		_, err = tx.Exec(ctx,
			"INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
			m.version, m.name, utcNow())
		return err
	})
}
