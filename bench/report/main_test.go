package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		notWant []string
	}{
		{
			name: "floor and Parley side by side",
			in: `{"target":"floor","users":10,"sockets":10,"storm":{"dial_seconds":1},"broadcast":{"p99_ms":10,"receivers":10},"server":{"rss_per_socket_bytes":20480}}
{"target":"parley","users":10,"sockets":10,"rooms":1,"storm":{"dial_seconds":2},"broadcast":{"p99_ms":12.5,"receivers":10},"server":{"rss_per_socket_bytes":30720}}
`,
			want: []string{
				"### 10 sockets, 10 users, 0 stalled, 1 room\n",
				"| measure | floor | Parley | Parley / floor |",
				"| broadcast p99 | 10 ms | 12.5 ms | 1.25 |",
				"| RSS per socket | 20 KiB | 30 KiB | 1.50 |",
				"| dial time | 1 s | 2 s | 2.00 |",
				"| receivers per message | 10 | 10 | 1.00 |",
			},
		},
		{
			name: "Parley alone with rooms",
			in: `{"target":"parley","users":100,"sockets":100,"rooms":10,"storm":{"dial_seconds":2},"broadcast":{"p99_ms":3,"receivers":10,"foreign_deliveries":0}}
`,
			want: []string{
				"### 100 sockets, 100 users, 0 stalled, 10 rooms\n",
				"| measure | Parley |",
				"| broadcast p99 | 3 ms |",
				"| receivers per message | 10 |",
				"| message frames outside the sender's room | 0 |",
			},
			notWant: []string{"floor"},
		},
		{
			name: "one room and several rooms are separate cases",
			in: `{"target":"parley","users":100,"sockets":100,"rooms":1,"broadcast":{"receivers":100}}
{"target":"parley","users":100,"sockets":100,"rooms":10,"broadcast":{"receivers":10}}
`,
			want: []string{
				"### 100 sockets, 100 users, 0 stalled, 1 room\n",
				"### 100 sockets, 100 users, 0 stalled, 10 rooms\n",
				"| receivers per message | 100 |",
				"| receivers per message | 10 |",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := report(strings.NewReader(tt.in), &out); err != nil {
				t.Fatalf("report: %v", err)
			}
			got := out.String()
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("report lacks %q; got:\n%s", want, got)
				}
			}
			for _, notWant := range tt.notWant {
				if strings.Contains(got, notWant) {
					t.Errorf("report has %q; got:\n%s", notWant, got)
				}
			}
		})
	}
}

func TestReportRefusesMalformedLines(t *testing.T) {
	var out bytes.Buffer
	if err := report(strings.NewReader("not json\n"), &out); err == nil {
		t.Errorf("report of a malformed line: err = nil, want an error")
	}
}
