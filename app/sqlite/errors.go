package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/parleychat/parley/app/parley"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// errEmptyKey refuses a session or state hash that is empty.
var errEmptyKey = errors.New("empty key")

// wrap prefixes err with the package and the operation, turns
// sql.ErrNoRows into parley.ErrNotFound, and marks the errors of a database
// that cannot do the work now with parley.ErrUnavailable. It returns nil
// for a nil err.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		err = parley.ErrNotFound
	}
	if isUnavailable(err) {
		return fmt.Errorf("sqlite: %s: %w: %w", op, parley.ErrUnavailable, err)
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// isUnavailable reports whether err says the database cannot do the work
// now rather than that the work is wrong: another connection or process
// holds the lock (past the busy timeout, or past the caller's deadline),
// the disk is full, the file system read-only, or the file unreadable.
func isUnavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff { // the primary result code
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL,
		sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
		return true
	}
	return false
}

// isConstraint reports whether err is SQLite's extended result code for
// the violation of one kind of constraint, such as
// SQLITE_CONSTRAINT_UNIQUE.
func isConstraint(err error, code int) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == code
}

// isUniqueViolation reports whether err is a UNIQUE constraint violation.
func isUniqueViolation(err error) bool {
	return isConstraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE)
}

// isForeignKeyViolation reports whether err is a FOREIGN KEY constraint
// violation: a row names a user that does not exist.
func isForeignKeyViolation(err error) bool {
	return isConstraint(err, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY)
}
