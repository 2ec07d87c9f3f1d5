package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

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

// wrap prefixes err with the package and the operation, turns
// pgx.ErrNoRows into parley.ErrNotFound, and marks the errors of a database
// that cannot do the work now with parley.ErrUnavailable. It returns nil
// for a nil err.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		err = parley.ErrNotFound
	}
	if isUnavailable(err) {
		return fmt.Errorf("postgres: %s: %w: %w", op, parley.ErrUnavailable, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// isUnavailable reports whether err says the database cannot do the work
// now rather than that the work is wrong: no answer in time, no
// connection, or a server that is out of resources (disk full), shutting
// down or read-only.
func isUnavailable(err error) bool {
	var connect *pgconn.ConnectError
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &connect) {
		return true
	}
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return false
	}
	switch {
	case strings.HasPrefix(e.Code, "08"), // connection exception
		strings.HasPrefix(e.Code, "53"),  // insufficient resources
		strings.HasPrefix(e.Code, "57P"), // operator intervention: shutdown
		e.Code == "25006":                // read-only SQL transaction
		return true
	}
	return false
}

// violates reports whether err is the violation of a constraint of one
// kind (code); constraint, when not empty, must be its name.
func violates(err error, code, constraint string) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == code && (constraint == "" || e.ConstraintName == constraint)
}
