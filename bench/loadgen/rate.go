package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Rate mode: Senders sockets of the sender's room send Rate messages a
// second between them for RateDuration, while every socket reads; each
// delivery is timed from its send to its receipt.
const (
	// histogramStep is the resolution of the rate mode's latencies.
	histogramStep = 100 * time.Microsecond
	// histogramSpan is the longest latency told apart; longer ones count
	// in the last bucket (and in the maximum, which is exact).
	histogramSpan = 120 * time.Second
	// rateProgressStep is how often the senders log, in messages.
	rateProgressStep = 1000
)

// rateTracker follows every message of a rate run: when it was sent, how
// many sockets got it, and a histogram of every delivery's latency. The
// readers record into it concurrently.
type rateTracker struct {
	prefix    []byte         // the run's token prefix, before the number
	sentAt    []atomic.Int64 // per message number, fleet clock; 0 until sent
	delivered []atomic.Int32 // per message number
	buckets   []atomic.Int64 // latency histogram, histogramStep wide
	maxNanos  atomic.Int64
	sumNanos  atomic.Int64
	total     atomic.Int64 // deliveries recorded
	unknown   atomic.Int64 // tokens that name no message sent (should stay 0)
}

func newRateTracker(prefix string, messages int) *rateTracker {
	return &rateTracker{
		prefix:    []byte(prefix),
		sentAt:    make([]atomic.Int64, messages+1),
		delivered: make([]atomic.Int32, messages+1),
		buckets:   make([]atomic.Int64, int(histogramSpan/histogramStep)+1),
	}
}

// note records every message of the run a frame carries (a batch carries
// several) as delivered at now to one socket.
func (t *rateTracker) note(frame []byte, now int64) {
	for {
		at := bytes.Index(frame, t.prefix)
		if at < 0 {
			return
		}
		frame = frame[at+len(t.prefix):]
		seq, n := 0, 0
		for n < len(frame) && frame[n] >= '0' && frame[n] <= '9' && seq < math.MaxInt32 {
			seq = seq*10 + int(frame[n]-'0')
			n++
		}
		frame = frame[n:]
		if n == 0 || len(frame) == 0 || frame[0] != 'z' || seq < 1 || seq >= len(t.sentAt) {
			t.unknown.Add(1)
			continue
		}
		sent := t.sentAt[seq].Load()
		if sent == 0 {
			t.unknown.Add(1)
			continue
		}
		t.delivered[seq].Add(1)
		t.record(time.Duration(now - sent))
	}
}

func (t *rateTracker) record(d time.Duration) {
	d = max(d, 0)
	t.total.Add(1)
	t.sumNanos.Add(int64(d))
	for {
		old := t.maxNanos.Load()
		if int64(d) <= old || t.maxNanos.CompareAndSwap(old, int64(d)) {
			break
		}
	}
	t.buckets[min(int(d/histogramStep), len(t.buckets)-1)].Add(1)
}

// quantile returns the nearest-rank p-quantile of the recorded latencies,
// to the histogram's resolution (the upper edge of its bucket).
func (t *rateTracker) quantile(p float64) time.Duration {
	total := t.total.Load()
	if total == 0 {
		return 0
	}
	rank := max(int64(math.Ceil(p*float64(total))), 1)
	var seen int64
	for i := range t.buckets {
		if seen += t.buckets[i].Load(); seen >= rank {
			return min(time.Duration(i+1)*histogramStep, time.Duration(t.maxNanos.Load()))
		}
	}
	return time.Duration(t.maxNanos.Load())
}

// deliveredAll reports whether every sent message reached receivers sockets.
func (t *rateTracker) deliveredAll(sent, receivers int) bool {
	for seq := 1; seq <= sent; seq++ {
		if int(t.delivered[seq].Load()) < receivers {
			return false
		}
	}
	return true
}

