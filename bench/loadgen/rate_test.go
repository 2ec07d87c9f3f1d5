package main

import (
	"context"
	"testing"
	"time"
)

// Rate mode against the floor and against Parley, at small scale: every
// message sent reaches every socket of the room, each delivery is timed,
// and nothing counts as lost.
func TestRateModeDeliversEveryMessage(t *testing.T) {
	for name, start := range map[string]func(*testing.T) string{"floor": startFloor, "parley": startParley} {
		t.Run(name, func(t *testing.T) {
			opts := testOptions(t, start(t))
			opts.Rate, opts.Senders = 40, 5
			opts.RateDuration, opts.RateDrain = time.Second, 5*time.Second
			ctx, cancel := context.WithTimeout(context.Background(), 4*testPhaseTimeout)
			defer cancel()
			got, err := run(ctx, opts)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			rr := got.Rate
			if rr == nil {
				t.Fatal("no rate result")
			}
			if rr.Messages != 40 || rr.Senders != 5 || rr.Receivers != testSockets {
				t.Errorf("sent %d messages by %d senders to %d sockets, want 40 by 5 to %d", rr.Messages, rr.Senders, rr.Receivers, testSockets)
			}
			if want := int64(40 * testSockets); rr.Expected != want || rr.Delivered != want || rr.Lost != 0 {
				t.Errorf("expected %d, delivered %d, lost %d; want %d, %d, 0", rr.Expected, rr.Delivered, rr.Lost, want, want)
			}
			if rr.UnknownTokens != 0 || rr.ClosedByServer != 0 {
				t.Errorf("%d unknown tokens, %d sockets closed by the server; want 0 and 0", rr.UnknownTokens, rr.ClosedByServer)
			}
			if !(rr.P50Ms > 0 && rr.P50Ms <= rr.P99Ms && rr.P99Ms <= rr.MaxMs) {
				t.Errorf("latencies p50 %v, p99 %v, max %v ms: want 0 < p50 <= p99 <= max", rr.P50Ms, rr.P99Ms, rr.MaxMs)
			}
			if rr.SendSeconds < 0.9 {
				t.Errorf("40 messages at 40/s were sent in %.2f s, want about 1 s", rr.SendSeconds)
			}
			if got.Leave.SurvivorCount != 1 {
				t.Errorf("the survivor shows %d after the leave storm, want 1", got.Leave.SurvivorCount)
			}
		})
	}
}

// The tracker counts every message of a batch, and only messages sent.
func TestRateTrackerCountsEachToken(t *testing.T) {
	tr := newRateTracker("lgtokabcx", 3)
	tr.sentAt[1].Store(1)
	tr.sentAt[2].Store(1)
	batch := []byte(`<p>lg lgtokabcx1z</p><p>lg lgtokabcx2z</p><p>lgtokabcx3z never sent</p><p>lgtokabcx9z</p>`)
	tr.note(batch, int64(2*time.Millisecond))
	if got := tr.delivered[1].Load() + tr.delivered[2].Load(); got != 2 {
		t.Errorf("deliveries of messages 1 and 2: got %d, want 2", got)
	}
	if got := tr.unknown.Load(); got != 2 {
		t.Errorf("unknown tokens: got %d, want 2 (message 3 was not sent, 9 does not exist)", got)
	}
	if got := tr.quantile(0.5); got < 2*time.Millisecond-time.Nanosecond || got > 2*time.Millisecond+histogramStep {
		t.Errorf("p50 = %v, want about 2 ms", got)
	}
}
