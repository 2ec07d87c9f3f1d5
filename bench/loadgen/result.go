package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// Result holds every number of one run. Durations are seconds, latencies
// milliseconds, sizes bytes.
type Result struct {
	URL             string  `json:"url"`       // comma-separated with several instances
	Instances       int     `json:"instances"` // URLs the sockets were spread over
	RunID           string  `json:"run_id"`
	Users           int     `json:"users"`
	Sockets         int     `json:"sockets"`
	Rooms           int     `json:"rooms"` // 1: every socket in general
	StalledSockets  int     `json:"stalled_sockets"`
	DialConcurrency int     `json:"dial_concurrency"`
	StalledPercent  float64 `json:"stalled_percent"`

	SignIn    SignInResult    `json:"sign_in"`
	RoomSetup RoomSetupResult `json:"room_setup"`
	Storm     StormResult     `json:"storm"`
	Broadcast BroadcastResult `json:"broadcast"`
	Rate      *RateResult     `json:"rate,omitempty"`    // rate mode only, instead of the broadcast
	Trickle   *TrickleResult  `json:"trickle,omitempty"` // with -trickle only
	Leave     LeaveResult     `json:"leave"`

	Server *Resources `json:"server,omitempty"` // with -pid only; the sum over several PIDs
	// Servers has each process's own figures when -pid named several.
	Servers []Resources `json:"servers,omitempty"`
	Loadgen Resources   `json:"loadgen"` // the generator itself, which shares the machine
}

// SignInResult describes signing in the users.
type SignInResult struct {
	Seconds    float64 `json:"seconds"`
	Registered int     `json:"registered"`
	LoggedIn   int     `json:"logged_in"` // names already taken by an earlier run with the same run ID
}

// RoomSetupResult describes creating the rooms: nothing with one room.
type RoomSetupResult struct {
	Seconds float64 `json:"seconds"`
	Created int     `json:"created"`
	Existed int     `json:"existed"` // names already taken by an earlier run with the same run ID
}

// StormResult describes the connect storm: every socket dialled, until
// each shows the final count of its room: the number of distinct users
// among the room's sockets.
type StormResult struct {
	// ExpectedCount is the largest count a room must show; with one room,
	// the count every socket must show.
	ExpectedCount int `json:"expected_count"`
	// ExpectedCountMin is the smallest: ExpectedCount unless the rooms
	// hold different numbers of users.
	ExpectedCountMin int `json:"expected_count_min"`
	// SocketsShowingExpected is how many sockets showed their room's count
	// when the storm ended: all of them, or the run fails.
	SocketsShowingExpected int `json:"sockets_showing_expected"`
	// DialSeconds runs from the first dial's start to the last dial's end.
	DialSeconds float64 `json:"dial_seconds"`
	// ConvergeSeconds runs from the first dial's start until the last
	// socket showed its room's count.
	ConvergeSeconds float64 `json:"converge_seconds"`
	// ConvergeAfterLastDialSeconds is ConvergeSeconds minus DialSeconds.
	ConvergeAfterLastDialSeconds float64 `json:"converge_after_last_dial_seconds"`
	Frames                       int64   `json:"frames"`
	PayloadBytes                 int64   `json:"payload_bytes"`
	PresenceFramesMax            int64   `json:"presence_frames_max"` // per socket
	PresenceFramesAvg            float64 `json:"presence_frames_avg"` // per socket
	// NoticeBytes are the join notices among PayloadBytes; the rest is
	// presence (nothing else is sent in a storm), per socket:
	PresenceBytesAvg float64 `json:"presence_bytes_avg"`
	PresenceBytesMax int64   `json:"presence_bytes_max"`
	NoticeBytes      int64   `json:"notice_bytes"`
}

