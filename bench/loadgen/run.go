package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
)

// Timing and sizes of a run.
const (
	pollInterval       = 5 * time.Millisecond // how often a wait checks the sockets
	handshakeTimeout   = 10 * time.Second     // one websocket handshake
	closeConcurrency   = 16                   // sockets closed at once in the leave storm
	dialProgressStep   = 1000                 // log every this many sockets
	clientReadBuffer   = 2048                 // per socket; frames are small
	clientWriteBuffer  = 1024                 // pooled: only one socket ever sends
	senderIndex        = 0                    // the socket that sends the messages
	messageTokenPrefix = "lgtok%sx"           // run ID; every message of a run carries it
	messageTokenSuffix = "%dz"                // message number; makes the token unique per message
	messageTextPrefix  = "lg "                // text before the token
)

// run signs in the users, opens the sockets and measures the connect
// storm, the broadcast latency and the leave storm against opts.URL. Every
// socket and goroutine it starts is closed and joined before it returns.
func run(ctx context.Context, opts Options) (Result, error) {
	opts, err := opts.normalize()
	if err != nil {
		return Result{}, fmt.Errorf("options: %w", err)
	}
	ends, err := parseAllEndpoints(opts.URL, opts.AllowRemote)
	if err != nil {
		return Result{}, fmt.Errorf("options: %w", err)
	}
	r := newRunner(opts, ends)
	defer r.closeEverything()
	return r.run(ctx)
}

// runner holds the state of one run.
type runner struct {
	opts    Options
	ends    []endpoints // socket i goes to ends[i mod len(ends)]; ends[0] signs in
	logf    logFunc
	signer  *signer
	fleet   *fleet
	monitor *monitor
	plan    roomPlan
	cookies []string  // per user
	sockets []*socket // per socket index; nil where a dial failed
	stalled int
	result  Result
}

func newRunner(opts Options, ends []endpoints) *runner {
	senderRoom := roomOf(senderIndex, opts.Rooms)
	return &runner{
		opts: opts,
		ends: ends,
		logf: func(format string, args ...any) {
			fmt.Fprintf(opts.Log, "loadgen: "+format+"\n", args...)
		},
		plan:    newRoomPlan(opts.RunID, opts.Rooms, opts.Sockets, opts.Users, opts.Private),
		signer:  newSigner(ends[0].base, ends[0].origin),
		fleet:   newFleet(fmt.Sprintf(messageTokenPrefix, opts.RunID), senderRoom),
		monitor: newMonitor(opts.PIDs),
		result: Result{
			URL:             joinBases(ends),
			Instances:       len(ends),
			RunID:           opts.RunID,
			Users:           opts.Users,
			Sockets:         opts.Sockets,
			Rooms:           opts.Rooms,
			DialConcurrency: opts.DialConcurrency,
			StalledPercent:  opts.StalledPercent,
		},
	}
}

func (r *runner) run(ctx context.Context) (Result, error) {
	if err := r.monitor.sample(atStart); err != nil {
		return Result{}, err
	}
	phases := []struct {
		name string
		do   func(context.Context) error
		end  checkpoint
	}{
		{"sign-in", r.signIn, afterSignIn},
		{"rooms", r.createRooms, afterRooms},
		{"connect storm", r.connectStorm, afterStorm},
		// Sampled again after the hold: RSS per socket is then what idle
		// sockets hold once the storm's garbage is gone.
		{"hold", r.hold, afterStorm},
		{"broadcast", r.broadcastPhase(), afterBroadcast},
		{"trickle", r.trickle, afterBroadcast},
		{"leave storm", r.leaveStorm, afterLeave},
	}
	for _, p := range phases {
		if err := r.runPhase(ctx, p.name, p.do); err != nil {
			return Result{}, err
		}
		if err := r.monitor.sample(p.end); err != nil {
			return Result{}, err
		}
	}
	r.result.Broadcast.ForeignDeliveries = r.fleet.foreign.Load()
	r.result.Server = r.monitor.serverResources(r.opts.Sockets)
	if len(r.opts.PIDs) > 1 {
		r.result.Servers = r.monitor.eachServer(r.opts.Sockets)
	}
	r.result.Loadgen = r.monitor.selfResources(r.opts.Sockets)
	return r.result, nil
}

