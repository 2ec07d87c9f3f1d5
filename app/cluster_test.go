package app_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/nats-io/nats-server/v2/server"

	"github.com/parleychat/parley/app"
	"github.com/parleychat/parley/app/servicetest"
)

// machineNATS is the NATS server CI and this project's machines run.
const machineNATS = "nats://127.0.0.1:4222"

// startNATS starts a NATS server inside the test on a loopback port (a
// random one when port is -1) and stops it when the test ends.
func startNATS(t *testing.T, port int) *server.Server {
	t.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatalf("new NATS server: %v", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(5 * time.Second) {
		ns.Shutdown()
		t.Fatalf("NATS server not ready")
	}
	t.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	return ns
}

// clusterConfigs returns n configurations for instances of one Parley:
// one SQLite file, one NATS server, subjects of their own.
func clusterConfigs(t *testing.T, natsURL string, n int) []app.Config {
	t.Helper()
	db := "file:" + filepath.Join(t.TempDir(), "shared.db")
	prefix := "parleytest" + randomHex(t)
	cfgs := make([]app.Config, n)
	for i := range cfgs {
		cfgs[i] = testConfig(t)
		cfgs[i].DatabaseURL = db
		cfgs[i].NATSURL = natsURL
		cfgs[i].NATSSubjectPrefix = prefix
	}
	return cfgs
}

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// startCluster starts n instances sharing storage and a NATS server.
func startCluster(t *testing.T, natsURL string, n int) []*app.App {
	t.Helper()
	apps := make([]*app.App, n)
	for i, cfg := range clusterConfigs(t, natsURL, n) {
		apps[i] = startApp(t, cfg)
	}
	return apps
}

// on returns a browser of the same person (same cookies) on another instance.
func (b *browser) on(a *app.App) *browser {
	b.t.Helper()
	other := newBrowser(b.t, a.URL())
	other.http.Jar = b.http.Jar // cookies go by host, not port: one sign-in
	return other
}

// neverShowed reports whether no frame ever showed n users online.
func neverShowed(frames []string, n int) bool {
	for _, f := range frames {
		if m := countPattern.FindStringSubmatch(f); m != nil && m[1] == fmt.Sprint(n) {
			return false
		}
	}
	return true
}

var articleIDPattern = regexp.MustCompile(`<article class="message" id="msg-(\d+)">`)

// lastMessageID is the ID of the last message a socket received.
func lastMessageID(t *testing.T, frames []string) string {
	t.Helper()
	for i := len(frames) - 1; i >= 0; i-- {
		if m := articleIDPattern.FindAllStringSubmatch(frames[i], -1); m != nil {
			return m[len(m)-1][1]
		}
	}
	t.Fatalf("no message among the frames")
	return ""
}

func TestInstancesShareCountOnlineListAndMessages(t *testing.T) {
	ns := startNATS(t, -1)
	shareCountOnlineListAndMessages(t, startCluster(t, ns.ClientURL(), 3))
}

// TestInstancesShareThroughTheMachinesNATS runs the same scenario against
// the NATS server the machine runs (PARLEY_SERVICES=1 requires it), and on
// PostgreSQL when PARLEY_TEST_POSTGRES_URL is set (PARLEY_SERVICES=1
// requires that too).
func TestInstancesShareThroughTheMachinesNATS(t *testing.T) {
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(machineNATS, "nats://"), time.Second)
	if err != nil {
		if os.Getenv("PARLEY_SERVICES") == "1" {
			t.Fatalf("PARLEY_SERVICES=1 but no NATS server at %s: %v", machineNATS, err)
		}
		t.Skipf("no NATS server at %s (%v); PARLEY_SERVICES=1 makes this a failure", machineNATS, err)
	}
	conn.Close()
	cfgs := clusterConfigs(t, machineNATS, 3)
	if os.Getenv(servicetest.PostgresVar) != "" || os.Getenv(servicetest.ServicesVar) == "1" {
		db := servicetest.PostgresURL(t)
		t.Log("storage: PostgreSQL, a fresh schema")
		for i := range cfgs {
			cfgs[i].DatabaseURL = db
		}
	}
	apps := make([]*app.App, len(cfgs))
	for i, cfg := range cfgs {
		apps[i] = startApp(t, cfg)
	}
	shareCountOnlineListAndMessages(t, apps)
}