// rateBroadcast is the broadcast phase of rate mode.
func (r *runner) rateBroadcast(ctx context.Context) error {
	senderRoom := roomOf(senderIndex, r.opts.Rooms)
	receivers := readersIn(r.sockets, senderRoom)
	var senders []*socket
	for _, s := range r.sockets {
		if len(senders) < r.opts.Senders && s.room == senderRoom && !s.stallAtTarget {
			senders = append(senders, s)
		}
	}
	total := int(math.Round(r.opts.Rate * r.opts.RateDuration.Seconds()))
	tracker := newRateTracker(fmt.Sprintf(messageTokenPrefix, r.opts.RunID), total)
	framesBefore := frameCounts(r.sockets)
	r.fleet.rate.Store(tracker)
	// A socket the server drops for being too slow loses messages; the
	// run counts it instead of failing.
	r.fleet.tolerateCloses.Store(true)
	r.logf("rate: %d senders, %.1f messages/s for %v (%d messages) to %d sockets",
		len(senders), r.opts.Rate, r.opts.RateDuration, total, receivers)

	start := r.fleet.now()
	interval := float64(time.Second) / r.opts.Rate
	var lagMax atomic.Int64
	var sent, unsent atomic.Int64
	sendCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, len(senders))
	for j, s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := j; k < total; k += len(senders) {
				due := start + int64(float64(k)*interval)
				if wait := time.Duration(due - r.fleet.now()); wait > 0 {
					select {
					case <-time.After(wait):
					case <-sendCtx.Done():
						return
					}
				}
				seq := k + 1
				token := fmt.Sprintf(messageTokenPrefix+messageTokenSuffix, r.opts.RunID, seq)
				payload, err := chatPayload(messageTextPrefix + token)
				if err != nil {
					errs <- err
					cancel()
					return
				}
				now := r.fleet.now()
				lag := now - due
				for old := lagMax.Load(); lag > old && !lagMax.CompareAndSwap(old, lag); old = lagMax.Load() {
				}
				tracker.sentAt[seq].Store(now)
				if err := s.send(payload); err != nil {
					// The server dropped the sender (too slow a reader, say):
					// its messages from here on are never sent, and lost.
					tracker.sentAt[seq].Store(0)
					unsent.Add(int64((total - k + len(senders) - 1) / len(senders)))
					r.logf("rate: sender %d stops: %v", s.index, err)
					return
				}
				if n := sent.Add(1); n%rateProgressStep == 0 {
					r.logf("rate: %d of %d messages sent", n, total)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	sendEnd := r.fleet.now()
	// Wait for the last deliveries, or until the drain time is up: what
	// has not arrived by then is lost.
	drainCtx, cancelDrain := context.WithTimeout(ctx, r.opts.RateDrain)
	defer cancelDrain()
	_ = r.waitUntil(drainCtx, func() bool { return tracker.deliveredAll(total, receivers-int(r.fleet.serverClosed.Load())) })
	if err := r.fleet.err(); err != nil {
		return err
	}
	r.fleet.rate.Store(nil)
	r.result.Rate = rateResult(r, tracker, total, receivers, seconds(sendEnd-start), time.Duration(lagMax.Load()))
	r.result.Rate.Messages = int(sent.Load())
	r.result.Rate.Unsent = int(unsent.Load())
	r.result.Rate.FramesPerSocketAvg = broadcastFrames(r.sockets, framesBefore, senderRoom).InRoomAvg
	rr := r.result.Rate
	r.logf("rate: %.1f messages/s: p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d of %d deliveries lost, %d sockets closed by the server",
		rr.Rate, rr.P50Ms, rr.P99Ms, rr.MaxMs, rr.Lost, rr.Expected, rr.ClosedByServer)
	return nil
}

// rateResult sums up a rate run of planned messages.
func rateResult(r *runner, t *rateTracker, planned, receivers int, sendSeconds float64, lagMax time.Duration) *RateResult {
	var delivered int64
	for seq := 1; seq <= planned; seq++ {
		delivered += int64(t.delivered[seq].Load())
	}
	expected := int64(planned) * int64(receivers)
	res := &RateResult{
		Rate:            r.opts.Rate,
		Senders:         min(r.opts.Senders, receivers),
		DurationSeconds: r.opts.RateDuration.Seconds(),
		SendSeconds:     sendSeconds,
		Receivers:       receivers,
		Expected:        expected,
		Delivered:       delivered,
		Lost:            expected - delivered,
		ClosedByServer:  int(r.fleet.serverClosed.Load()),
		UnknownTokens:   t.unknown.Load(),
		SendLagMaxMs:    milliseconds(lagMax),
		P50Ms:           milliseconds(t.quantile(0.50)),
		P99Ms:           milliseconds(t.quantile(0.99)),
		MaxMs:           milliseconds(time.Duration(t.maxNanos.Load())),
	}
	if n := t.total.Load(); n > 0 {
		res.MeanMs = milliseconds(time.Duration(t.sumNanos.Load() / n))
	}
	return res
}