// BroadcastResult describes the messages sent by one socket, each timed
// from its send until every reading socket of its room had it.
type BroadcastResult struct {
	Messages int `json:"messages"`
	// Receivers is the number of sockets each message must reach: the
	// sender's room's sockets that still read (all but the stalled ones).
	Receivers int `json:"receivers"`
	// Deliveries counts (message, socket) arrivals in the sender's room:
	// Messages * Receivers.
	Deliveries int64 `json:"deliveries"`
	// ForeignDeliveries counts frames with one of the run's messages that
	// sockets of other rooms received, until the end of the run: 0, or
	// messages leak out of their room.
	ForeignDeliveries int64           `json:"foreign_deliveries"`
	Frames            FramesPerSocket `json:"frames_per_socket"`
	P50Ms             float64         `json:"p50_ms"`
	P99Ms             float64         `json:"p99_ms"`
	MaxMs             float64         `json:"max_ms"`
	MeanMs            float64         `json:"mean_ms"`
}

// RateResult describes rate mode: Senders sockets sent Rate messages a
// second between them; every delivery (message, reading socket) is timed
// from its send to its receipt.
type RateResult struct {
	Rate            float64 `json:"rate"` // messages a second asked for
	Senders         int     `json:"senders"`
	DurationSeconds float64 `json:"duration_seconds"` // asked for
	SendSeconds     float64 `json:"send_seconds"`     // from the first send's due time to the last send
	SendLagMaxMs    float64 `json:"send_lag_max_ms"`  // how far the senders fell behind their schedule
	Messages        int     `json:"messages"`         // sent
	// Unsent counts messages never sent because the server had closed
	// their sender's socket; their deliveries count as lost.
	Unsent    int   `json:"unsent"`
	Receivers int   `json:"receivers"` // reading sockets of the senders' room, senders included
	Expected  int64 `json:"expected"`  // (Messages + Unsent) * Receivers
	Delivered int64 `json:"delivered"`
	// Lost is Expected - Delivered: deliveries that had not arrived when
	// the drain time after the last send ran out, or never will (a socket
	// the server closed).
	Lost           int64 `json:"lost"`
	ClosedByServer int   `json:"closed_by_server"`
	// UnknownTokens counts tokens received that name no message sent: 0.
	UnknownTokens      int64   `json:"unknown_tokens"`
	FramesPerSocketAvg float64 `json:"frames_per_socket_avg"` // websocket messages per reading socket
	P50Ms              float64 `json:"p50_ms"`
	P99Ms              float64 `json:"p99_ms"`
	MaxMs              float64 `json:"max_ms"`
	MeanMs             float64 `json:"mean_ms"`
}

// FramesPerSocket counts the frames a reading socket received during the
// broadcast, in the sender's room and in the other rooms.
type FramesPerSocket struct {
	InRoomAvg    float64 `json:"in_room_avg"`
	ElsewhereAvg float64 `json:"elsewhere_avg"` // 0 with one room
	ElsewhereMax int64   `json:"elsewhere_max"`
}

// LeaveResult describes the leave storm: every socket but one closed.
type LeaveResult struct {
	Closed int `json:"closed"`
	// SurvivorCount is the count the remaining socket showed at the end: 1.
	SurvivorCount int `json:"survivor_count"`
	// CloseSeconds is how long closing them took on the generator's side.
	CloseSeconds float64 `json:"close_seconds"`
	// ConvergeSeconds runs from the first close until the survivor showed
	// "1 user online".
	ConvergeSeconds float64 `json:"converge_seconds"`
	// PayloadBytes and NoticeBytes are what every socket received from the
	// first close on (the leaving ones until they closed).
	PayloadBytes int64 `json:"payload_bytes"`
	NoticeBytes  int64 `json:"notice_bytes"`
	// StormAndLeavePresenceBytesPerSocket is the presence (payload less
	// notices) of the connect storm and of the leave storm, per socket.
	StormAndLeavePresenceBytesPerSocket float64 `json:"storm_and_leave_presence_bytes_per_socket"`
}