// shareCountOnlineListAndMessages is the core of several instances: one
// count and online list per room, people counted once across instances,
// messages shown once everywhere, join and leave notices for a person's
// first and last socket anywhere.
func shareCountOnlineListAndMessages(t *testing.T, apps []*app.App) {
	a, b, c := apps[0], apps[1], apps[2]
	alice := signedUp(t, a, "alice")
	bob := signedUp(t, b, "bob") // signs up on B: one store
	carol := signedUp(t, c, "carol")

	aliceA := alice.dial("")
	aliceA.waitPresence(1, "alice")
	bobB := bob.dial("")
	bobB.waitPresence(2, "alice", "bob")
	aliceA.waitPresence(2, "alice", "bob")
	aliceA.waitText("bob joined the chat")

	// A page loaded on C, where nobody has a socket yet, counts the
	// others; so does C's directory.
	if _, page, _ := carol.get("/r/general"); !strings.Contains(page, ">3 users online<") {
		t.Errorf("carol's page on C: want 3 users online (alice on A, bob on B, herself)")
	}
	if _, dir, _ := carol.get("/rooms"); !regexp.MustCompile(`#general</a>\s*<span class="room-online">2 users online<`).MatchString(dir) {
		t.Errorf("C's directory does not show the 2 people of general on A and B")
	}

	// Alice's second tab, on B: still one person.
	aliceB := alice.on(b).dial("")
	aliceB.waitPresence(2, "alice", "bob")
	carolC := carol.dial("")
	for _, s := range []*socket{aliceA, bobB, aliceB, carolC} {
		s.waitPresence(3, "alice", "bob", "carol")
	}
	for name, s := range map[string]*socket{"alice on A": aliceA, "bob on B": bobB, "alice on B": aliceB, "carol on C": carolC} {
		if !neverShowed(s.snapshot(), 4) {
			t.Errorf("%s was shown 4 users online: alice's two tabs counted twice", name)
		}
	}
	if n := containing(bobB.snapshot(), "alice joined the chat"); n != 0 {
		t.Errorf("bob saw %d notices that alice joined, want 0: she was there before him, and her second tab is no arrival", n)
	}

	// A message sent on B reaches A and C, once each.
	bobB.send("hello from B")
	for _, s := range []*socket{aliceA, aliceB, carolC, bobB} {
		s.waitText("hello from B</p>")
	}
	bobB.waitText(`id="chat-form"`) // the sender's fresh form
	carolC.send("hello from C")
	for _, s := range []*socket{aliceA, aliceB, bobB, carolC} {
		s.waitText("hello from C</p>")
	}
	id := lastMessageID(t, carolC.snapshot())
	for name, s := range map[string]*socket{"alice on A": aliceA, "bob on B": bobB, "alice on B": aliceB, "carol on C": carolC} {
		frames := s.snapshot()
		for _, text := range []string{"hello from B</p>", "hello from C</p>"} {
			if n := containing(frames, text); n != 1 {
				t.Errorf("%s got %q %d times, want once", name, text, n)
			}
		}
		if n := containing(frames, `id="msg-`+id+`"`); n != 1 {
			t.Errorf("%s got message %s %d times, want once under the same ID", name, id, n)
		}
	}
	if _, page, _ := alice.get("/r/general"); strings.Count(page, "hello from B</p>") != 1 || strings.Count(page, "hello from C</p>") != 1 {
		t.Errorf("alice's page on A does not show each message once")
	}

	// Alice closes her tab on A: she is still on B, nobody sees her leave.
	// Then her tab on B: now she has left, once.
	aliceA.close()
	aliceB.close()
	bobB.waitPresence(2, "bob", "carol")
	carolC.waitPresence(2, "bob", "carol")
	bobB.waitText("alice left the chat")
	if n := containing(bobB.snapshot(), "alice left the chat"); n != 1 {
		t.Errorf("bob saw %d notices that alice left, want 1 (after her last tab)", n)
	}
}

