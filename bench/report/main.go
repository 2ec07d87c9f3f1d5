// Command report turns the JSON lines of bench/matrix.sh into the Markdown
// tables of BENCHMARKS.md: for each case, the floor and Parley side by side
// and Parley's ratio to the floor, or Parley alone for a case the floor did
// not run (several rooms: the floor has one).
//
//	go run ./bench/report < /tmp/parley-bench.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// run is the part of one load generator result the report shows.
type run struct {
	Target  string `json:"target"`
	Users   int    `json:"users"`
	Sockets int    `json:"sockets"`
	Stalled int    `json:"stalled_sockets"`
	Rooms   int    `json:"rooms"` // absent before rooms: 1
	Storm   struct {
		Dial            float64 `json:"dial_seconds"`
		AfterLastDial   float64 `json:"converge_after_last_dial_seconds"`
		Frames          int     `json:"frames"`
		PresenceMax     int     `json:"presence_frames_max"`
		PresenceAverage float64 `json:"presence_frames_avg"`
	} `json:"storm"`
	Broadcast struct {
		Messages  int     `json:"messages"`
		Receivers int     `json:"receivers"`
		Foreign   int     `json:"foreign_deliveries"`
		P50       float64 `json:"p50_ms"`
		P99       float64 `json:"p99_ms"`
		Max       float64 `json:"max_ms"`
	} `json:"broadcast"`
	Leave struct {
		Converge float64 `json:"converge_seconds"`
	} `json:"leave"`
	Server struct {
		CPU struct {
			Storm     float64 `json:"storm"`
			Broadcast float64 `json:"broadcast"`
		} `json:"cpu_seconds"`
		PerSocket int `json:"rss_per_socket_bytes"`
	} `json:"server"`
}

// key identifies a case of the matrix.
type key struct{ sockets, users, stalled, rooms int }

// measure is one row of a case's table.
type measure struct {
	name, unit string
	format     string // of the value; "%.3g" unless set
	value      func(run) float64
}

// measures are the rows of every case's table, in order.
var measures = []measure{
	{name: "dial time", unit: "s", value: func(r run) float64 { return r.Storm.Dial }},
	{name: "all show final count, after last dial", unit: "s", value: func(r run) float64 { return r.Storm.AfterLastDial }},
	{name: "server CPU, connect storm", unit: "s", value: func(r run) float64 { return r.Server.CPU.Storm }},
	{name: "presence frames per socket, max", value: func(r run) float64 { return float64(r.Storm.PresenceMax) }},
	{name: "presence frames per socket, average", value: func(r run) float64 { return r.Storm.PresenceAverage }},
	{name: "frames received in the storm, all sockets", value: func(r run) float64 { return float64(r.Storm.Frames) }},
	{name: "receivers per message", format: "%.0f", value: func(r run) float64 { return float64(r.Broadcast.Receivers) }},
	{name: "broadcast p50", unit: "ms", value: func(r run) float64 { return r.Broadcast.P50 }},
	{name: "broadcast p99", unit: "ms", value: func(r run) float64 { return r.Broadcast.P99 }},
	{name: "broadcast max", unit: "ms", value: func(r run) float64 { return r.Broadcast.Max }},
	{name: "message frames outside the sender's room", format: "%.0f", value: func(r run) float64 { return float64(r.Broadcast.Foreign) }},
	{name: "server CPU, broadcast", unit: "s", value: func(r run) float64 { return r.Server.CPU.Broadcast }},
	{name: "leave storm: last socket shows 1", unit: "s", value: func(r run) float64 { return r.Leave.Converge }},
	{name: "RSS per socket", unit: "KiB", value: func(r run) float64 { return float64(r.Server.PerSocket) / 1024 }},
}

func main() {
	if err := report(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// report reads JSON lines from in and writes one table per case to out.
func report(in io.Reader, out io.Writer) error {
	runs, order, err := readRuns(in)
	if err != nil {
		return err
	}
	for _, k := range order {
		writeCase(out, k, runs[k])
	}
	return nil
}

// readRuns groups the results by case, in the order the cases first
// appear; a later run of the same case and target replaces an earlier one.
func readRuns(in io.Reader) (map[key]map[string]run, []key, error) {
	runs := map[key]map[string]run{}
	var order []key
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r run
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, nil, fmt.Errorf("parse line: %w", err)
		}
		k := key{r.Sockets, r.Users, r.Stalled, max(r.Rooms, 1)}
		if runs[k] == nil {
			runs[k] = map[string]run{}
			order = append(order, k)
		}
		runs[k][r.Target] = r
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("read results: %w", err)
	}
	return runs, order, nil
}

// writeCase writes one case's table: the floor, Parley and their ratio,
// or Parley alone when the case has no floor run (the floor has no rooms).
func writeCase(out io.Writer, k key, targets map[string]run) {
	fmt.Fprintf(out, "\n### %d sockets, %d users, %d stalled, %s\n\n", k.sockets, k.users, k.stalled, plural(k.rooms, "room"))
	f, withFloor := targets["floor"]
	p := targets["parley"]
	if !withFloor {
		fmt.Fprintln(out, "| measure | Parley |")
		fmt.Fprintln(out, "|---|---|")
		for _, m := range measures {
			fmt.Fprintf(out, "| %s | %s |\n", m.name, m.show(p))
		}
		return
	}
	fmt.Fprintln(out, "| measure | floor | Parley | Parley / floor |")
	fmt.Fprintln(out, "|---|---|---|---|")
	for _, m := range measures {
		ratio := "–"
		if fv := m.value(f); fv > 0 {
			ratio = fmt.Sprintf("%.2f", m.value(p)/fv)
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s |\n", m.name, m.show(f), m.show(p), ratio)
	}
}

// show renders the measure of r with its unit.
func (m measure) show(r run) string {
	format := m.format
	if format == "" {
		format = "%.3g"
	}
	return strings.TrimSpace(fmt.Sprintf(format+" %s", m.value(r), m.unit))
}

// plural renders "1 room" or "n rooms".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
