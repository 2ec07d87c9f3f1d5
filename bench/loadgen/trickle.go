package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
)

// trickleRunID names the trickle's users lg-RUNID-t-i: after every
// storm user in the online list's order, so that the trickle arrives
// beyond the first 100 names, as most arrivals in a big room do.
func trickleRunID(runID string) string { return runID + "-t" }

// trickle, with -trickle N, has N more people arrive in general one at a
// time, every TrickleEvery, once the storm has settled, and measures what
// each arrival costs the sockets already there. The new sockets stay
// open until the leave storm.
func (r *runner) trickle(ctx context.Context) error {
	if r.opts.Trickle == 0 {
		return nil
	}
	signed, err := r.signer.signInAll(ctx, trickleRunID(r.opts.RunID), r.opts.Trickle, r.logf)
	if err != nil {
		return err
	}
	var there []*socket
	for _, s := range r.sockets {
		if s != nil && !s.stallAtTarget && !s.closedByServer.Load() {
			there = append(there, s)
		}
	}
	base := r.sockets[senderIndex].count.Load()
	payloadBefore, noticesBefore := byteCounts(there)
	dialer := &websocket.Dialer{
		HandshakeTimeout: handshakeTimeout,
		ReadBufferSize:   clientReadBuffer,
		WriteBufferSize:  clientWriteBuffer,
		WriteBufferPool:  &sync.Pool{},
	}
	r.logf("trickle: %d arrivals, one every %v, into a room of %d", r.opts.Trickle, r.opts.TrickleEvery, base)
	ticker := time.NewTicker(r.opts.TrickleEvery)
	defer ticker.Stop()
	var lastDial int64
	arrived := make([]*socket, 0, r.opts.Trickle)
	for i, cookie := range signed.cookies {
		if i > 0 {
			select {
			case <-ticker.C:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		header := http.Header{"Cookie": {cookie}, "Origin": {r.ends[0].origin}}
		conn, _, err := dialer.DialContext(ctx, r.plan.socketURL(r.ends[0].ws, 0), header)
		if err != nil {
			return fmt.Errorf("dial arrival %d: %w", i, err)
		}
		lastDial = r.fleet.now()
		s := newSocket(len(r.sockets), place{room: 0, expected: int(base) + i + 1}, conn, false)
		r.fleet.startReader(s)
		r.sockets = append(r.sockets, s) // the leave storm closes it
		arrived = append(arrived, s)
	}
	final := base + int64(r.opts.Trickle)
	everyone := append(there, arrived...)
	err = r.waitUntil(ctx, func() bool {
		for _, s := range everyone {
			if s.count.Load() != final {
				return false
			}
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("wait for %d online: %w", final, err)
	}
	converged := int64(0)
	for _, s := range everyone {
		converged = max(converged, s.countChangedAt.Load())
	}
	payloadAfter, noticesAfter := byteCounts(there)
	per := float64(len(there) * r.opts.Trickle)
	t := &TrickleResult{
		Arrivals:                 r.opts.Trickle,
		EverySeconds:             r.opts.TrickleEvery.Seconds(),
		ConvergeAfterLastSeconds: seconds(max(0, converged-lastDial)),
		PresenceBytesPerArrival:  roundTo(float64(payloadAfter-payloadBefore-(noticesAfter-noticesBefore))/per, 10),
		NoticeBytesPerArrival:    roundTo(float64(noticesAfter-noticesBefore)/per, 10),
		CountElementBytes:        r.fleet.countElement.Load(),
	}
	if t.CountElementBytes > 0 {
		t.CountsPerArrival = roundTo(t.PresenceBytesPerArrival/float64(t.CountElementBytes), 100)
	}
	r.result.Trickle = t
	r.logf("trickle: %.1f B of presence per socket per arrival (%.2f count elements), converged %.3f s after the last",
		t.PresenceBytesPerArrival, t.CountsPerArrival, t.ConvergeAfterLastSeconds)
	return nil
}
