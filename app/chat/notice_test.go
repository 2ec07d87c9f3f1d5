package chat

import (
	"testing"
	"time"
)

func TestNoticeString(t *testing.T) {
	tests := []struct {
		notice Notice
		want   string
	}{
		{Notice{Joined: true, Names: []string{"ann"}}, "ann joined the chat"},
		{Notice{Joined: false, Names: []string{"ann"}}, "ann left the chat"},
		{Notice{Joined: true, Names: []string{"ann", "bo"}}, "ann and bo joined the chat"},
		{Notice{Joined: true, Names: []string{"ann", "bo", "cy"}}, "ann, bo and cy joined the chat"},
		{Notice{Joined: false, Names: []string{"ann", "bo", "cy"}, Others: 1}, "ann, bo, cy and 1 other left the chat"},
		{Notice{Joined: true, Names: []string{"ann", "bo", "cy"}, Others: 97}, "ann, bo, cy and 97 others joined the chat"},
	}
	for _, tt := range tests {
		if got := tt.notice.String(); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.notice, got, tt.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	join := func(n string) presenceEvent { return presenceEvent{name: n, joined: true} }
	leave := func(n string) presenceEvent { return presenceEvent{name: n, joined: false} }
	many := func(n int, e func(string) presenceEvent) []presenceEvent {
		var es []presenceEvent
		for i := range n {
			es = append(es, e(string(rune('a'+i%26))))
		}
		return es
	}
	alternating := []presenceEvent{}
	for range 5 {
		alternating = append(alternating, join("j"), leave("l"))
	}
	tests := []struct {
		name   string
		events []presenceEvent
		want   []string
	}{
		{"one arrival", []presenceEvent{join("ann")}, []string{"ann joined the chat"}},
		{"arrival then departure", []presenceEvent{join("ann"), leave("bo")}, []string{"ann joined the chat", "bo left the chat"}},
		{"a burst of arrivals", many(100, join), []string{"a, b, c and 97 others joined the chat"}},
		{"churn is summed up per kind", alternating, []string{"j, j, j and 2 others joined the chat", "l, l, l and 2 others left the chat"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := summarize(tt.events, time.Now())
			var got []string
			for _, n := range ns {
				got = append(got, n.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("notice %d: got %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}
