package main

import (
	"context"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/parleychat/parley/app"
	"github.com/parleychat/parley/app/apptest"
)

// startInstances starts n Parley instances in-process, on one SQLite
// file, linked by a NATS server started in the test; each serves its
// metrics, so that a test can tell what each did.
func startInstances(t *testing.T, n int) []*app.App {
	t.Helper()
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatalf("new NATS server: %v", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(5 * time.Second) {
		ns.Shutdown()
		t.Fatal("NATS server not ready")
	}
	t.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	db := "file:" + filepath.Join(t.TempDir(), "shared.db")
	apps := make([]*app.App, n)
	for i := range apps {
		cfg := apptest.Config(t)
		cfg.DatabaseURL = db
		cfg.NATSURL = ns.ClientURL()
		cfg.NATSSubjectPrefix = "loadgentest"
		cfg.MetricsAddr = "127.0.0.1:0"
		apps[i] = apptest.Start(t, cfg)
	}
	return apps
}

var framesSentPattern = regexp.MustCompile(`(?m)^parley_websocket_frames_sent_total (\S+)$`)

// framesSent reads how many websocket frames an instance wrote.
func framesSent(t *testing.T, a *app.App) float64 {
	t.Helper()
	resp, err := http.Get(a.MetricsURL())
	if err != nil {
		t.Fatalf("scrape %s: %v", a.MetricsURL(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	m := framesSentPattern.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no parley_websocket_frames_sent_total in %s", a.MetricsURL())
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestRunOverTwoInstances spreads the sockets over two instances of one
// chat: every socket, on either, ends on the global count of distinct
// users, every message reaches every socket, the leave storm ends on one,
// and each instance wrote its half of the frames.
func TestRunOverTwoInstances(t *testing.T) {
	apps := startInstances(t, 2)
	opts := testOptions(t, apps[0].URL()+","+apps[1].URL())
	// Both instances run in this process: each "instance" is read from it.
	opts.PIDs = []int{os.Getpid(), os.Getpid()}
	ctx, cancel := context.WithTimeout(context.Background(), 4*testPhaseTimeout)
	defer cancel()
	got, err := run(ctx, opts)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	checkCounts(t, opts, got)
	if got.Instances != 2 || got.URL != apps[0].URL()+","+apps[1].URL() {
		t.Errorf("result: %d instances at %q, want 2 at both URLs", got.Instances, got.URL)
	}
	if len(got.Servers) != 2 || got.Server == nil {
		t.Fatalf("resources: %d servers, sum %v; want 2 and their sum", len(got.Servers), got.Server)
	}
	if sum, each := got.Server.CPUSeconds.Total, got.Servers[0].CPUSeconds.Total+got.Servers[1].CPUSeconds.Total; math.Abs(sum-each) > 0.02 {
		t.Errorf("server CPU seconds: %g together, %g added up, want the same", sum, each)
	}
	// Half the sockets on each, each receiving at least every message.
	for i, a := range apps {
		if n, least := framesSent(t, a), float64(opts.Sockets/2*opts.Messages); n < least {
			t.Errorf("instance %d wrote %g frames, want at least %g: its half of the sockets, every message", i, n, least)
		}
	}
}

func TestRunRefusesBadURLLists(t *testing.T) {
	for _, urls := range []string{
		"http://127.0.0.1:8081,",                      // an empty one
		"http://127.0.0.1:8081,http://127.0.0.1:8081", // one twice
		"http://127.0.0.1:8081,ftp://127.0.0.1:8082",  // not http
		"http://127.0.0.1:8081,http://192.0.2.1:8082", // not loopback
	} {
		opts := testOptions(t, urls)
		if _, err := run(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "url") {
			t.Errorf("-url %s: error %v, want one about the URLs", urls, err)
		}
	}
	opts := testOptions(t, "http://127.0.0.1:8081,http://127.0.0.1:8082")
	opts.Restart = true
	if _, err := runRestart(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "one -url") {
		t.Errorf("-restart with two URLs: error %v, want one asking for one -url", err)
	}
}

func TestListFlagTakesRepeatsAndCommas(t *testing.T) {
	var l listFlag
	for _, v := range []string{"http://127.0.0.1:8081", "http://127.0.0.1:8082, http://127.0.0.1:8083"} {
		if err := l.Set(v); err != nil {
			t.Fatalf("Set(%q): %v", v, err)
		}
	}
	if got, want := l.String(), "http://127.0.0.1:8081,http://127.0.0.1:8082,http://127.0.0.1:8083"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if err := l.Set("a,,b"); err == nil {
		t.Error(`Set("a,,b") accepted an empty value`)
	}
}
