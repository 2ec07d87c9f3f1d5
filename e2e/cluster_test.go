package e2e

import (
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/parleychat/parley/app"
	"github.com/parleychat/parley/app/apptest"
)

// TestTwoInstances shows two pages on two Parley instances that share one
// SQLite file and a NATS server started in the test: each page counts and
// lists the person on the other instance, a message sent on one shows
// once on the other, both ways, and neither page logs an error.
func TestTwoInstances(t *testing.T) {
	needBrowser(t)
	natsURL := startNATS(t)
	db := "file:" + filepath.Join(t.TempDir(), "shared.db")
	edit := func(cfg *app.Config) {
		cfg.DatabaseURL = db
		cfg.NATSURL = natsURL
		cfg.NATSSubjectPrefix = "parleye2e"
	}
	srvA, srvB := startInstance(t, "A", edit), startInstance(t, "B", edit)
	a, b := newBrowser(t, "A"), newBrowser(t, "B")

	alice := a.open("alice (A, instance A)", srvA.URL(), "/")
	alice.register("alice")
	waitPresence(alice, "1 user online", "alice")
	bob := b.open("Bob (B, instance B)", srvB.URL(), "/")
	bob.register("Bob")
	for _, p := range []*page{alice, bob} {
		waitPresence(p, "2 users online", "alice", "Bob")
	}

	alice.sayAndWait("hello from instance A")
	bob.waitFor(`show alice's "hello from instance A"`, waitLive, func(s pageState) bool {
		return s.has("hello from instance A")
	})
	bob.sayAndWait("hello back from instance B")
	alice.waitFor(`show Bob's "hello back from instance B"`, waitLive, func(s pageState) bool {
		return s.has("hello back from instance B")
	})

	// A marker after both: anything doubled would be there by now.
	alice.sayAndWait("marker")
	bob.waitFor(`show "marker"`, waitLive, func(s pageState) bool { return s.has("marker") })
	want := []string{"alice: hello from instance A", "Bob: hello back from instance B", "alice: marker"}
	for _, p := range []*page{alice, bob} {
		s := state(t, p)
		checkMessages(t, p.name, s)
		got := s.texts()
		if len(got) != len(want) {
			t.Errorf("%s shows messages %q, want %q", p.name, got, want)
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s shows messages %q, want %q", p.name, got, want)
				break
			}
		}
		if s.Users != "2 users online" || len(s.online()) != 2 {
			t.Errorf("%s shows %q, %q at the end, want 2 users online: alice, Bob", p.name, s.Users, s.online())
		}
	}
}

// startInstance starts a Parley like startParley, with edit applied to
// its configuration; name labels its log if the test fails.
func startInstance(t *testing.T, name string, edit func(*app.Config)) *server {
	t.Helper()
	s := &server{t: t, log: new(syncBuffer)}
	cfg := apptest.Config(t)
	cfg.Logger = slog.New(slog.NewTextHandler(s.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	edit(&cfg)
	s.cfg = cfg
	s.start()
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("instance %s's log:\n%s", name, s.log.String())
		}
	})
	return s
}

// startNATS starts a NATS server inside the test on a free loopback port
// and returns its URL; it stops when the test ends, after the instances.
func startNATS(t *testing.T) string {
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
	return ns.ClientURL()
}
