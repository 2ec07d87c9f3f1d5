package main

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the driver Parley uses, for the other process's lock
)

// unavailableText is what a sign-in shows while the database cannot take
// writes.
const unavailableText = "cannot use its database right now"

// checkDatabaseTrouble expects a running Parley whose database cannot take
// writes: the sender gets the error fragment, a sign-in gets a 503 page
// that says so, /readyz says so, and pages that only read still load.
func checkDatabaseTrouble(t *testing.T, c *procClient, text string) {
	t.Helper()
	skip := len(c.snapshot())
	if err := c.send(text); err != nil {
		t.Fatal(err)
	}
	if _, got := c.waitFrame(skip, text, "could not be saved"); got == text {
		t.Errorf("a message was stored and shown while the database could not take writes")
	}
	other := newProcClient(t, c.base)
	status, body := other.post("/login", url.Values{"username": {"alice"}, "password": {"password-alice"}})
	if status != http.StatusServiceUnavailable || !strings.Contains(body, unavailableText) {
		t.Errorf("sign-in: %d, want 503 with %q; body %.300s", status, unavailableText, body)
	}
	if status, body := c.get("/readyz"); status != http.StatusServiceUnavailable || !strings.Contains(body, "database") {
		t.Errorf("GET /readyz: %d %q, want 503 naming the database", status, body)
	}
	if status, page := c.get("/r/general"); status != http.StatusOK || !strings.Contains(page, "written before") {
		t.Errorf("GET /r/general: %d, want 200 with the earlier message", status)
	}
}

// checkRecovered expects the same Parley to work again, without a restart.
func checkRecovered(t *testing.T, c *procClient, text string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, body := c.get("/readyz")
		if status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /readyz still %d %q 10 s after the database came back", status, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	skip := len(c.snapshot())
	if err := c.send(text); err != nil {
		t.Fatal(err)
	}
	if _, got := c.waitFrame(skip, text+"</p>", "could not be saved"); got != text+"</p>" {
		t.Errorf("sending after the database came back: %q, want the message shown", got)
	}
	other := newProcClient(t, c.base)
	if status, body := other.post("/login", url.Values{"username": {"alice"}, "password": {"password-alice"}}); status != http.StatusSeeOther {
		t.Errorf("sign-in after the database came back: %d, want 303; body %.300s", status, body)
	}
}

func TestDatabaseLockedByAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	base, _ := startProcessWith(t, "file:"+path, os.Stderr, "MESSAGE_RATE_LIMIT=0")
	c := newProcClient(t, base)
	c.register("alice")
	c.dial()
	c.waitFrame(0, "1 user online")
	if err := c.send("written before"); err != nil {
		t.Fatal(err)
	}
	c.waitFrame(0, "written before</p>")

	// This test process is the other process: it takes the write lock and
	// holds it, as a stuck maintenance script would.
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatalf("take the lock: %v", err)
	}
	checkDatabaseTrouble(t, c, "while locked")

	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatalf("release the lock: %v", err)
	}
	checkRecovered(t, c, "after the lock")
}