// TrickleResult describes the trickle: once every socket shows the
// storm's count, Arrivals more people arrive one at a time, every
// EverySeconds, each with one socket.
type TrickleResult struct {
	Arrivals     int     `json:"arrivals"`
	EverySeconds float64 `json:"every_seconds"`
	// ConvergeAfterLastSeconds runs from the last arrival's dial until
	// every socket showed the final count.
	ConvergeAfterLastSeconds float64 `json:"converge_after_last_seconds"`
	// Per socket that was there before the trickle, per arrival: the
	// presence bytes (payload less notices) and the notice bytes received.
	PresenceBytesPerArrival float64 `json:"presence_bytes_per_arrival"`
	NoticeBytesPerArrival   float64 `json:"notice_bytes_per_arrival"`
	// CountElementBytes is the length of the #num-users element alone, as
	// the server last sent it; PresenceBytesPerArrival / CountElementBytes
	// is how many counts' worth each arrival cost.
	CountElementBytes int64   `json:"count_element_bytes"`
	CountsPerArrival  float64 `json:"counts_per_arrival"`
}

// Resources are a process's CPU seconds per phase and its memory at the
// end of each phase.
type Resources struct {
	PID               int          `json:"pid"`
	CPUSeconds        PhaseNumbers `json:"cpu_seconds"`
	RSSBytes          RSSSamples   `json:"rss_bytes"`
	PeakRSSBytes      int64        `json:"peak_rss_bytes"`
	RSSPerSocketBytes float64      `json:"rss_per_socket_bytes"` // (RSS after the storm - before it) / sockets
}

// RSSSamples are a process's resident memory at the start and at the end
// of each phase.
type RSSSamples struct {
	Start          int64 `json:"start"`
	AfterSignIn    int64 `json:"after_sign_in"`
	AfterRooms     int64 `json:"after_rooms"` // before the storm
	AfterStorm     int64 `json:"after_storm"` // with every socket open
	AfterBroadcast int64 `json:"after_broadcast"`
	AfterLeave     int64 `json:"after_leave"`
}

// PhaseNumbers holds one figure per phase, and their total.
type PhaseNumbers struct {
	SignIn    float64 `json:"sign_in"`
	Rooms     float64 `json:"rooms"`
	Storm     float64 `json:"storm"`
	Broadcast float64 `json:"broadcast"`
	Leave     float64 `json:"leave"`
	Total     float64 `json:"total"`
}

// writeJSON writes r as one JSON line.
func writeJSON(w io.Writer, r Result) error {
	if err := json.NewEncoder(w).Encode(r); err != nil {
		return fmt.Errorf("write JSON result: %w", err)
	}
	return nil
}

