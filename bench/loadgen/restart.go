package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// RestartResult is what -restart measures: N sockets kept open through a
// restart of the server, reconnecting as htmx's ws extension does.
type RestartResult struct {
	Sockets int `json:"sockets"`
	Users   int `json:"users"`
	// ConvergeSeconds is how long the first connect took until every
	// socket showed the right count.
	ConvergeSeconds float64 `json:"converge_seconds"`
	// DownSeconds runs from the first socket closed by the server to the
	// first socket open again: about the restart itself.
	DownSeconds float64 `json:"down_seconds"`
	// AllBackSeconds runs from the first socket closed to every socket
	// open again and showing the right count.
	AllBackSeconds float64 `json:"all_back_seconds"`
	// Per socket, from its close to its reopening.
	ReconnectP50Seconds float64 `json:"reconnect_p50_seconds"`
	ReconnectP99Seconds float64 `json:"reconnect_p99_seconds"`
	ReconnectMaxSeconds float64 `json:"reconnect_max_seconds"`
	// Dials after the first close, and how many of them failed (the
	// server was not listening yet, or refused the upgrade).
	Dials       int64 `json:"dials"`
	FailedDials int64 `json:"failed_dials"`
	// BusiestSecondDials is the most dials begun in one second after the
	// first close: how well the jitter spreads them.
	BusiestSecondDials int64 `json:"busiest_second_dials"`
	// CloseCodes counts the codes the server closed the sockets with.
	CloseCodes map[int]int `json:"close_codes"`
}

// reconnectCodes are the close codes after which the ws extension reconnects.
var reconnectCodes = []int{websocket.CloseAbnormalClosure, websocket.CloseInternalServerErr,
	websocket.CloseServiceRestart, websocket.CloseTryAgainLater}

// fullJitter is the ws extension's "full-jitter" reconnect delay: uniform
// in [0, 1 s × 2^min(retry, 6)).
func fullJitter(retry int) time.Duration {
	return time.Duration(rand.Float64() * float64(time.Second) * math.Pow(2, float64(min(retry, 6))))
}

// keeper is one socket that reconnects by itself.
type keeper struct {
	cookie string
	count  atomic.Int64 // the last count shown; -1 while closed
	open   atomic.Bool
	// closedAt and reopenedAt are the first close by the server and the
	// reopening after it, in nanoseconds of the generator's clock; 0 before.
	closedAt   atomic.Int64
	reopenedAt atomic.Int64
	closeCode  atomic.Int64
}

// restartRun holds one -restart run.
type restartRun struct {
	opts   Options
	ends   endpoints
	clock  time.Time
	dialer websocket.Dialer
	// restarted is set once a socket has been closed by the server.
	restarted   atomic.Bool
	dials       atomic.Int64
	failedDials atomic.Int64
	mu          sync.Mutex
	dialTimes   []int64 // after the first close
	unexpected  atomic.Value
}

func (r *restartRun) now() int64 { return int64(time.Since(r.clock)) }

// runRestart opens opts.Sockets sockets (users round-robin, all in
// general), waits until each shows the count, tells the operator (and
// opts.OnReady) to restart the server, and measures how long it takes
// until every socket is back and shows the right count.
func runRestart(ctx context.Context, opts Options) (RestartResult, error) {
	opts, err := opts.normalize()
	if err != nil {
		return RestartResult{}, err
	}
	if opts.Rooms != 1 {
		return RestartResult{}, errors.New("-restart keeps every socket in general: leave -rooms at 1")
	}
	if strings.Contains(opts.URL, ",") {
		return RestartResult{}, errors.New("-restart restarts one server: give one -url")
	}
	ends, err := parseEndpoints(opts.URL, opts.AllowRemote)
	if err != nil {
		return RestartResult{}, err
	}
	logf := func(format string, args ...any) { fmt.Fprintf(opts.Log, "loadgen: "+format+"\n", args...) }
	signer := newSigner(ends.base, ends.origin)
	defer signer.close()
	signed, err := signer.signInAll(ctx, opts.RunID, opts.Users, logf)
	if err != nil {
		return RestartResult{}, fmt.Errorf("sign in: %w", err)
	}
	logf("signed in %d users", opts.Users)

	r := &restartRun{opts: opts, ends: ends, clock: time.Now(),
		dialer: websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 256}}
	keepers := make([]*keeper, opts.Sockets)
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	first := make(chan struct{}, opts.DialConcurrency)
	for i := range keepers {
		k := &keeper{cookie: signed.cookies[i%opts.Users]}
		k.count.Store(-1)
		keepers[i] = k
		wg.Add(1)
		go func() { defer wg.Done(); r.keep(runCtx, k, first) }()
	}
	want := int64(opts.Users)
	allBack := func() bool {
		for _, k := range keepers {
			if !k.open.Load() || k.count.Load() != want {
				return false
			}
		}
		return true
	}
	start := time.Now()
	if err := r.wait(runCtx, opts.PhaseTimeout, allBack); err != nil {
		return RestartResult{}, fmt.Errorf("first connect: %w", err)
	}
	res := RestartResult{Sockets: opts.Sockets, Users: opts.Users, ConvergeSeconds: seconds(int64(time.Since(start)))}
	logf("ready: %d sockets show %d users online; restart the server now", opts.Sockets, opts.Users)
	if opts.OnReady != nil {
		opts.OnReady()
	}
	if err := r.wait(runCtx, opts.PhaseTimeout, r.restarted.Load); err != nil {
		return RestartResult{}, fmt.Errorf("waiting for the server to restart: %w", err)
	}
	logf("the server closed a socket; waiting for all %d to come back", opts.Sockets)
	if err := r.wait(runCtx, opts.PhaseTimeout, allBack); err != nil {
		back := 0
		for _, k := range keepers {
			if k.open.Load() && k.count.Load() == want {
				back++
			}
		}
		return RestartResult{}, fmt.Errorf("after the restart %d of %d sockets are back: %w", back, opts.Sockets, err)
	}
	allBackAt := r.now()
	if v := r.unexpected.Load(); v != nil {
		return RestartResult{}, v.(error)
	}
	firstClose, firstReopen := int64(math.MaxInt64), int64(math.MaxInt64)
	var gaps []time.Duration
	res.CloseCodes = map[int]int{}
	for _, k := range keepers {
		c, o := k.closedAt.Load(), k.reopenedAt.Load()
		if c == 0 {
			return RestartResult{}, errors.New("a socket was never closed by the server: was it restarted?")
		}
		firstClose, firstReopen = min(firstClose, c), min(firstReopen, o)
		gaps = append(gaps, time.Duration(o-c))
		res.CloseCodes[int(k.closeCode.Load())]++
	}
	slices.Sort(gaps)
	res.DownSeconds = seconds(firstReopen - firstClose)
	res.AllBackSeconds = seconds(allBackAt - firstClose)
	res.ReconnectP50Seconds = percentile(gaps, 0.50).Seconds()
	res.ReconnectP99Seconds = percentile(gaps, 0.99).Seconds()
	res.ReconnectMaxSeconds = gaps[len(gaps)-1].Seconds()
	res.Dials, res.FailedDials = r.dials.Load(), r.failedDials.Load()
	r.mu.Lock()
	res.BusiestSecondDials = busiestSecond(r.dialTimes)
	r.mu.Unlock()
	return res, nil
}

