package main

import "testing"

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
		{"message only", `<div hx-swap-oob="beforeend:#messages"><article class="message" id="msg-42">12 users online</article></div>`, 0, false},
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
