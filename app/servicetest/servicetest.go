// Package servicetest gives tests the external services (PostgreSQL and
// NATS) that the machine runs, named by environment variables:
//
//	PARLEY_TEST_POSTGRES_URL  a PostgreSQL database the tests may create
//	                          schemas in, e.g.
//	                          postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//	PARLEY_TEST_NATS_URL      a NATS server; nats://127.0.0.1:4222 (the
//	                          machine's) when unset
//	PARLEY_SERVICES=1         the services must be there: a missing
//	                          variable fails the test instead of skipping it
//
// Without the variables a test that needs a service is skipped with the
// reason, so that `go test ./...` works on a laptop with nothing installed;
// CI (.ci/run) sets both.
package servicetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables the tests read.
const (
	// ServicesVar set to 1 makes a missing service a failure.
	ServicesVar = "PARLEY_SERVICES"
	// PostgresVar names the PostgreSQL database to test against.
	PostgresVar = "PARLEY_TEST_POSTGRES_URL"
	// NATSVar names the NATS server to test against.
	NATSVar = "PARLEY_TEST_NATS_URL"
	// MachineNATS is the NATS server CI and the project's machines run.
	MachineNATS = "nats://127.0.0.1:4222"
)

// setupTimeout bounds creating and dropping a test's schema.
const setupTimeout = 30 * time.Second

// Require returns the value of the environment variable name, which
// locates the service what. When it is unset the test is skipped, or,
// with PARLEY_SERVICES=1, fails.
func Require(t testing.TB, name, what string) string {
	t.Helper()
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	if os.Getenv(ServicesVar) == "1" {
		t.Fatalf("%s=1 but %s is not set: set it to the %s to test against (.ci/run does)", ServicesVar, name, what)
	}
	t.Skipf("%s is not set: skipping this test against %s (set it, or %s=1 to make this a failure)", name, what, ServicesVar)
	return ""
}

// PostgresURL creates a fresh, empty schema on the PostgreSQL server of
// PARLEY_TEST_POSTGRES_URL and returns that URL with search_path set to
// the schema, so that everything opened with it lives in the schema. The
// schema is dropped, with all it holds, when the test ends. An unset
// variable skips the test (see Require); a server that does not answer
// fails it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := Require(t, PostgresVar, "PostgreSQL database")
	schema := "t_" + randomHex(t, 8)
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("%s: connect: %v", PostgresVar, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("%s: create schema %s: %v", PostgresVar, schema, err)
	}
	// Registered before the stores' own cleanups, so it runs after them:
	// the schema is dropped once nothing uses it.
	t.Cleanup(func() { dropSchema(t, base, schema) })
	u, err := withSearchPath(base, schema)
	if err != nil {
		t.Fatalf("%s: %v", PostgresVar, err)
	}
	return u
}

// NATSURL returns the URL of the NATS server to test against:
// PARLEY_TEST_NATS_URL, or the machine's. When nothing answers there the
// test is skipped, or, with PARLEY_SERVICES=1, fails. Tests that share the
// server keep apart by subjects of their own (see NATSPrefix).
func NATSURL(t testing.TB) string {
	t.Helper()
	u := strings.TrimSpace(os.Getenv(NATSVar))
	if u == "" {
		u = MachineNATS
	}
	parsed, err := url.Parse(u)
	if err != nil || parsed.Host == "" {
		t.Fatalf("%s: want nats://host:port, got %q", NATSVar, u)
	}
	conn, err := net.DialTimeout("tcp", parsed.Host, 2*time.Second)
	if err != nil {
		if os.Getenv(ServicesVar) == "1" {
			t.Fatalf("%s=1 but no NATS server answers at %s: %v", ServicesVar, parsed.Host, err)
		}
		t.Skipf("no NATS server at %s (%v): skipping this test against NATS (%s=1 makes this a failure)", parsed.Host, err, ServicesVar)
	}
	conn.Close()
	return u
}

// NATSPrefix returns a subject prefix no other test uses.
func NATSPrefix(t testing.TB) string {
	t.Helper()
	return "parleytest" + randomHex(t, 6)
}

// dropSchema removes a test's schema and everything in it.
func dropSchema(t testing.TB, base, schema string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Errorf("drop schema %s: connect: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		t.Errorf("drop schema %s: %v", schema, err)
	}
}

// withSearchPath sets search_path in a postgres:// URL; pgx sends it to
// the server as a run-time parameter of every connection.
func withSearchPath(base, schema string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("want a postgres:// URL")
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// randomHex returns n random bytes in hex.
func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