// runPhase runs one phase within the phase timeout.
func (r *runner) runPhase(ctx context.Context, name string, do func(context.Context) error) error {
	phaseCtx, cancel := context.WithTimeout(ctx, r.opts.PhaseTimeout)
	defer cancel()
	r.logf("%s: starting", name)
	err := do(phaseCtx)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return fmt.Errorf("%s: timed out after %v: %w", name, r.opts.PhaseTimeout, err)
	default:
		return fmt.Errorf("%s: %w", name, err)
	}
}

// closeEverything closes every socket and joins every reader.
func (r *runner) closeEverything() {
	closeSockets(r.sockets)
	r.fleet.readers.Wait()
	r.signer.close()
}

func (r *runner) signIn(ctx context.Context) error {
	start := time.Now()
	signedIn, err := r.signer.signInAll(ctx, r.opts.RunID, r.opts.Users, r.logf)
	if err != nil {
		return err
	}
	r.cookies = signedIn.cookies
	r.result.SignIn = SignInResult{
		Seconds:    roundTo(time.Since(start).Seconds(), 1e6),
		Registered: signedIn.registered,
		LoggedIn:   signedIn.loggedIn,
	}
	r.logf("sign-in: %d users in %.2f s", r.opts.Users, r.result.SignIn.Seconds)
	return nil
}

// createRooms creates the run's rooms as user 0; with one room there is
// nothing to create: every socket goes to general.
func (r *runner) createRooms(ctx context.Context) error {
	if !r.plan.creates() {
		return nil
	}
	start := time.Now()
	visibility := "public"
	if r.plan.private {
		visibility = "private"
	}
	made, err := r.signer.createRooms(ctx, r.cookies[0], r.plan.names, visibility, r.logf)
	if err != nil {
		return err
	}
	if r.plan.private && made.created > 0 {
		others := make([]string, 0, r.opts.Users-1)
		for i := 1; i < r.opts.Users; i++ {
			others = append(others, userName(r.opts.RunID, i))
		}
		if err := r.signer.addMembers(ctx, r.cookies[0], r.plan.names[0], others, r.logf); err != nil {
			return err
		}
	}
	r.result.RoomSetup = RoomSetupResult{
		Seconds: roundTo(time.Since(start).Seconds(), 1e6),
		Created: made.created,
		Existed: made.existed,
	}
	r.logf("rooms: %d created, %d there already, in %.2f s", made.created, made.existed, r.result.RoomSetup.Seconds)
	return nil
}

// connectStorm dials every socket and waits until each shows the number
// of distinct users among the sockets of its room.
func (r *runner) connectStorm(ctx context.Context) error {
	lowest, highest := r.plan.expectedRange()
	stalled := stalledIndexes(r.opts.Sockets, r.opts.StalledPercent)
	r.stalled = len(stalled)
	r.result.StalledSockets = len(stalled)

	start := r.fleet.now()
	dialed, err := r.dialAll(ctx, stalled)
	if err != nil {
		return err
	}
	r.logf("connect storm: %d sockets dialled in %.2f s; waiting for every one to show its room's count (%s)",
		r.opts.Sockets, seconds(dialed-start), describeRange(lowest, highest))
	err = r.waitUntil(ctx, func() bool { return allShowExpected(r.sockets) })
	if err != nil {
		return fmt.Errorf("wait for the final counts: %w; %s", err, countSummary(r.sockets))
	}
	converged := int64(0)
	for _, s := range r.sockets {
		converged = max(converged, s.countChangedAt.Load())
	}
	r.result.Storm = stormResult(r.sockets, seconds(dialed-start), seconds(converged-start))
	r.result.Storm.ExpectedCount, r.result.Storm.ExpectedCountMin = highest, lowest
	r.logf("connect storm: every socket shows its room's count (%s), %.3f s after the last dial",
		describeRange(lowest, highest), r.result.Storm.ConvergeAfterLastDialSeconds)
	return nil
}

