package main

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleychat/parley/app/servicetest"
)

// runParley runs the binary with args and environment variables and
// returns its exit code and output.
func runParley(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), runMainEnv+"=1"), env...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run parley %q: %v", args, err)
	}
	return code, out.String(), errOut.String()
}

func TestAdminCommandGrantsRevokesAndLists(t *testing.T) {
	db := "file:" + filepath.Join(t.TempDir(), "parley.db")
	base, _ := startProcess(t, db)
	register(t, base, "alice", "Bob")
	env := []string{"DATABASE_URL=" + db}

	// Beside the running server, by DATABASE_URL.
	steps := []struct {
		args   []string
		stdout string
	}{
		{[]string{"admin", "list"}, ""},
		{[]string{"admin", "grant", "ALICE"}, "alice is now an admin.\n"},
		{[]string{"admin", "grant", "alice"}, "alice is already an admin.\n"},
		{[]string{"admin", "grant", "bob"}, "Bob is now an admin.\n"},
		{[]string{"admin", "list"}, "alice\nBob\n"},
		{[]string{"admin", "revoke", "alice"}, "alice is no longer an admin.\n"},
		{[]string{"admin", "revoke", "alice"}, "alice is not an admin.\n"},
		{[]string{"admin", "list"}, "Bob\n"},
	}
	for _, s := range steps {
		code, stdout, stderr := runParley(t, env, s.args...)
		if code != 0 || stdout != s.stdout {
			t.Errorf("parley %s: exit %d, stdout %q, stderr %q; want 0 and %q", strings.Join(s.args, " "), code, stdout, stderr, s.stdout)
		}
	}
	// The -database-url flag works as the server's does.
	if code, stdout, _ := runParley(t, nil, "admin", "-database-url", db, "list"); code != 0 || stdout != "Bob\n" {
		t.Errorf("parley admin -database-url DB list: exit %d, %q; want Bob", code, stdout)
	}
}

// register signs the names up on the server at base.
func register(t *testing.T, base string, names ...string) {
	t.Helper()
	for _, name := range names {
		resp, err := http.PostForm(base+"/register", url.Values{"username": {name}, "password": {"password-" + name}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("register %s: %d", name, resp.StatusCode)
		}
	}
}

// TestAdminCommandOnPostgres runs `parley admin` against the PostgreSQL
// database a running server uses (a fresh schema of
// PARLEY_TEST_POSTGRES_URL; skipped without it, failed under
// PARLEY_SERVICES=1): it finds the accounts registered on the server and
// changes the flag there.
func TestAdminCommandOnPostgres(t *testing.T) {
	db := servicetest.PostgresURL(t)
	base, _ := startProcess(t, db)
	register(t, base, "alice", "Bob")
	env := []string{"DATABASE_URL=" + db}
	steps := []struct {
		args   []string
		stdout string
	}{
		{[]string{"admin", "list"}, ""},
		{[]string{"admin", "grant", "ALICE"}, "alice is now an admin.\n"},
		{[]string{"admin", "grant", "alice"}, "alice is already an admin.\n"},
		{[]string{"admin", "grant", "bob"}, "Bob is now an admin.\n"},
		{[]string{"admin", "list"}, "alice\nBob\n"},
		{[]string{"admin", "revoke", "alice"}, "alice is no longer an admin.\n"},
		{[]string{"admin", "list"}, "Bob\n"},
	}
	for _, s := range steps {
		code, stdout, stderr := runParley(t, env, s.args...)
		if code != 0 || stdout != s.stdout {
			t.Errorf("parley %s: exit %d, stdout %q, stderr %q; want 0 and %q", strings.Join(s.args, " "), code, stdout, stderr, s.stdout)
		}
	}
	if code, stdout, _ := runParley(t, nil, "admin", "-database-url", db, "list"); code != 0 || stdout != "Bob\n" {
		t.Errorf("parley admin -database-url DB list: exit %d, %q; want Bob", code, stdout)
	}
	code, stdout, stderr := runParley(t, env, "admin", "grant", "nobody")
	if lines := strings.Split(strings.TrimSpace(stderr), "\n"); code == 0 || stdout != "" || len(lines) != 1 || !strings.Contains(lines[0], `no account named "nobody"`) {
		t.Errorf("parley admin grant nobody: exit %d, stdout %q, stderr %q; want non-zero and one line naming nobody", code, stdout, stderr)
	}
}

func TestAdminCommandRefusesBadNames(t *testing.T) {
	dir := t.TempDir()
	db := "file:" + filepath.Join(dir, "parley.db")
	// An unknown name needs a database to look in.
	if code, _, stderr := runParley(t, []string{"DATABASE_URL=" + db}, "admin", "list"); code != 0 {
		t.Fatalf("admin list on a new database: exit %d: %s", code, stderr)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"admin", "grant", "nobody"}, `no account named "nobody"`},
		{[]string{"admin", "revoke", "github:nobody"}, `no account named "github:nobody"`},
		{[]string{"admin", "grant", "twitter:bob"}, `"twitter:bob" is not an account name`},
		{[]string{"admin", "grant", "x"}, `"x" is not an account name`},
		{[]string{"admin", "grant"}, "grant takes one NAME"},
		{[]string{"admin", "grant", "a", "b"}, "grant takes one NAME"},
		{[]string{"admin", "list", "alice"}, "list takes no NAME"},
		{[]string{"admin", "promote", "alice"}, `unknown subcommand "promote"`},
		{[]string{"admin"}, "no subcommand"},
		{[]string{"admin", "-nope", "list"}, "flag provided but not defined"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		code, stdout, stderr := runParley(t, []string{"DATABASE_URL=" + db}, tt.args...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code == 0 || len(lines) != 1 || !strings.Contains(lines[0], tt.want) || stdout != "" {
			t.Errorf("parley %s: exit %d, stderr %q, stdout %q; want non-zero and one line with %q",
				strings.Join(tt.args, " "), code, stderr, stdout, tt.want)
		}
	}
	// A mistyped call creates no database.
	missing := filepath.Join(dir, "other.db")
	runParley(t, []string{"DATABASE_URL=file:" + missing}, "admin", "promote", "alice")
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused subcommand created %s (stat: %v)", missing, err)
	}
}

func TestServeSubcommandRunsTheServer(t *testing.T) {
	base, _ := startProcess(t, "file:"+filepath.Join(t.TempDir(), "parley.db"), "serve")
	resp, err := http.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /login from parley serve: %d, want 200", resp.StatusCode)
	}
	// With a bad setting it fails the way `parley` does.
	code, _, stderr := runParley(t, []string{"BCRYPT_COST=100"}, "serve")
	if code != 1 || !strings.Contains(stderr, "BCRYPT_COST") {
		t.Errorf("parley serve with BCRYPT_COST=100: exit %d, %q; want 1 naming BCRYPT_COST", code, stderr)
	}
}
