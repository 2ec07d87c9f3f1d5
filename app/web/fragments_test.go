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
		{"message", render(f.Message(sample, false)), []string{`<div hx-swap-oob="beforeend:#messages">`, `id="msg-42"`,
			`<time datetime="2026-11-21T23:05:00Z"`, "hi &lt;b&gt;there&lt;/b&gt; &amp; &#34;you&#34;"}},
		{"deletable message", render(f.Message(sample, true)), []string{`id="msg-42"`,
			`<form class="delete-message" method="post" action="/messages/42/delete" hx-post="/messages/42/delete" hx-swap="none">`, ">Delete</button>"}},
		{"message by an admin", render(f.Message(parley.Message{ID: 3, AuthorName: "mod", AuthorAdmin: true}, false)), []string{
			`<span class="author">mod</span>`, `<span class="badge admin" title="Moderator">Admin</span>`}},
		{"history", render(f.History(parley.Room{ID: 1, Name: "general"}, []parley.Message{sample}, false, parley.User{ID: 8})), []string{`<div id="messages"`, `hx-swap-oob="true"`, `id="msg-42"`}},
		{"history for the author", render(f.History(parley.Room{ID: 1, Name: "general"}, []parley.Message{sample}, false, parley.User{ID: 7})), []string{`action="/messages/42/delete"`}},
		{"history for an admin", render(f.History(parley.Room{ID: 1, Name: "general"}, []parley.Message{sample}, false, parley.User{ID: 8, Admin: true})), []string{`action="/messages/42/delete"`}},
		{"removed", render(f.Removed(42)), []string{`<article id="msg-42" hx-swap-oob="delete"></article>`}},
		{"banned", render(f.Banned()), []string{`<div id="chat-form"`, `hx-swap-oob="true"`, "removed from the chat"}},
		{"online admin", render(f.Presence(1, []parley.User{{ID: 1, DisplayName: "mod", Admin: true}})), []string{`<span class="person">mod</span>`, `class="badge admin"`}},
		{"history with older messages", render(f.History(parley.Room{ID: 2, Name: "go-nuts"}, []parley.Message{sample}, true, parley.User{})), []string{
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

func TestFragmentsShowNoDeleteControlToOthers(t *testing.T) {
	f := web.Fragments{}
	for name, html := range map[string]func() ([]byte, error){
		"message": func() ([]byte, error) { return f.Message(sample, false) },
		"history for a stranger": func() ([]byte, error) {
			return f.History(parley.Room{ID: 1, Name: "general"}, []parley.Message{sample}, false, parley.User{ID: 8})
		},
	} {
		b, err := html()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "delete") {
			t.Errorf("%s: %q has a Delete control, want none", name, b)
		}
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
		if _, err := f.Message(sample, false); err != nil {
			b.Fatal(err)
		}
	}
}
