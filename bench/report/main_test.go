package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestReportPairsFloorAndParley(t *testing.T) {
	in := `{"target":"floor","users":10,"sockets":10,"storm":{"dial_seconds":1},"broadcast":{"p99_ms":10},"server":{"rss_per_socket_bytes":20480}}
{"target":"parley","users":10,"sockets":10,"storm":{"dial_seconds":2},"broadcast":{"p99_ms":12.5},"server":{"rss_per_socket_bytes":30720}}
`
	var out bytes.Buffer
	if err := report(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### 10 sockets, 10 users, 0 stalled", "| broadcast p99 | 10 ms | 12.5 ms | 1.25 |", "| RSS per socket | 20 KiB | 30 KiB | 1.50 |", "| dial time | 1 s | 2 s | 2.00 |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if err := report(strings.NewReader("not json\n"), &out); err == nil {
		t.Errorf("a malformed line gave no error")
	}
}