// hold keeps the sockets open and idle for Hold, then checks that every
// one still shows its room's count.
func (r *runner) hold(ctx context.Context) error {
	if r.opts.Hold == 0 {
		return nil
	}
	r.logf("hold: keeping %d sockets idle for %v", r.opts.Sockets, r.opts.Hold)
	select {
	case <-time.After(r.opts.Hold):
	case <-ctx.Done():
		return ctx.Err()
	}
	if !allShowExpected(r.sockets) {
		return fmt.Errorf("after the hold not every socket shows its room's count: %s", countSummary(r.sockets))
	}
	return nil
}

// describeRange renders the counts the rooms must show: "10", or
// "9..10" when the rooms differ.
func describeRange(lowest, highest int) string {
	if lowest == highest {
		return fmt.Sprint(highest)
	}
	return fmt.Sprintf("%d..%d", lowest, highest)
}

// dialAll opens every socket, DialConcurrency at a time, and starts its
// reader. It stops at the first failure. It returns when the last dial
// ended, on the fleet clock.
func (r *runner) dialAll(ctx context.Context, stalled map[int]bool) (lastDialEnd int64, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dialer := &websocket.Dialer{
		HandshakeTimeout: handshakeTimeout,
		ReadBufferSize:   clientReadBuffer,
		WriteBufferSize:  clientWriteBuffer,
		WriteBufferPool:  &sync.Pool{},
	}
	r.sockets = make([]*socket, r.opts.Sockets)
	var firstErr error
	var errOnce sync.Once
	var progress sync.Mutex // guards dialedCount and lastDialEnd
	dialedCount := 0
	indexes := make(chan int)
	var workers sync.WaitGroup
	for range min(r.opts.DialConcurrency, r.opts.Sockets) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for i := range indexes {
				s, err := r.dial(ctx, dialer, i, stalled[i])
				dialEnd := r.fleet.now() // before the reader can see a count
				if err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					continue
				}
				r.sockets[i] = s
				r.fleet.startReader(s)
				progress.Lock()
				lastDialEnd = max(lastDialEnd, dialEnd)
				dialedCount++
				if dialedCount%dialProgressStep == 0 {
					r.logf("connect storm: %d of %d sockets open", dialedCount, r.opts.Sockets)
				}
				progress.Unlock()
			}
		}()
	}
	if r.opts.DialSpread > 0 {
		feedIndexesEvenly(ctx, indexes, r.opts.Sockets, r.opts.DialSpread)
	} else {
		feedIndexes(ctx, indexes, r.opts.Sockets)
	}
	workers.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return lastDialEnd, ctx.Err()
}

// dial opens socket i as user i mod Users in room i mod Rooms, on
// instance i mod len(ends), with that user's cookie and the instance's own
// Origin, as a browser tab would.
func (r *runner) dial(ctx context.Context, dialer *websocket.Dialer, i int, stallAtTarget bool) (*socket, error) {
	room := roomOf(i, r.opts.Rooms)
	at := place{user: i % r.opts.Users, room: room, expected: r.plan.expected[room]}
	ends := r.ends[i%len(r.ends)]
	header := http.Header{
		"Cookie": {r.cookies[at.user]},
		"Origin": {ends.origin},
	}
	conn, resp, err := dialer.DialContext(ctx, r.plan.socketURL(ends.ws, room), header)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial socket %d: %w (HTTP %d)", i, err, resp.StatusCode)
		}
		return nil, fmt.Errorf("dial socket %d: %w", i, err)
	}
	return newSocket(i, at, conn, stallAtTarget), nil
}

