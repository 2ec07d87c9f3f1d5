package web_test

import (
	"strconv"
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
		{"presence", render(f.Presence(1, []parley.User{{ID: 1, DisplayName: "<al>"}})), []string{`<span id="num-users"`, `hx-swap-oob="true"`, ">1 user online</span>",
			`<ul id="online-users"`, "&lt;al&gt;</span>"}},
		{"presence plural, summed up", render(f.Presence(102, []parley.User{{ID: 1, DisplayName: "al"}, {ID: 2, DisplayName: "bo", Provider: "github"}})), []string{
			">102 users online</span>", ">al</span>", ">bo</span>", ">GitHub</span>", ">and 100 more</li>"}},
		{"message", render(f.Message(sample)), []string{`<div hx-swap-oob="beforeend:#messages">`, `id="msg-42"`,
			`<time datetime="2026-11-21T23:05:00Z"`, "hi &lt;b&gt;there&lt;/b&gt; &amp; &#34;you&#34;"}},
		{"history", render(f.History(parley.Room{ID: 1, Name: "general"}, []parley.Message{sample}, false)), []string{`<div id="messages"`, `hx-swap-oob="true"`, `id="msg-42"`}},
		{"history with older messages", render(f.History(parley.Room{ID: 2, Name: "go-nuts"}, []parley.Message{sample}, true)), []string{
			`<div id="messages"`, `<a id="load-earlier"`, `href="/r/go-nuts?before=42"`, `hx-get="/r/go-nuts/messages?before=42"`, `hx-swap="outerHTML"`}},
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

func BenchmarkRenderPresence(b *testing.B) {
	f := web.Fragments{}
	listed := make([]parley.User, parley.OnlineListSize)
	for i := range listed {
		listed[i] = parley.User{ID: int64(i), DisplayName: "person-" + strconv.Itoa(i)}
	}
	for i := 0; i < b.N; i++ {
		if _, err := f.Presence(10_000, listed); err != nil {
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
