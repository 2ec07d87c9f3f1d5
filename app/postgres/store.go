// Package postgres stores Parley's data in PostgreSQL through
// github.com/jackc/pgx/v5, so that several Parley instances can share one
// database: every instance sees the same accounts, sessions, OAuth sign-ins
// in progress, rooms and messages, and message IDs come from the database.
//
// It behaves as the SQLite store does; app/storetest holds the contract
// both pass.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleychat/parley/app/parley"
)

// connectTimeout bounds each connection attempt when the URL sets no
// connect_timeout, so that an unreachable server fails the start instead
// of hanging it.
const connectTimeout = 10 * time.Second

// Store is Parley's storage on a PostgreSQL database. It is safe for
// concurrent use, by one process or by many.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time

	closeOnce sync.Once
}

var _ parley.Store = (*Store)(nil)

// IsURL reports whether databaseURL names a PostgreSQL database: it starts
// with postgres:// or postgresql://, in any letter case.
func IsURL(databaseURL string) bool {
	scheme, _, ok := strings.Cut(strings.TrimSpace(databaseURL), "://")
	return ok && (strings.EqualFold(scheme, "postgres") || strings.EqualFold(scheme, "postgresql"))
}

// ParseURL checks a postgres:// URL without connecting. Its error never
// repeats the URL's password.
func ParseURL(databaseURL string) error {
	_, err := parseConfig(databaseURL)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// parseConfig reads the pool's configuration from a postgres:// URL. Any
// parameter PostgreSQL knows, such as search_path, is set on every
// connection.
func parseConfig(databaseURL string) (*pgxpool.Config, error) {
	if !IsURL(databaseURL) {
		return nil, errors.New("database URL must start with postgres:// or postgresql://")
	}
	cfg, err := pgxpool.ParseConfig(strings.TrimSpace(databaseURL))
	if err != nil {
		// pgconn's error shows the URL with its password masked.
		return nil, err
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	return cfg, nil
}

// Open connects to the PostgreSQL database that databaseURL
// (postgres://...) names and brings its schema up to date. Several
// processes may open the same database at once: one migrates while the
// others wait.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	cfg, err := parseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	// The pool connects lazily: connect now, so that an unreachable
	// server is an error at start rather than at the first request.
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return &Store{pool: pool, now: utcNow}, nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return wrap("ping", s.pool.Ping(ctx))
}

// Close waits for the queries in flight and closes every connection.
// Calling it again does nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(s.pool.Close)
	return nil
}

// inTx runs fn in a transaction and commits when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}
