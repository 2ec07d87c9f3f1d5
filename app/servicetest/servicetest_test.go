package servicetest_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/parleychat/parley/app/servicetest"
)

// helperVar makes TestRequireHelper run: it is the test the other tests
// start in a child process, to see it skip or fail.
const helperVar = "SERVICETEST_HELPER"

// TestRequireHelper calls Require for a variable nobody sets.
func TestRequireHelper(t *testing.T) {
	if os.Getenv(helperVar) != "1" {
		t.Skip("run by TestRequire in a child process")
	}
	servicetest.Require(t, "PARLEY_TEST_NOTHING_URL", "nothing server")
	t.Log("REQUIRE RETURNED")
}

func TestRequire(t *testing.T) {
	tests := []struct {
		name     string
		services string
		want     []string
		fails    bool
	}{
		{"unset skips", "", []string{"--- SKIP: TestRequireHelper", "PARLEY_TEST_NOTHING_URL is not set"}, false},
		{"PARLEY_SERVICES=1 fails", "1", []string{"--- FAIL: TestRequireHelper", "PARLEY_SERVICES=1 but PARLEY_TEST_NOTHING_URL is not set"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestRequireHelper$", "-test.v")
			cmd.Env = append(os.Environ(), helperVar+"=1", "PARLEY_TEST_NOTHING_URL=", servicetest.ServicesVar+"="+tt.services)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tt.fails {
				t.Errorf("child failed = %v (%v), want %v; output:\n%s", failed, err, tt.fails, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("child output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(string(out), "REQUIRE RETURNED") {
				t.Errorf("Require returned without the variable:\n%s", out)
			}
		})
	}
}

func TestRequireReturnsTheValue(t *testing.T) {
	t.Setenv("PARLEY_TEST_SOMETHING_URL", " nats://127.0.0.1:4222 ")
	if got, want := servicetest.Require(t, "PARLEY_TEST_SOMETHING_URL", "something"), "nats://127.0.0.1:4222"; got != want {
		t.Errorf("Require = %q, want %q", got, want)
	}
}

// TestPostgresURL checks that the URL names a fresh schema of its own that
// is gone after the test.
func TestPostgresURL(t *testing.T) {
	base := servicetest.Require(t, servicetest.PostgresVar, "PostgreSQL database")
	var schema string
	t.Run("schema", func(t *testing.T) {
		url := servicetest.PostgresURL(t)
		if !strings.Contains(url, "search_path=t_") {
			t.Fatalf("PostgresURL = %q, want search_path=t_...", url)
		}
		schema = currentSchema(t, url)
		if !strings.HasPrefix(schema, "t_") {
			t.Errorf("current_schema() = %q, want t_...", schema)
		}
		if tables := countTables(t, url, schema); tables != 0 {
			t.Errorf("fresh schema holds %d tables, want 0", tables)
		}
		if other := currentSchema(t, servicetest.PostgresURL(t)); other == schema {
			t.Errorf("two calls gave the same schema %q", schema)
		}
	})
	if exists := schemaExists(t, base, schema); exists {
		t.Errorf("schema %q still exists after its test", schema)
	}
}
