package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/parleychat/parley/app/leaktest"
)

// runMainEnv makes the test binary run main() instead of the tests, so that
// a test can start Parley as a real process and signal it.
const runMainEnv = "PARLEY_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	leaktest.VerifyTestMain(m)
}

func TestSIGTERMStopsGracefully(t *testing.T) {
	db := "file:" + filepath.Join(t.TempDir(), "parley.db")
	base, proc := startProcess(t, db)

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+"/register", url.Values{"username": {"alice"}, "password": {"password1"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %v %v", resp, err)
	}
	resp.Body.Close()
	u, _ := url.Parse(base)
	hdr := http.Header{"Origin": {base}}
	for _, c := range jar.Cookies(u) {
		hdr.Add("Cookie", c.Name+"="+c.Value)
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/ws", hdr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, frame, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v, want the count", err)
		}
		if strings.Contains(string(frame), "1 user online") {
			break
		}
	}

	start := time.Now()
	if err := proc.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := readUntilClose(t, conn)
	if code != websocket.CloseServiceRestart {
		t.Errorf("socket closed with %d, want 1012 so that pages reconnect", code)
	}
	exited := make(chan error, 1)
	go func() { exited <- proc.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("process exit: %v, want status 0", err)
		}
	case <-time.After(10 * time.Second):
		proc.Process.Kill()
		t.Fatalf("process still running 10 s after SIGTERM")
	}
	t.Logf("stopped in %v", time.Since(start))

	// The database was closed cleanly: the next process signs alice in.
	base, _ = startProcess(t, db)
	resp, err = client.PostForm(base+"/login", url.Values{"username": {"alice"}, "password": {"password1"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in after restart: %v %v, want 303", resp, err)
	}
	resp.Body.Close()
}

func TestBadConfigurationStopsStartUp(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), runMainEnv+"=1", "BCRYPT_COST=100")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "BCRYPT_COST") {
		t.Errorf("output %q, want one line naming BCRYPT_COST", out)
	}
}

// startProcess runs Parley as a child process, with args, on a free
// loopback port and waits until it answers.
func startProcess(t *testing.T, databaseURL string, args ...string) (string, *exec.Cmd) {
	t.Helper()
	return startCommand(t, databaseURL, os.Stderr, args, nil)
}

// startProcessWith is startProcess with the process's log going to stderr
// and extra environment variables (NAME=value) after the test's own.
func startProcessWith(t *testing.T, databaseURL string, stderr io.Writer, env ...string) (string, *exec.Cmd) {
	t.Helper()
	return startCommand(t, databaseURL, stderr, nil, env)
}

// startCommand runs Parley with args and extra environment variables, its
// log going to stderr, and waits until it answers.
func startCommand(t *testing.T, databaseURL string, stderr io.Writer, args, env []string) (string, *exec.Cmd) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1", "ADDR="+addr, "BASE_URL="+base,
		"DATABASE_URL="+databaseURL, "BCRYPT_COST=4", "LOG_LEVEL=warn")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil && resp.StatusCode == http.StatusOK {
			resp.Body.Close()
			return base, cmd
		}
		if time.Now().After(deadline) {
			t.Fatalf("parley did not answer on %s: %v", base, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// readUntilClose reads frames until the server closes the socket and
// returns the close code.
func readUntilClose(t *testing.T, conn *websocket.Conn) int {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		if err != nil {
			t.Fatalf("read: %v, want a close frame", err)
		}
	}
}

// lockedBuffer collects a child process's stderr.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestSIGTERMDrainsThenCloses(t *testing.T) {
	const drainDelay = time.Second
	logs := &lockedBuffer{}
	db := "file:" + filepath.Join(t.TempDir(), "parley.db")
	base, proc := startProcessWith(t, db, logs, "DRAIN_DELAY="+drainDelay.String(), "LOG_FORMAT=json", "LOG_LEVEL=info")

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	resp, err := client.PostForm(base+"/register", url.Values{"username": {"alice"}, "password": {"password1"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %v %v", resp, err)
	}
	resp.Body.Close()
	if status, body := get("/readyz"); status != http.StatusOK {
		t.Fatalf("GET /readyz before SIGTERM: %d %q, want 200", status, body)
	}
	u, _ := url.Parse(base)
	hdr := http.Header{"Origin": {base}}
	for _, c := range jar.Cookies(u) {
		hdr.Add("Cookie", c.Name+"="+c.Value)
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/ws", hdr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	readUntil(t, conn, "1 user online")

	start := time.Now()
	if err := proc.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Unready at once...
	for {
		status, body := get("/readyz")
		if status == http.StatusServiceUnavailable && strings.Contains(body, "draining") {
			break
		}
		if time.Since(start) > drainDelay/2 {
			t.Fatalf("GET /readyz %v after SIGTERM: %d %q, want 503 draining", time.Since(start), status, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// ...while pages and the open socket go on working.
	if status, _ := get("/r/general"); status != http.StatusOK {
		t.Errorf("GET /r/general while draining: %d, want 200", status)
	}
	msg := `{"message":"still here","HEADERS":{"HX-Request":"true"}}`
	if err := conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatalf("send while draining: %v", err)
	}
	readUntil(t, conn, "still here")
	if d := time.Since(start); d >= drainDelay {
		t.Fatalf("the checks while draining took %v, longer than DRAIN_DELAY: they proved nothing", d)
	}

	code := readUntilClose(t, conn)
	closedAfter := time.Since(start)
	if code != websocket.CloseServiceRestart {
		t.Errorf("socket closed with %d, want 1012", code)
	}
	if closedAfter < drainDelay {
		t.Errorf("socket closed %v after SIGTERM, before DRAIN_DELAY %v", closedAfter, drainDelay)
	}
	exited := make(chan error, 1)
	go func() { exited <- proc.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("process exit: %v, want status 0", err)
		}
	case <-time.After(10 * time.Second):
		proc.Process.Kill()
		t.Fatalf("process still running 10 s after SIGTERM")
	}

	// LOG_FORMAT=json: one JSON object a line, requests with their ID.
	sawReadyz := false
	for line := range strings.Lines(logs.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %q", line)
			continue
		}
		if rec["msg"] == "web: request" && rec["route"] == "/readyz" && rec["status"] == float64(503) {
			if id, _ := rec["request_id"].(string); id == "" || rec["method"] != "GET" || rec["duration"] == nil {
				t.Errorf("request log %q lacks method, duration or request_id", line)
			}
			sawReadyz = true
		}
	}
	if !sawReadyz {
		t.Errorf("no JSON log line for the 503 of /readyz; log:\n%s", logs.String())
	}
	t.Logf("socket closed %v after SIGTERM (DRAIN_DELAY %v)", closedAfter, drainDelay)
}

// readUntil reads frames until one contains text.
func readUntil(t *testing.T, conn *websocket.Conn, text string) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, frame, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v, want a frame with %q", err, text)
		}
		if strings.Contains(string(frame), text) {
			return
		}
	}
}

func TestBadDrainDelayStopsStartUp(t *testing.T) {
	for _, v := range []string{"-1s", "ten", strconv.Itoa(10)} {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), runMainEnv+"=1", "DRAIN_DELAY="+v)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("DRAIN_DELAY=%s: exit %v, want status 1", v, err)
		}
		if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "DRAIN_DELAY") {
			t.Errorf("DRAIN_DELAY=%s: output %q, want one line naming DRAIN_DELAY", v, out)
		}
	}
}
