package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// migrationFiles are the schema's migrations, named NNNN_what.sql and
// applied in the order of their numbers. A released file never changes:
// a schema change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered step of the schema.
type migration struct {
	version int
	name    string
	sql     string
}

// migrate applies, in order, each migration the database has not had yet,
// each in its own write transaction. Running it again changes nothing.
func migrate(ctx context.Context, db *sql.DB) error {
	migrations, err := loadMigrations(migrationFiles)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := createMigrationsTable(ctx, db); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := checkNotNewer(ctx, db, migrations); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range migrations {
		if err := applyMigration(ctx, db, m); err != nil {
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

// createMigrationsTable creates the table that lists applied migrations.
func createMigrationsTable(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`)
	return err
}

// checkNotNewer refuses a database that a newer build has migrated past
// what this build knows: its code would not match the schema.
func checkNotNewer(ctx context.Context, db *sql.DB, migrations []migration) error {
	var newest sql.NullInt64
	err := db.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&newest)
	if err != nil {
		return err
	}
	known := 0
	if len(migrations) > 0 {
		known = migrations[len(migrations)-1].version
	}
	if newest.Valid && newest.Int64 > int64(known) {
		return fmt.Errorf("database schema version %d is newer than this build's %d", newest.Int64, known)
	}
	return nil
}

// applyMigration runs m unless the database has it already. The check is
// inside the write transaction, so two processes opening the same new
// file apply each migration once.
func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := applyInTx(ctx, tx, m); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

// applyInTx is applyMigration's work inside the transaction.
func applyInTx(ctx context.Context, tx *sql.Tx, m migration) error {
	var applied bool
	err := tx.QueryRowContext(ctx,
		"SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)", m.version).Scan(&applied)
	if err != nil || applied {
		return err
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx,
		"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, toMillis(utcNow()))
	return err
}
