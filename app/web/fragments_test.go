package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/app/chat"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/web"
)

var sample = parley.Message{
	ID: 42, UserID: 7, AuthorName: "alice", Text: `hi <b>there</b> & "you"`,
	CreatedAt: time.Date(2026, 11, 21, 23, 5, 0, 0, time.UTC),
}

func TestFragmentsAreOutOfBand(t *testing.T) {
	f := web.Fragments{}
	render := func(b []byte, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name string
		html string
		want []string
	}{
		{"count", render(f.Count(1)), []string{`<span id="num-users"`, `hx-swap-oob="true"`, ">1 user online</span>"}},
		{"count plural", render(f.Count(2)), []string{">2 users online</span>"}},
		{"message", render(f.Message(sample)), []string{`<div hx-swap-oob="beforeend:#messages">`, `id="msg-42"`,
			`<time datetime="2026-11-21T23:05:00Z"`, "hi &lt;b&gt;there&lt;/b&gt; &amp; &#34;you&#34;"}},
		{"history", render(f.History([]parley.Message{sample})), []string{`<div id="messages"`, `hx-swap-oob="true"`, `id="msg-42"`}},
		{"notices", render(f.Notices([]chat.Notice{{Joined: true, Names: []string{"<bob>"}}})), []string{`hx-swap-oob="beforeend:#messages"`, "&lt;bob&gt; joined the chat"}},
		{"error", render(f.Error("Too long")), []string{`<div id="chat-error"`, `hx-swap-oob="true"`, "Too long"}},
		{"fresh form", render(f.ChatForm()), []string{`<form id="chat-form"`, "ws-send", `hx-swap-oob="true"`, `name="message"`, `<div id="chat-error"`}},
		{"signed out", render(f.SignedOut()), []string{`id="chat-form"`, `hx-swap-oob="true"`, `href="/login"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, w := range tt.want {
				if !strings.Contains(tt.html, w) {
					t.Errorf("got %q, want it to contain %q", tt.html, w)
				}
			}
			if strings.Contains(tt.html, "<b>") {
				t.Errorf("unescaped markup in %q", tt.html)
			}
		})
	}
}

func BenchmarkRenderCount(b *testing.B) {
	f := web.Fragments{}
	for i := 0; i < b.N; i++ {
		if _, err := f.Count(i); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderMessage(b *testing.B) {
	f := web.Fragments{}
	for i := 0; i < b.N; i++ {
		if _, err := f.Message(sample); err != nil {
			b.Fatal(err)
		}
	}
}
