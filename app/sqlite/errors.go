package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/parleychat/parley/app/parley"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// errEmptyKey refuses a session or state hash that is empty.
var errEmptyKey = errors.New("empty key")

// wrap prefixes err with the package and the operation, and turns
// sql.ErrNoRows into parley.ErrNotFound. It returns nil for a nil err.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		err = parley.ErrNotFound
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
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