// broadcast sends Messages messages from one socket, one at a time, and
// times each until every reading socket of the sender's room has it.
func (r *runner) broadcast(ctx context.Context) error {
	sender := r.sockets[senderIndex]
	receivers := readersIn(r.sockets, sender.room)
	latencies := make([]time.Duration, 0, r.opts.Messages)
	var deliveries int64
	framesBefore := frameCounts(r.sockets)
	defer r.fleet.probe.Store(nil)
	for seq := 1; seq <= r.opts.Messages; seq++ {
		latency, arrivals, err := r.timeMessage(ctx, sender, seq, receivers)
		if err != nil {
			return fmt.Errorf("message %d of %d: %w", seq, r.opts.Messages, err)
		}
		latencies = append(latencies, latency)
		deliveries += arrivals
	}
	r.result.Broadcast = latencyResult(latencies, receivers)
	r.result.Broadcast.Deliveries = deliveries
	r.result.Broadcast.Frames = broadcastFrames(r.sockets, framesBefore, sender.room)
	r.logf("broadcast: p50 %.1f ms, p99 %.1f ms over %d messages to %d sockets; %d frames of them outside the room",
		r.result.Broadcast.P50Ms, r.result.Broadcast.P99Ms, len(latencies), receivers, r.fleet.foreign.Load())
	return nil
}

// broadcastPhase is the broadcast phase: one message at a time, or in
// rate mode at a steady rate.
func (r *runner) broadcastPhase() func(context.Context) error {
	if r.opts.Rate > 0 {
		return r.rateBroadcast
	}
	return r.broadcast
}

// readersIn counts the sockets of room that keep reading.
func readersIn(sockets []*socket, room int) int {
	readers := 0
	for _, s := range sockets {
		if s.room == room && !s.stallAtTarget {
			readers++
		}
	}
	return readers
}

// frameCounts returns how many frames each socket has received so far.
func frameCounts(sockets []*socket) []int64 {
	counts := make([]int64, len(sockets))
	for i, s := range sockets {
		counts[i] = s.frames.Load()
	}
	return counts
}

// broadcastFrames sums up the frames the reading sockets received since
// before, per socket, in room and in the other rooms.
func broadcastFrames(sockets []*socket, before []int64, room int) FramesPerSocket {
	var inRoom, elsewhere, inRoomSockets, elsewhereSockets int64
	var result FramesPerSocket
	for i, s := range sockets {
		if s.stallAtTarget {
			continue
		}
		frames := s.frames.Load() - before[i]
		if s.room == room {
			inRoom += frames
			inRoomSockets++
			continue
		}
		elsewhere += frames
		elsewhereSockets++
		result.ElsewhereMax = max(result.ElsewhereMax, frames)
	}
	result.InRoomAvg = average(inRoom, inRoomSockets)
	result.ElsewhereAvg = average(elsewhere, elsewhereSockets)
	return result
}

// average is total/count to three decimals, 0 when count is 0.
func average(total, count int64) float64 {
	if count == 0 {
		return 0
	}
	return roundTo(float64(total)/float64(count), 1e3)
}

// timeMessage sends message seq, waits until receivers sockets have it,
// and returns its latency and how many sockets received it.
func (r *runner) timeMessage(ctx context.Context, sender *socket, seq, receivers int) (time.Duration, int64, error) {
	token := fmt.Sprintf(messageTokenPrefix+messageTokenSuffix, r.opts.RunID, seq)
	payload, err := chatPayload(messageTextPrefix + token)
	if err != nil {
		return 0, 0, err
	}
	p := newProbe(int64(seq), token, receivers)
	r.fleet.probe.Store(p)
	sentAt := r.fleet.now()
	if err := sender.send(payload); err != nil {
		return 0, 0, err
	}
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		select {
		case <-p.done:
			return time.Duration(p.arrivedAt.Load() - sentAt), p.arrivals.Load(), nil
		case <-ctx.Done():
			return 0, 0, fmt.Errorf("%w; %d of %d sockets never got it (is MESSAGE_RATE_LIMIT=0?)",
				ctx.Err(), p.remaining.Load(), receivers)
		case <-ticker.C:
			if err := r.fleet.err(); err != nil {
				return 0, 0, err
			}
		}
	}
}