// wait polls done until it holds, ctx ends or timeout passes.
func (r *restartRun) wait(ctx context.Context, timeout time.Duration, done func() bool) error {
	deadline := time.Now().Add(timeout)
	for !done() {
		if v := r.unexpected.Load(); v != nil {
			return v.(error)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not done within %v", timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// keep runs one socket until ctx ends: it dials (the first time under the
// first semaphore), reads, and after a close the ws extension reconnects
// on, dials again after a full-jitter delay, as a page would.
func (r *restartRun) keep(ctx context.Context, k *keeper, first chan struct{}) {
	hdr := http.Header{"Cookie": {k.cookie}, "Origin": {r.ends.origin}}
	retry, initial := 0, true
	for ctx.Err() == nil {
		if initial {
			first <- struct{}{}
		}
		restarted := r.restarted.Load()
		if restarted {
			r.dials.Add(1)
			r.mu.Lock()
			r.dialTimes = append(r.dialTimes, r.now())
			r.mu.Unlock()
		}
		conn, _, err := r.dialer.DialContext(ctx, r.ends.ws, hdr)
		if initial {
			<-first
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if initial {
				r.unexpected.CompareAndSwap(nil, fmt.Errorf("first dial: %w", err))
				return
			}
			r.failedDials.Add(1)
			sleepCtx(ctx, fullJitter(retry))
			retry++
			continue
		}
		initial, retry = false, 0
		if k.closedAt.Load() != 0 {
			k.reopenedAt.CompareAndSwap(0, r.now())
		}
		k.open.Store(true)
		code := r.read(ctx, conn, k)
		k.open.Store(false)
		k.count.Store(-1)
		if ctx.Err() != nil {
			return
		}
		if k.closedAt.CompareAndSwap(0, r.now()) {
			k.closeCode.Store(int64(code))
			r.restarted.Store(true)
		}
		if !slices.Contains(reconnectCodes, code) {
			r.unexpected.CompareAndSwap(nil, fmt.Errorf("socket closed with %d, after which pages do not reconnect", code))
			return
		}
		sleepCtx(ctx, fullJitter(retry))
		retry++
	}
}

// read reads frames until the socket ends and returns its close code
// (1006 when it ended without one).
func (r *restartRun) read(ctx context.Context, conn *websocket.Conn, k *keeper) int {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	defer conn.Close()
	conn.SetReadLimit(maxFrameBytes)
	for {
		_, rd, err := conn.NextReader()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		} else if err != nil {
			return websocket.CloseAbnormalClosure
		}
		frame, err := io.ReadAll(rd)
		if err != nil {
			return websocket.CloseAbnormalClosure
		}
		if n, ok := parseCount(frame); ok {
			k.count.Store(int64(n))
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// busiestSecond is the most times that fall in one second.
func busiestSecond(times []int64) int64 {
	perSecond := map[int64]int64{}
	var most int64
	for _, t := range times {
		s := t / int64(time.Second)
		perSecond[s]++
		most = max(most, perSecond[s])
	}
	return most
}

// writeRestartTable prints a -restart result.
func writeRestartTable(w io.Writer, r RestartResult) error {
	_, err := fmt.Fprintf(w, `restart of the server under %d sockets (%d users)
first connect converged      %.3f s
down (first close to first reopen) %.3f s
all back, right count         %.3f s after the first close
per socket reconnect          p50 %.3f s, p99 %.3f s, max %.3f s
dials after the close         %d (%d failed), at most %d in one second
close codes                   %v
`, r.Sockets, r.Users, r.ConvergeSeconds, r.DownSeconds, r.AllBackSeconds,
		r.ReconnectP50Seconds, r.ReconnectP99Seconds, r.ReconnectMaxSeconds,
		r.Dials, r.FailedDials, r.BusiestSecondDials, r.CloseCodes)
	return err
}

// writeJSONValue writes v as one JSON line.
func writeJSONValue(w io.Writer, v any) error {
	if err := json.NewEncoder(w).Encode(v); err != nil {
		return fmt.Errorf("write JSON result: %w", err)
	}
	return nil
}
