package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parleychat/parley/app/parley"
)

// PostgreSQL's SQLSTATE codes for the constraint violations the store
// turns into domain errors.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// errEmptyKey refuses a session or state hash that is empty.
var errEmptyKey = errors.New("empty key")

// wrap prefixes err with the package and the operation, and turns
// pgx.ErrNoRows into parley.ErrNotFound. It returns nil for a nil err.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		err = parley.ErrNotFound
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// violates reports whether err is the violation of a constraint of one
// kind (code); constraint, when not empty, must be its name.
func violates(err error, code, constraint string) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == code && (constraint == "" || e.ConstraintName == constraint)
}