// chatPayload is what htmx's ws-send sends for the chat form.
func chatPayload(text string) ([]byte, error) {
	payload, err := json.Marshal(struct {
		Message string            `json:"message"`
		Headers map[string]string `json:"HEADERS"`
	}{text, map[string]string{"HX-Request": "true"}})
	if err != nil {
		return nil, fmt.Errorf("encode chat message: %w", err)
	}
	return payload, nil
}

// leaveStorm closes every socket but the survivor and waits until it
// shows "1 user online": its user has no other socket left.
func (r *runner) leaveStorm(ctx context.Context) error {
	// The first socket, or after a rate run that had the server drop
	// sockets, the first one still open.
	survivor := -1
	for i, s := range r.sockets {
		if !s.closedByServer.Load() {
			survivor = i
			break
		}
	}
	if survivor < 0 {
		return errors.New("every socket was closed by the server: nobody is left to see the count")
	}
	leaving := make([]*socket, 0, len(r.sockets)-1)
	for i, s := range r.sockets {
		if i != survivor {
			leaving = append(leaving, s)
		}
	}
	survivorSocket := r.sockets[survivor]
	payloadBefore, noticesBefore := byteCounts(r.sockets)
	start := r.fleet.now()
	closeSockets(leaving)
	closed := r.fleet.now()
	r.logf("leave storm: %d sockets closed in %.3f s; waiting for the survivor to show 1", len(leaving), seconds(closed-start))
	if err := r.waitUntil(ctx, func() bool { return survivorSocket.count.Load() == 1 }); err != nil {
		return fmt.Errorf("wait for count 1: %w; the survivor shows %d", err, survivorSocket.count.Load())
	}
	converged := max(0, survivorSocket.countChangedAt.Load()-start)
	payloadAfter, noticesAfter := byteCounts(r.sockets)
	r.result.Leave = LeaveResult{
		Closed:          len(leaving),
		SurvivorCount:   int(survivorSocket.count.Load()),
		CloseSeconds:    seconds(closed - start),
		ConvergeSeconds: seconds(converged),
		PayloadBytes:    payloadAfter - payloadBefore,
		NoticeBytes:     noticesAfter - noticesBefore,
	}
	stormPresence := float64(r.result.Storm.PayloadBytes - r.result.Storm.NoticeBytes)
	leavePresence := float64(r.result.Leave.PayloadBytes - r.result.Leave.NoticeBytes)
	r.result.Leave.StormAndLeavePresenceBytesPerSocket = roundTo((stormPresence+leavePresence)/float64(r.opts.Sockets), 10)
	r.logf("leave storm: the survivor shows 1 after %.3f s", r.result.Leave.ConvergeSeconds)
	return nil
}

// waitUntil polls done until it holds, a reader fails or ctx ends.
func (r *runner) waitUntil(ctx context.Context, done func() bool) error {
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		if err := r.fleet.err(); err != nil {
			return err
		}
		if done() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}

// byteCounts sums what the sockets received so far: payload, and the
// notices among it.
func byteCounts(sockets []*socket) (payload, notices int64) {
	for _, s := range sockets {
		if s != nil {
			payload += s.payloadBytes.Load()
			notices += s.noticeBytes.Load()
		}
	}
	return payload, notices
}

// closeSockets closes the non-nil sockets, closeConcurrency at a time.
func closeSockets(sockets []*socket) {
	indexes := make(chan int)
	var workers sync.WaitGroup
	for range min(closeConcurrency, len(sockets)) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for i := range indexes {
				if s := sockets[i]; s != nil {
					s.close()
				}
			}
		}()
	}
	feedIndexes(context.Background(), indexes, len(sockets))
	workers.Wait()
}

// stalledIndexes picks round(n*percent/100) sockets spread evenly over
// 1..n-1; socket 0 sends the messages and survives the leave storm.
func stalledIndexes(n int, percent float64) map[int]bool {
	count := min(int(math.Round(float64(n)*percent/100)), n-1)
	stalled := make(map[int]bool, count)
	for k := range count {
		stalled[1+k*(n-1)/count] = true
	}
	return stalled
}

