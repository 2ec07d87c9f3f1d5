// Command report turns the JSON lines of bench/matrix.sh into the Markdown
// tables of BENCHMARKS.md: for each case, the floor and Parley side by side
// and Parley's ratio to the floor.
//
//	go run ./bench/report < /tmp/parley-bench.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// run is the part of one load generator result the report shows.
type run struct {
	Target  string `json:"target"`
	Users   int    `json:"users"`
	Sockets int    `json:"sockets"`
	Stalled int    `json:"stalled_sockets"`
	Storm   struct {
		Dial            float64 `json:"dial_seconds"`
		AfterLastDial   float64 `json:"converge_after_last_dial_seconds"`
		Frames          int     `json:"frames"`
		PresenceMax     int     `json:"presence_frames_max"`
		PresenceAverage float64 `json:"presence_frames_avg"`
	} `json:"storm"`
	Broadcast struct {
		Messages int     `json:"messages"`
		P50      float64 `json:"p50_ms"`
		P99      float64 `json:"p99_ms"`
		Max      float64 `json:"max_ms"`
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

type key struct{ sockets, users, stalled int }

func main() {
	if err := report(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func report(in io.Reader, out io.Writer) error {
	runs := map[key]map[string]run{}
	var order []key
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r run
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("parse line: %w", err)
		}
		k := key{r.Sockets, r.Users, r.Stalled}
		if runs[k] == nil {
			runs[k] = map[string]run{}
			order = append(order, k)
		}
		runs[k][r.Target] = r // a later run of the same case replaces an earlier one
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for _, k := range order {
		f, p := runs[k]["floor"], runs[k]["parley"]
		fmt.Fprintf(out, "\n### %d sockets, %d users, %d stalled\n\n", k.sockets, k.users, k.stalled)
		fmt.Fprintln(out, "| measure | floor | Parley | Parley / floor |")
		fmt.Fprintln(out, "|---|---|---|---|")
		row := func(name, unit string, fv, pv float64) {
			ratio := "–"
			if fv > 0 {
				ratio = fmt.Sprintf("%.2f", pv/fv)
			}
			fmt.Fprintf(out, "| %s | %.3g %s | %.3g %s | %s |\n", name, fv, unit, pv, unit, ratio)
		}
		row("dial time", "s", f.Storm.Dial, p.Storm.Dial)
		row("all show final count, after last dial", "s", f.Storm.AfterLastDial, p.Storm.AfterLastDial)
		row("server CPU, connect storm", "s", f.Server.CPU.Storm, p.Server.CPU.Storm)
		row("presence frames per socket, max", "", float64(f.Storm.PresenceMax), float64(p.Storm.PresenceMax))
		row("presence frames per socket, average", "", f.Storm.PresenceAverage, p.Storm.PresenceAverage)
		row("frames received in the storm, all sockets", "", float64(f.Storm.Frames), float64(p.Storm.Frames))
		row("broadcast p50", "ms", f.Broadcast.P50, p.Broadcast.P50)
		row("broadcast p99", "ms", f.Broadcast.P99, p.Broadcast.P99)
		row("broadcast max", "ms", f.Broadcast.Max, p.Broadcast.Max)
		row("server CPU, broadcast", "s", f.Server.CPU.Broadcast, p.Server.CPU.Broadcast)
		row("leave storm: last socket shows 1", "s", f.Leave.Converge, p.Leave.Converge)
		row("RSS per socket", "KiB", float64(f.Server.PerSocket)/1024, float64(p.Server.PerSocket)/1024)
	}
	return nil
}
