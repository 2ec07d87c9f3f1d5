package app_test

import (
	"net"
	"testing"
	"time"
)

// TestMetricsCountNATS checks parley_nats_connected and
// parley_nats_messages_total{direction} on an instance linked to another
// through NATS: the messages it shares go out, the other's come in, and the
// gauge follows the connection through an outage and back.
func TestMetricsCountNATS(t *testing.T) {
	ns := startNATS(t, -1)
	port := ns.Addr().(*net.TCPAddr).Port
	cfgs := clusterConfigs(t, ns.ClientURL(), 2)
	cfgs[0].MetricsAddr = "127.0.0.1:0"
	a, b := startApp(t, cfgs[0]), startApp(t, cfgs[1])
	read := func() (connected, in, out float64) {
		t.Helper()
		fams := scrape(t, a)
		var ok [3]bool
		connected, ok[0] = sample(fams, "parley_nats_connected", nil)
		in, ok[1] = sample(fams, "parley_nats_messages_total", map[string]string{"direction": "in"})
		out, ok[2] = sample(fams, "parley_nats_messages_total", map[string]string{"direction": "out"})
		if ok != [3]bool{true, true, true} {
			t.Fatalf("scrape: parley_nats_connected, _messages_total{in}, {out} present: %v, want all", ok)
		}
		return connected, in, out
	}
	waitMetrics := func(what string, ok func(connected, in, out float64) bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			c, in, out := read()
			if ok(c, in, out) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: connected %g, in %g, out %g", what, c, in, out)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	if c, _, _ := read(); c != 1 {
		t.Errorf("parley_nats_connected %g once started, want 1", c)
	}
	alice, bob := signedUp(t, a, "alice"), signedUp(t, b, "bob")
	aliceA, bobB := alice.dial(""), bob.dial("")
	aliceA.waitPresence(2, "alice", "bob")
	bobB.waitPresence(2, "alice", "bob")

	// Heartbeats (every second) and snapshots flow both ways too: compare
	// with a reading taken just before the message, which adds one at
	// least. Without the counting wired, both stay at 0.
	_, in0, out0 := read()
	aliceA.send("from A")
	bobB.waitText("from A</p>")
	_, _, out1 := read()
	if out1 < out0+1 {
		t.Errorf("out: %g before alice's message on A, %g after, want at least one more", out0, out1)
	}
	bobB.send("from B")
	aliceA.waitText("from B</p>")
	_, in1, _ := read()
	if in1 < in0+1 {
		t.Errorf("in: %g before bob's message on B, %g after, want at least one more", in0, in1)
	}

	ns.Shutdown()
	ns.WaitForShutdown()
	waitMetrics("NATS down: want parley_nats_connected 0", func(c, _, _ float64) bool { return c == 0 })
	startNATS(t, port) // the same address: nats.go reconnects
	waitMetrics("NATS back: want parley_nats_connected 1", func(c, _, _ float64) bool { return c == 1 })
	_, in2, _ := read()
	bobB.send("after the outage")
	aliceA.waitText("after the outage</p>")
	waitMetrics("after the outage: want bob's message in", func(_, in, _ float64) bool { return in >= in2+1 })
}

// TestMetricsWithoutNATS: an instance on its own says it has no NATS
// connection and counts nothing.
func TestMetricsWithoutNATS(t *testing.T) {
	cfg := testConfig(t)
	cfg.MetricsAddr = "127.0.0.1:0"
	a := startApp(t, cfg)
	alice := signedUp(t, a, "alice")
	s := alice.dial("")
	s.send("alone")
	s.waitText("alone</p>")
	fams := scrape(t, a)
	for _, m := range []struct {
		name   string
		labels map[string]string
	}{
		{"parley_nats_connected", nil},
		{"parley_nats_messages_total", map[string]string{"direction": "in"}},
		{"parley_nats_messages_total", map[string]string{"direction": "out"}},
	} {
		if v, ok := sample(fams, m.name, m.labels); !ok || v != 0 {
			t.Errorf("%s%v without NATS_URL: %g (present %v), want 0", m.name, m.labels, v, ok)
		}
	}
}