// allShowExpected reports whether every socket shows its room's count.
func allShowExpected(sockets []*socket) bool {
	for _, s := range sockets {
		if s.count.Load() != s.expected {
			return false
		}
	}
	return true
}

// countShowingExpected counts the sockets that show their room's count.
func countShowingExpected(sockets []*socket) int {
	showing := 0
	for _, s := range sockets {
		if s != nil && s.count.Load() == s.expected {
			showing++
		}
	}
	return showing
}

// countSummary describes how far the sockets are from showing their
// rooms' counts, naming the first one that does not.
func countSummary(sockets []*socket) string {
	lowest, highest := int64(math.MaxInt64), int64(math.MinInt64)
	var first *socket
	for _, s := range sockets {
		if s == nil {
			continue
		}
		count := s.count.Load()
		lowest, highest = min(lowest, count), max(highest, count)
		if first == nil && count != s.expected {
			first = s
		}
	}
	summary := fmt.Sprintf("%d of %d sockets show their room's count, counts seen %d..%d (-1: none yet)",
		countShowingExpected(sockets), len(sockets), lowest, highest)
	if first != nil {
		summary += fmt.Sprintf("; socket %d (room %d) shows %d, want %d",
			first.index, first.room, first.count.Load(), first.expected)
	}
	return summary
}

// stormResult totals what the sockets received during the storm.
func stormResult(sockets []*socket, dialSeconds, convergeSeconds float64) StormResult {
	result := StormResult{
		SocketsShowingExpected:       countShowingExpected(sockets),
		DialSeconds:                  dialSeconds,
		ConvergeSeconds:              convergeSeconds,
		ConvergeAfterLastDialSeconds: roundTo(convergeSeconds-dialSeconds, 1e6),
	}
	var presenceTotal, presenceBytes int64
	for _, s := range sockets {
		result.Frames += s.frames.Load()
		result.PayloadBytes += s.payloadBytes.Load()
		result.NoticeBytes += s.noticeBytes.Load()
		presence := s.presenceFrames.Load()
		presenceTotal += presence
		result.PresenceFramesMax = max(result.PresenceFramesMax, presence)
		b := s.payloadBytes.Load() - s.noticeBytes.Load()
		presenceBytes += b
		result.PresenceBytesMax = max(result.PresenceBytesMax, b)
	}
	result.PresenceFramesAvg = roundTo(float64(presenceTotal)/float64(len(sockets)), 1e3)
	result.PresenceBytesAvg = roundTo(float64(presenceBytes)/float64(len(sockets)), 10)
	return result
}

// latencyResult computes nearest-rank percentiles of the latencies.
func latencyResult(latencies []time.Duration, receivers int) BroadcastResult {
	result := BroadcastResult{Messages: len(latencies), Receivers: receivers}
	if len(latencies) == 0 {
		return result
	}
	sorted := append([]time.Duration(nil), latencies...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	var total time.Duration
	for _, l := range sorted {
		total += l
	}
	result.P50Ms = milliseconds(percentile(sorted, 0.50))
	result.P99Ms = milliseconds(percentile(sorted, 0.99))
	result.MaxMs = milliseconds(sorted[len(sorted)-1])
	result.MeanMs = milliseconds(total / time.Duration(len(sorted)))
	return result
}

// percentile returns the nearest-rank p-quantile of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

// seconds converts fleet-clock nanoseconds to seconds, to the microsecond.
func seconds(nanos int64) float64 { return roundTo(time.Duration(nanos).Seconds(), 1e6) }

// milliseconds converts d to milliseconds, to the microsecond.
func milliseconds(d time.Duration) float64 { return roundTo(float64(d)/float64(time.Millisecond), 1e3) }

// roundTo rounds x to 1/perUnit: JSON shows 0.012345, not 0.012344999999.
func roundTo(x, perUnit float64) float64 { return math.Round(x*perUnit) / perUnit }