// writeTable writes r as a readable summary table.
func writeTable(w io.Writer, r Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(phase, metric, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", phase, metric, fmt.Sprintf(format, args...))
	}
	row("run", "url", "%s (run %s)", r.URL, r.RunID)
	row("", "users / sockets / rooms", "%d / %d / %d (%d stalled, dial concurrency %d)",
		r.Users, r.Sockets, r.Rooms, r.StalledSockets, r.DialConcurrency)
	row("sign-in", "time", "%.2f s (%d registered, %d signed in)", r.SignIn.Seconds, r.SignIn.Registered, r.SignIn.LoggedIn)
	if r.Rooms > 1 {
		row("rooms", "time", "%.2f s (%d created, %d there already)", r.RoomSetup.Seconds, r.RoomSetup.Created, r.RoomSetup.Existed)
	}
	row("storm", "dial", "%.2f s", r.Storm.DialSeconds)
	row("", "all show final count", "%.3f s after first dial, %.3f s after last dial (%d sockets show their room's: %s)",
		r.Storm.ConvergeSeconds, r.Storm.ConvergeAfterLastDialSeconds, r.Storm.SocketsShowingExpected,
		describeRange(r.Storm.ExpectedCountMin, r.Storm.ExpectedCount))
	row("", "frames / payload received", "%d / %s", r.Storm.Frames, formatBytes(float64(r.Storm.PayloadBytes)))
	row("", "presence bytes per socket", "avg %s, max %s (notices apart: %s in all)",
		formatBytes(r.Storm.PresenceBytesAvg), formatBytes(float64(r.Storm.PresenceBytesMax)), formatBytes(float64(r.Storm.NoticeBytes)))
	row("", "presence frames per socket", "max %d, avg %.1f", r.Storm.PresenceFramesMax, r.Storm.PresenceFramesAvg)
	if rr := r.Rate; rr != nil {
		row("rate", "sent", "%d messages by %d senders in %.2f s (%.1f/s asked; senders at most %.1f ms late)",
			rr.Messages, rr.Senders, rr.SendSeconds, rr.Rate, rr.SendLagMaxMs)
		row("", "latency", "p50 %.1f ms, p99 %.1f ms, max %.1f ms, mean %.1f ms (%d deliveries to %d sockets)",
			rr.P50Ms, rr.P99Ms, rr.MaxMs, rr.MeanMs, rr.Delivered, rr.Receivers)
		row("", "lost", "%d of %d deliveries (%d sockets closed by the server); %.1f frames per socket",
			rr.Lost, rr.Expected, rr.ClosedByServer, rr.FramesPerSocketAvg)
	} else {
		row("broadcast", "latency", "p50 %.1f ms, p99 %.1f ms, max %.1f ms, mean %.1f ms (%d messages to %d sockets)",
			r.Broadcast.P50Ms, r.Broadcast.P99Ms, r.Broadcast.MaxMs, r.Broadcast.MeanMs, r.Broadcast.Messages, r.Broadcast.Receivers)
	}
	if r.Rooms > 1 {
		row("", "outside the sender's room", "%d message frames received; frames per socket avg %.1f (max %d), in the room avg %.1f",
			r.Broadcast.ForeignDeliveries, r.Broadcast.Frames.ElsewhereAvg, r.Broadcast.Frames.ElsewhereMax, r.Broadcast.Frames.InRoomAvg)
	}
	if t := r.Trickle; t != nil {
		row("trickle", "arrivals", "%d, one every %.3f s; all show the count %.3f s after the last", t.Arrivals, t.EverySeconds, t.ConvergeAfterLastSeconds)
		row("", "per socket per arrival", "%.1f B of presence (%.2f count elements of %d B), %.1f B of notices",
			t.PresenceBytesPerArrival, t.CountsPerArrival, t.CountElementBytes, t.NoticeBytesPerArrival)
	}
	row("leave", "last socket shows 1", "%.3f s (%d closed in %.3f s; it shows %d)",
		r.Leave.ConvergeSeconds, r.Leave.Closed, r.Leave.CloseSeconds, r.Leave.SurvivorCount)
	row("", "payload received", "%s (notices %s); storm and leave presence per socket %s",
		formatBytes(float64(r.Leave.PayloadBytes)), formatBytes(float64(r.Leave.NoticeBytes)), formatBytes(r.Leave.StormAndLeavePresenceBytesPerSocket))
	if r.Server != nil {
		who := "server"
		if len(r.Servers) > 0 {
			who = "servers, together"
		}
		writeResources(row, who, *r.Server)
	}
	for i, s := range r.Servers {
		writeResources(row, fmt.Sprintf("server %d", i+1), s)
	}
	writeResources(row, "loadgen", r.Loadgen)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

func writeResources(row func(phase, metric, format string, args ...any), who string, res Resources) {
	cpu := res.CPUSeconds
	row(who, "CPU seconds", "sign-in %.2f, rooms %.2f, storm %.2f, broadcast %.2f, leave %.2f, total %.2f (pid %d)",
		cpu.SignIn, cpu.Rooms, cpu.Storm, cpu.Broadcast, cpu.Leave, cpu.Total, res.PID)
	rss := res.RSSBytes
	row("", "RSS", "start %s, after sign-in %s, storm %s, broadcast %s, leave %s; peak %s",
		formatBytes(float64(rss.Start)), formatBytes(float64(rss.AfterSignIn)), formatBytes(float64(rss.AfterStorm)),
		formatBytes(float64(rss.AfterBroadcast)), formatBytes(float64(rss.AfterLeave)), formatBytes(float64(res.PeakRSSBytes)))
	row("", "RSS per socket", "%s", formatBytes(res.RSSPerSocketBytes))
}

// formatBytes renders a size in B, KiB or MiB.
func formatBytes(n float64) string {
	switch {
	case n >= 1<<20 || n <= -(1<<20):
		return fmt.Sprintf("%.1f MiB", n/(1<<20))
	case n >= 1<<10 || n <= -(1<<10):
		return fmt.Sprintf("%.1f KiB", n/(1<<10))
	default:
		return fmt.Sprintf("%.0f B", n)
	}
}
