package web_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/app/chat"
	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/pagetest"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/web"
)

// en and utc are the language and Locale of a reader who chose nothing.
var (
	en  = i18n.English
	utc = i18n.Default
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
		{"presence", render(f.Presence(en, parley.OnlineList{Online: 1, Listed: []parley.User{{ID: 1, DisplayName: "<al>"}}})), []string{`<span id="num-users" hx-swap-oob="innerHTML">1 user online</span>`,
			`<ul id="online-users" class="online-users" hx-swap-oob="true">`, `<li id="online-1">`, `<li id="online-1">&lt;al&gt;</li>`, `<li id="online-more" hidden></li>`}},
		{"presence plural, summed up", render(f.Presence(en, parley.OnlineList{Online: 102, Listed: []parley.User{{ID: 1, DisplayName: "al"}, {ID: 2, DisplayName: "bo", Provider: "github"}}})), []string{
			">102 users online</span>", "<li id=\"online-1\">al</li>", "<li id=\"online-2\">bo <span class=\"badge\"", ">GitHub</span>", `<li id="online-more">and 100 more</li>`}},
		{"count changed", render(f.PresenceChanged(en, parley.PresenceChange{Online: 7, CountChanged: true})), []string{`<span id="num-users" hx-swap-oob="innerHTML">7 users online</span>`}},
		{"people changed", render(f.PresenceChanged(en, parley.PresenceChange{Online: 102, More: 2, MoreChanged: true, Left: []int64{3, 4},
			Joined: []parley.ListedPerson{{User: parley.User{ID: 5, DisplayName: "<eve>"}, Before: 6}, {User: parley.User{ID: 7, DisplayName: "fay"}, Before: 6}, {User: parley.User{ID: 8, DisplayName: "gus"}}}})), []string{
			`<i hx-swap-oob="delete:#online-3,#online-4"></i>`,
			`<ul hx-swap-oob="beforebegin:#online-6"><li id="online-5">&lt;eve&gt;</li><li id="online-7">`,
			`<ul hx-swap-oob="beforebegin:#online-more"><li id="online-8">`,
			`<li id="online-more" hx-swap-oob="true">and 2 more</li>`}},
		{"message", render(f.Change(chat.View{Locale: utc}, parley.MessagePosted{Message: sample})), []string{`<div hx-swap-oob="beforeend:#messages">`, `id="msg-42"`,
			`<time datetime="2026-11-21T23:05:00Z"`, "hi &lt;b&gt;there&lt;/b&gt; &amp; &#34;you&#34;"}},
		{"deletable message", render(f.Change(chat.View{Locale: utc, Deletable: true}, parley.MessagePosted{Message: sample})), []string{`id="msg-42"`,
			`<form class="delete-message" method="post" action="/messages/42/delete" hx-post="/messages/42/delete" hx-swap="none">`, ">Delete</button>"}},
		{"message by an admin", render(f.Change(chat.View{Locale: utc}, parley.MessagePosted{Message: parley.Message{ID: 3, AuthorName: "mod", AuthorAdmin: true}})), []string{
			`<span class="author">mod</span>`, `<span class="badge admin" title="Moderator">Admin</span>`}},
		{"history", render(f.History(utc, parley.Room{ID: 1, Name: "general"}, []parley.Message{sample}, false, parley.User{ID: 8})), []string{`<div id="messages"`, `hx-swap-oob="true"`, `id="msg-42"`}},
		{"history for the author", render(f.History(utc, parley.Room{ID: 1, Name: "general"}, []parley.Message{sample}, false, parley.User{ID: 7})), []string{`action="/messages/42/delete"`}},
		{"history for an admin", render(f.History(utc, parley.Room{ID: 1, Name: "general"}, []parley.Message{sample}, false, parley.User{ID: 8, Admin: true})), []string{`action="/messages/42/delete"`}},
		{"removed", render(f.Change(chat.View{}, parley.MessageDeleted{MessageID: 42})), []string{`<i hx-swap-oob="delete:#msg-42, #removals i"></i>`, `<div hx-swap-oob="beforeend:#removals"><i></i></div>`}},
		{"banned", render(f.Banned(en)), []string{`<div id="chat-form"`, `hx-swap-oob="true"`, "removed from the chat"}},
		{"online admin", render(f.Presence(en, parley.OnlineList{Online: 1, Listed: []parley.User{{ID: 1, DisplayName: "mod", Admin: true}}})), []string{`<li id="online-1">mod <span class="badge admin"`}},
		{"history with older messages", render(f.History(utc, parley.Room{ID: 2, Name: "go-nuts"}, []parley.Message{sample}, true, parley.User{})), []string{
			`<div id="messages"`, `<a id="load-earlier"`, `href="/r/go-nuts?before=42"`, `hx-get="/r/go-nuts/messages?before=42"`, `hx-swap="outerHTML"`}},
		{"notices", render(f.Notices(en, []chat.Notice{{Joined: true, Names: []string{"<bob>"}}})), []string{`hx-swap-oob="beforeend:#messages"`, "&lt;bob&gt; joined the chat"}},
		{"error", render(f.Error(en, "Too long")), []string{`<div id="chat-error"`, `hx-swap-oob="true"`, "Too long"}},
		{"fresh form", render(f.ChatForm(en)), []string{`<form id="chat-form"`, "ws-send", `hx-swap-oob="true"`, `name="message"`, `<div id="chat-error"`}},
		{"signed out", render(f.SignedOut(en)), []string{`id="chat-form"`, `hx-swap-oob="true"`, `href="/login"`}},
		{"out of the room", render(f.Change(chat.View{Locale: i18n.Locale{Lang: en}}, parley.MemberRemoved{RoomID: 4, UserID: 8})), []string{
			`<div id="chat-form" class="composer signed-out" hx-swap-oob="true">`, "You are no longer a member of this room.", `href="/r/general"`}},
		{"out of the room, in Spanish", render(f.Change(chat.View{Locale: i18n.Locale{Lang: i18n.Spanish}}, parley.MemberRemoved{RoomID: 4, UserID: 8})), []string{
			"Ya no eres miembro de esta sala.", "Volver a general"}},
		{"a room listed", render(f.Personal(chat.View{}, parley.RoomListed{UserID: 8, Room: parley.Room{ID: 4, Name: "hiring", Kind: parley.RoomPrivate}, Title: "#hiring"})), []string{
			`<ul hx-swap-oob="beforeend:#room-list"><li id="room-hiring"><a href="/r/hiring">#hiring</a></li></ul>`}},
		{"a direct conversation listed", render(f.Personal(chat.View{}, parley.RoomListed{UserID: 8, Room: parley.Room{ID: 5, Name: "dm-0123456789abcdef", Kind: parley.RoomDirect}, Title: "<ann>, bob"})), []string{
			`<ul hx-swap-oob="beforeend:#dm-list"><li id="room-dm-0123456789abcdef"><a href="/r/dm-0123456789abcdef">&lt;ann&gt;, bob</a></li></ul>`}},
		{"a room unlisted", render(f.Personal(chat.View{}, parley.RoomUnlisted{UserID: 8, Room: parley.Room{ID: 4, Name: "hiring"}})), []string{
			`<i hx-swap-oob="delete:#room-hiring"></i>`}},
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

// TestFragmentsInSpanishAndInTheReadersZone: the same fragments for a
// reader in Spanish in Mexico City: words and plurals translated, times in
// their zone while <time datetime> stays UTC, the message's text as
// written.
func TestFragmentsInSpanishAndInTheReadersZone(t *testing.T) {
	f := web.Fragments{}
	mexico := i18n.Locale{Lang: i18n.Spanish, Zone: "America/Mexico_City"}
	render := func(b []byte, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	people := []parley.User{{ID: 1, DisplayName: "Ana"}, {ID: 2, DisplayName: "Bo"}}
	tests := []struct {
		name      string
		html      string
		want, not []string
	}{
		{"one online", render(f.Presence(i18n.Spanish, parley.OnlineList{Online: 1, Listed: people[:1]})), []string{">1 usuario en línea</span>"}, []string{"users online"}},
		{"three online, one more", render(f.Presence(i18n.Spanish, parley.OnlineList{Online: 3, Listed: people})), []string{">3 usuarios en línea</span>", ">y 1 más</li>"}, []string{"users online", ">and "}},
		{"count and more changed", render(f.PresenceChanged(i18n.Spanish, parley.PresenceChange{Online: 5, CountChanged: true, More: 3, MoreChanged: true})), []string{">5 usuarios en línea</span>", ">y 3 más</li>"}, []string{"users online", ">and "}},
		{"a provider person joined", render(f.PresenceChanged(i18n.Spanish, parley.PresenceChange{Joined: []parley.ListedPerson{{User: parley.User{ID: 9, DisplayName: "octo", Provider: "github"}}}})), []string{`title="Sesión iniciada con GitHub"`}, []string{"Signed in"}},
		{"one joined", render(f.Notices(i18n.Spanish, []chat.Notice{{Joined: true, Names: []string{"Ana"}}})), []string{">Ana se unió al chat</p>"}, nil},
		{"two joined", render(f.Notices(i18n.Spanish, []chat.Notice{{Joined: true, Names: []string{"Ana", "Bo"}}})), []string{">Ana y Bo se unieron al chat</p>"}, nil},
		{"many left", render(f.Notices(i18n.Spanish, []chat.Notice{{Names: []string{"Ana", "Bo", "Cy"}, Others: 2}})), []string{">Ana, Bo, Cy y 2 más salieron del chat</p>"}, nil},
		// 23:05 UTC on 21 November is 17:05 in Mexico City (UTC-6).
		{"message", render(f.Change(chat.View{Locale: mexico, Deletable: true}, parley.MessagePosted{Message: sample})), []string{`<time datetime="2026-11-21T23:05:00Z"`, ">17:05</time>", `title="21 nov 2026 17:05 CST"`, ">Eliminar</button>", "hi &lt;b&gt;there&lt;/b&gt;"}, []string{">Delete<"}},
		{"history", render(f.History(mexico, parley.Room{ID: 2, Name: "go-nuts"}, []parley.Message{sample}, true, parley.User{})), []string{">17:05</time>", ">Cargar mensajes anteriores</a>"}, nil},
		{"error", render(f.Error(i18n.Spanish, parley.ErrMessageTooLong.Error())), []string{"El mensaje es demasiado largo"}, nil},
		{"fresh form", render(f.ChatForm(i18n.Spanish)), []string{">Mensaje</label>", ">Enviar</button>", `placeholder="Escribe un mensaje…"`}, nil},
		{"banned", render(f.Banned(i18n.Spanish)), []string{"moderador"}, nil},
		{"signed out", render(f.SignedOut(i18n.Spanish)), []string{"Has cerrado la sesión."}, nil},
		{"paused", render(f.LinkNotice(i18n.Spanish, true)), []string{"en pausa"}, nil},
		{"resumed", render(f.LinkNotice(i18n.Spanish, false)), []string{"se reanudaron"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, w := range tt.want {
				if !strings.Contains(tt.html, w) {
					t.Errorf("got %q, want it to contain %q", tt.html, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(tt.html, w) {
					t.Errorf("got %q, want no %q", tt.html, w)
				}
			}
		})
	}
}

func TestFragmentsShowNoDeleteControlToOthers(t *testing.T) {
	f := web.Fragments{}
	for name, html := range map[string]func() ([]byte, error){
		"message": func() ([]byte, error) { return f.Change(chat.View{Locale: utc}, parley.MessagePosted{Message: sample}) },
		"history for a stranger": func() ([]byte, error) {
			return f.History(utc, parley.Room{ID: 1, Name: "general"}, []parley.Message{sample}, false, parley.User{ID: 8})
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
		if _, err := f.Presence(en, parley.OnlineList{Online: 10_000, Listed: listed}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderMessage(b *testing.B) {
	f := web.Fragments{}
	for i := 0; i < b.N; i++ {
		if _, err := f.Change(chat.View{Locale: utc}, parley.MessagePosted{Message: sample}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPresenceChangesBringAPageUpToDate: a page that got the whole list
// once and then each change, rendered and applied as htmx applies them,
// shows what the whole list of the end shows, in both languages.
func TestPresenceChangesBringAPageUpToDate(t *testing.T) {
	f := web.Fragments{}
	rng := rand.New(rand.NewPCG(3, 4))
	sample := func() parley.OnlineList {
		var listed []parley.User
		for id := int64(1); id <= 40 && len(listed) < 12; id++ {
			if rng.IntN(3) == 0 {
				u := parley.User{ID: id, DisplayName: fmt.Sprintf("p%02d", id), Admin: rng.IntN(8) == 0}
				listed = append(listed, u)
			}
		}
		more := 0
		if len(listed) == 12 {
			more = rng.IntN(3)
		}
		return parley.OnlineList{Online: len(listed) + more, Listed: listed}
	}
	rendered := func(b []byte, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	apply := func(p *pagetest.Presence, frame string) {
		t.Helper()
		if err := p.Apply(frame); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range i18n.Langs {
		list := sample()
		page := pagetest.NewPresence()
		apply(page, rendered(f.Presence(lang, list)))
		for range 300 {
			next := sample()
			apply(page, rendered(f.PresenceChanged(lang, list.ChangeTo(next))))
			list = next
			want := pagetest.NewPresence()
			apply(want, rendered(f.Presence(lang, list)))
			if !reflect.DeepEqual(page, want) {
				t.Fatalf("%s: page shows %+v after the changes, the whole list is %+v", lang, page, want)
			}
		}
	}
}

func BenchmarkRenderPresenceChange(b *testing.B) {
	f := web.Fragments{}
	c := parley.PresenceChange{Online: 10_001, CountChanged: true, More: 9_901, MoreChanged: true}
	for i := 0; i < b.N; i++ {
		if _, err := f.PresenceChanged(en, c); err != nil {
			b.Fatal(err)
		}
	}
}