func TestStoppedInstanceDropsOutAtOnceAndItsPagesCatchUpElsewhere(t *testing.T) {
	ns := startNATS(t, -1)
	apps := startCluster(t, ns.ClientURL(), 2)
	a, b := apps[0], apps[1]
	alice, bob := signedUp(t, a, "alice"), signedUp(t, b, "bob")
	aliceA := alice.dial("")
	bobB := bob.dial("")
	aliceA.waitPresence(2, "alice", "bob")
	bobB.waitPresence(2, "alice", "bob")
	aliceA.send("before B stops")
	bobB.waitText("before B stops</p>")
	shown := lastMessageID(t, bobB.snapshot())

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := b.Shutdown(ctx); err != nil {
		t.Fatalf("shut B down: %v", err)
	}
	if code := bobB.waitClose(); code != websocket.CloseServiceRestart {
		t.Errorf("bob's socket on B closed with %d, want 1012 so that it reconnects", code)
	}
	aliceA.waitPresence(1, "alice")
	aliceA.waitText("bob left the chat")
	// Far below the 3 s after which a silent instance is dropped: B said
	// goodbye.
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("A dropped B's people %v after B began to stop, want well under 2s", took)
	}

	// Bob's page reconnects to A with what it showed, and catches up.
	aliceA.send("while bob was away")
	aliceA.waitText("while bob was away</p>")
	bobA := bob.on(a).dial("?shown=" + shown)
	bobA.waitText("while bob was away</p>")
	bobA.waitPresence(2, "alice", "bob")
	frames := bobA.snapshot()
	for _, text := range []string{"before B stops</p>", "while bob was away</p>"} {
		if n := containing(frames, text); n != 1 {
			t.Errorf("bob's page after reconnecting to A got %q %d times, want once", text, n)
		}
	}
}

func TestDeadInstanceDropsOutWithinFiveSeconds(t *testing.T) {
	ns := startNATS(t, -1)
	cfgs := clusterConfigs(t, ns.ClientURL(), 2)
	// B reaches NATS through a proxy that can go silent, as a machine that
	// dies does: no goodbye, no closed connection, nothing.
	proxy := newCuttableProxy(t, ns.Addr().String())
	cfgs[1].NATSURL = "nats://" + proxy.addr()
	a, b := startApp(t, cfgs[0]), startApp(t, cfgs[1])
	alice, bob := signedUp(t, a, "alice"), signedUp(t, b, "bob")
	aliceA := alice.dial("")
	bob.dial("")
	aliceA.waitPresence(2, "alice", "bob")

	proxy.cut()
	start := time.Now()
	aliceA.waitPresence(1, "alice")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("A dropped the dead B's people after %v, want within 5s", took)
	}
	aliceA.waitText("bob left the chat")
}

func TestSignOutOnOneInstanceClosesTheSessionsSocketsOnAnother(t *testing.T) {
	ns := startNATS(t, -1)
	apps := startCluster(t, ns.ClientURL(), 2)
	a, b := apps[0], apps[1]
	alice := signedUp(t, a, "alice")
	aliceOnB := alice.on(b).dial("") // the session made on A is valid on B
	aliceOnB.waitCount(1)

	// Another session of alice's, signed in on B, stays.
	other := newBrowser(t, b.URL())
	if status, _, _ := other.post("/login", map[string][]string{"username": {"alice"}, "password": {"password-alice"}}); status != 303 {
		t.Fatalf("second sign-in on B: got %d, want 303", status)
	}
	kept := other.dial("")
	kept.waitCount(1)

	if status, _, hdr := alice.post("/logout", nil); status != 303 || hdr.Get("Location") != "/login" {
		t.Fatalf("sign out on A: got %d to %q, want 303 to /login", status, hdr.Get("Location"))
	}
	if code := aliceOnB.waitClose(); code != websocket.CloseNormalClosure {
		t.Errorf("the signed-out session's socket on B closed with %d, want 1000 (no reconnect)", code)
	}
	if n := containing(aliceOnB.snapshot(), "You have signed out"); n != 1 {
		t.Errorf("the socket on B got the signed-out notice %d times, want 1", n)
	}
	bob := signedUp(t, a, "bob")
	bob.dial("")
	kept.waitPresence(2, "alice", "bob") // the other session's socket still lives
	if _, _, hdr := alice.on(b).get("/r/general"); hdr.Get("Location") != "/login" {
		t.Errorf("the signed-out session still opens the chat on B")
	}
}

