package main

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseCount(t *testing.T) {
	tests := []struct {
		name  string
		frame string
		want  int
		found bool
	}{
		{"plain", `<span id="num-users" hx-swap-oob="true">1234 users online</span>`, 1234, true},
		{"singular", `<span id="num-users" hx-swap-oob="true">1 user online</span>`, 1, true},
		{"class before id", `<span class="online" id="num-users" hx-swap-oob="true">7 users online</span>`, 7, true},
		{"class after id", `<p id="num-users" class="online" hx-swap-oob="true"> 3 users online </p>`, 3, true},
		{"several fragments, last wins",
			`<span id="num-users" hx-swap-oob="true">2 users online</span>` +
				`<div hx-swap-oob="beforeend:#messages"><p>x</p></div>` +
				`<span id="num-users" hx-swap-oob="true">5 users online</span>`, 5, true},
		{"after a message", `<div hx-swap-oob="beforeend:#messages"><article class="message" id="msg-1">hi</article></div>` +
			`<span id="num-users" hx-swap-oob="true">9 users online</span>`, 9, true},
		{"count and online list", `<span id="num-users" class="num-users" role="status" hx-swap-oob="true">10 users online</span>` +
			`<ul id="online-users" class="online-users" hx-swap-oob="true"><li id="online-1">lg-abc-0</li>` +
			`<li class="more">and 9 more</li></ul>`, 10, true},
		{"online list only", `<ul id="online-users" class="online-users" hx-swap-oob="true"><li>lg-abc-0</li></ul>`, 0, false},
		{"message only", `<div hx-swap-oob="beforeend:#messages"><article class="message" id="msg-42">12 users online</article></div>`, 0, false},
		{"marker twice in the tag", `<span id="num-users" class="num-users" hx-swap-oob="true">8 users online</span>`, 8, true},
		{"count after a later marker that is no count",
			`<span id="num-users" hx-swap-oob="true">6 users online</span><p class="num-users">x</p>`, 6, true},
		{"count after a long online list", presenceFrame(100, 9900), 10000, true},
		{"other id", `<span id="num-users-total">4 users online</span>`, 0, false},
		{"data-id is not id", `<span data-id="num-users">4 users online</span>`, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found := parseCount([]byte(tt.frame))
			if got != tt.want || found != tt.found {
				t.Errorf("parseCount(%q) = %d, %v; want %d, %v", tt.frame, got, found, tt.want, tt.found)
			}
		})
	}
}

// presenceFrame is a presence frame as Parley sends it: the count, then
// the online list with listed names and a line for the others.
func presenceFrame(listed, more int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<span id="num-users" class="num-users" role="status" hx-swap-oob="true">%d users online</span>`, listed+more)
	b.WriteString(`<ul id="online-users" class="online-users" hx-swap-oob="true">`)
	for i := range listed {
		fmt.Fprintf(&b, "<li id=\"online-%d\">lg-3acbb6-%d</li>\n", 1000+i, 1000+i)
	}
	if more > 0 {
		fmt.Fprintf(&b, `<li class="more">and %d more</li>`, more)
	}
	b.WriteString(`</ul>`)
	return b.String()
}

func BenchmarkParseCount(b *testing.B) {
	frame := []byte(presenceFrame(100, 9900))
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if _, ok := parseCount(frame); !ok {
			b.Fatal("no count in the presence frame")
		}
	}
}

func TestNoticeAndCountLengths(t *testing.T) {
	const (
		notice = `<div hx-swap-oob="beforeend:#messages"><p class="notice">lg-a-1 joined the chat</p></div>`
		count  = `<span id="num-users" hx-swap-oob="innerHTML">12 users online</span>`
		more   = `<li id="online-more" hx-swap-oob="true">and 2 more</li>`
	)
	tests := []struct {
		name          string
		frame         string
		notices, elem int
	}{
		{"count alone", count, 0, len(count)},
		{"count and more", more + count, 0, len(count)},
		{"notice alone", notice, len(notice), 0},
		{"notices around a count", notice + count + notice, 2 * len(notice), len(count)},
		{"the floor's count", `<span id="num-users" hx-swap-oob="true">3 users online</span>`, 0, len(`<span id="num-users" hx-swap-oob="true">3 users online</span>`)},
		{"a message", `<div hx-swap-oob="beforeend:#messages"><article class="message" id="msg-1"></article></div>`, 0, 0},
		{"cut off", notice[:30], 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := noticeLength([]byte(tt.frame)); got != tt.notices {
				t.Errorf("noticeLength = %d, want %d", got, tt.notices)
			}
			if got := countElementLength([]byte(tt.frame)); got != tt.elem {
				t.Errorf("countElementLength = %d, want %d", got, tt.elem)
			}
		})
	}
}
