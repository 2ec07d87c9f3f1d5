package servicetest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

func query[T any](t *testing.T, url, sql string, args ...any) T {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var v T
	if err := conn.QueryRow(t.Context(), sql, args...).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func currentSchema(t *testing.T, url string) string {
	return query[string](t, url, "SELECT current_schema()")
}

func countTables(t *testing.T, url, schema string) int {
	return query[int](t, url, "SELECT count(*) FROM pg_tables WHERE schemaname = $1", schema)
}

func schemaExists(t *testing.T, url, schema string) bool {
	return query[bool](t, url, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema)
}