func TestNATSOutageKeepsLocalChatAndResynchronises(t *testing.T) {
	ns := startNATS(t, -1)
	port := ns.Addr().(*net.TCPAddr).Port
	cfgs := clusterConfigs(t, ns.ClientURL(), 2)
	for i := range cfgs {
		// A silent instance is dropped after 300 ms, so that the outage
		// below lasts many times that.
		cfgs[i].Cluster.HeartbeatInterval = 50 * time.Millisecond
		cfgs[i].Cluster.SnapshotInterval = 100 * time.Millisecond
		cfgs[i].Cluster.InstanceTimeout = 300 * time.Millisecond
	}
	a, b := startApp(t, cfgs[0]), startApp(t, cfgs[1])
	alice, bob := signedUp(t, a, "alice"), signedUp(t, b, "bob")
	aliceA := alice.dial("")
	bobB := bob.dial("")
	aliceA.waitPresence(2, "alice", "bob")
	bobB.waitPresence(2, "alice", "bob")
	// Bob's page on B is loaded (B keeps general's messages in memory).
	if _, page, _ := bob.get("/r/general"); !strings.Contains(page, "2 users online") {
		t.Fatalf("bob's page: want 2 users online")
	}

	ns.Shutdown()
	ns.WaitForShutdown()
	const paused = "Live updates from other servers are paused"
	aliceA.waitText(paused)
	bobB.waitText(paused)
	// Open pages stay, but a balancer should send new visitors elsewhere.
	if status, body, _ := alice.get("/readyz"); status != http.StatusServiceUnavailable || !strings.Contains(body, "nats") {
		t.Errorf("/readyz during the outage: got %d %q, want 503 naming nats", status, body)
	}

	// Local chat goes on, and the message is stored.
	aliceA.send("said while NATS was down")
	aliceA.waitText("said while NATS was down</p>")
	aliceA.waitText(`id="chat-form"`)
	// Silence from B is no proof that B died while A's own link is down:
	// its people stay counted, long beyond the 300 ms after which a silent
	// instance is dropped.
	time.Sleep(1500 * time.Millisecond)
	if n := count(aliceA.snapshot()); n != 2 {
		t.Errorf("during the outage alice's page shows %d online, want bob still counted (2)", n)
	}

	startNATS(t, port) // the same address: nats.go reconnects
	const resumed = "Live updates from other servers have resumed"
	aliceA.waitText(resumed)
	bobB.waitText(resumed)
	if status, body, _ := alice.get("/readyz"); status != http.StatusOK {
		t.Errorf("/readyz after the outage: got %d %q, want 200", status, body)
	}

	// Presence works across instances again.
	carol := signedUp(t, b, "carol")
	carol.dial("")
	aliceA.waitPresence(3, "alice", "bob", "carol")
	aliceA.send("after the outage")
	bobB.waitText("after the outage</p>")
	// Nothing stored is lost: B's pages show the message sent during the
	// outage, once.
	if _, page, _ := bob.get("/r/general"); strings.Count(page, "said while NATS was down</p>") != 1 {
		t.Errorf("bob's page on B after the outage does not show the message sent during it once")
	}
}

func TestStartFailsWhenNATSIsUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	cfg := testConfig(t)
	cfg.NATSURL = "nats://parley:secret@" + addr
	a, err := app.Start(context.Background(), cfg)
	if err == nil {
		a.Shutdown(context.Background())
		t.Fatalf("Start with no NATS server succeeded, want an error naming NATS_URL")
	}
	if msg := err.Error(); !strings.Contains(msg, "NATS_URL") || strings.Contains(msg, "\n") || strings.Contains(msg, "secret") {
		t.Errorf("error %q: want one line naming NATS_URL, without the password", msg)
	}
}

func TestConnectStormOverInstancesIsCoalesced(t *testing.T) {
	const people = 90
	ns := startNATS(t, -1)
	apps := startCluster(t, ns.ClientURL(), 3)
	browsers := make([]*browser, people)
	for i := range browsers {
		browsers[i] = signedUp(t, apps[i%3], fmt.Sprintf("storm%03d", i))
	}
	// Two tabs each, on two different instances.
	var sockets []*socket
	for tab := range 2 {
		for i, b := range browsers {
			sockets = append(sockets, b.on(apps[(i+tab)%3]).dial(""))
		}
	}
	for _, s := range sockets {
		s.waitCount(people)
	}
	worst := 0
	for _, s := range sockets {
		worst = max(worst, containing(s.snapshot(), `id="num-users"`))
		if !neverShowed(s.snapshot(), people+1) {
			t.Fatalf("a socket was shown more than %d people online: a person counted twice", people)
		}
	}
	// Local and remote arrivals share one coalesced flush per room.
	if worst > 20 {
		t.Errorf("a socket got %d count frames for %d arrivals over 3 instances, want a handful", worst, people)
	}
	t.Logf("most count frames on one socket: %d", worst)
}
