package app_test

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/parleychat/parley/app"
	"github.com/parleychat/parley/app/sqlite"
)

// behindTheBus changes the shared database as an instance does whose
// events never reach the others: it died between storing and sending, or
// its link was down and nats.go's reconnect buffer did not carry them.
type behindTheBus struct {
	t     *testing.T
	store *sqlite.Store
}

func openBehindTheBus(t *testing.T, cfg app.Config) *behindTheBus {
	t.Helper()
	s, err := sqlite.Open(t.Context(), cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &behindTheBus{t: t, store: s}
}

// say stores a message of username's in general.
func (b *behindTheBus) say(username, text string) {
	b.t.Helper()
	ctx := context.Background()
	u, _, err := b.store.UserByUsername(ctx, username)
	if err != nil {
		b.t.Fatal(err)
	}
	room, err := b.store.RoomByName(ctx, "general")
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.store.CreateMessage(ctx, room.ID, u.ID, text); err != nil {
		b.t.Fatal(err)
	}
}

// remove deletes a message as its author would.
func (b *behindTheBus) remove(id int64) {
	b.t.Helper()
	m, err := b.store.MessageByID(context.Background(), id)
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.store.DeleteMessage(context.Background(), m.UserID, id); err != nil {
		b.t.Fatal(err)
	}
}

// lastMessageNumber is lastMessageID as a number.
func lastMessageNumber(t *testing.T, frames []string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(lastMessageID(t, frames), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestDeadInstancesLastWordsReachOpenPages: B stores a message and
// deletes one, then dies before it tells anyone. Once A drops B, its open
// pages show that message and lose the deleted one, each once.
func TestDeadInstancesLastWordsReachOpenPages(t *testing.T) {
	ns := startNATS(t, -1)
	cfgs := clusterConfigs(t, ns.ClientURL(), 2)
	proxy := newCuttableProxy(t, ns.Addr().String())
	cfgs[1].NATSURL = "nats://" + proxy.addr()
	a, b := startApp(t, cfgs[0]), startApp(t, cfgs[1])
	alice, bob := signedUp(t, a, "alice"), signedUp(t, b, "bob")
	aliceA := alice.dial("")
	bobB := bob.dial("")
	aliceA.waitPresence(2, "alice", "bob")
	bobB.send("soon deleted")
	aliceA.waitText("soon deleted</p>")
	deleted := lastMessageNumber(t, aliceA.snapshot())

	dying := openBehindTheBus(t, cfgs[1])
	dying.say("bob", "stored just before B died")
	dying.remove(deleted)
	proxy.cut()

	aliceA.waitText("bob left the chat")
	aliceA.waitText("stored just before B died</p>")
	aliceA.waitText(removal(deleted))
	frames := aliceA.snapshot()
	if n := containing(frames, "stored just before B died</p>"); n != 1 {
		t.Errorf("alice's page got B's last message %d times, want once", n)
	}
	if n := containing(frames, removal(deleted)); n != 1 {
		t.Errorf("alice's page got the removal %d times, want once", n)
	}
}

// TestNATSOutageLosesNothingOnOpenPages: what is stored and deleted while
// NATS is down reaches the pages that stayed open on every instance once
// it is back, without a reload and without anything twice.
func TestNATSOutageLosesNothingOnOpenPages(t *testing.T) {
	ns := startNATS(t, -1)
	port := ns.Addr().(*net.TCPAddr).Port
	cfgs := clusterConfigs(t, ns.ClientURL(), 2)
	a, b := startApp(t, cfgs[0]), startApp(t, cfgs[1])
	alice, bob := signedUp(t, a, "alice"), signedUp(t, b, "bob")
	signedUp(t, a, "carol") // an account for the third instance below
	aliceA := alice.dial("")
	bobB := bob.dial("")
	aliceA.waitPresence(2, "alice", "bob")
	bobB.waitPresence(2, "alice", "bob")
	aliceA.send("soon deleted")
	bobB.waitText("soon deleted</p>")
	deleted := lastMessageNumber(t, bobB.snapshot())

	ns.Shutdown()
	ns.WaitForShutdown()
	const paused = "Live updates from other servers are paused"
	aliceA.waitText(paused)
	bobB.waitText(paused)
	aliceA.send("said on A while NATS was down")
	aliceA.waitText("said on A while NATS was down</p>")
	// A third instance stores and deletes meanwhile, and its events are
	// lost for good (it was restarted before NATS came back, say).
	third := openBehindTheBus(t, cfgs[0])
	third.say("carol", "said on a third instance")
	third.remove(deleted)

	startNATS(t, port)
	const resumed = "Live updates from other servers have resumed"
	aliceA.waitText(resumed)
	bobB.waitText(resumed)
	for _, s := range []struct {
		name string
		ws   *socket
	}{{"alice's page on A", aliceA}, {"bob's page on B", bobB}} {
		s.ws.waitText("said on A while NATS was down</p>")
		s.ws.waitText("said on a third instance</p>")
		s.ws.waitText(removal(deleted))
		frames := s.ws.snapshot()
		for _, text := range []string{"said on A while NATS was down</p>", "said on a third instance</p>", removal(deleted)} {
			if n := containing(frames, text); n != 1 {
				t.Errorf("%s got %q %d times, want once", s.name, text, n)
			}
		}
	}
	if _, page, _ := bob.get("/r/general"); strings.Contains(page, "soon deleted") || !strings.Contains(page, "said on a third instance") {
		t.Errorf("bob's page on B, loaded after the outage, does not show the room as stored")
	}
	if status, _, _ := bob.get("/readyz"); status != http.StatusOK {
		t.Errorf("/readyz on B after the outage: got %d, want 200", status)
	}
}
