package chat

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// renderCounter counts what the chat renders, and for whom.
type renderCounter struct {
	textRenderer
	mu sync.Mutex
	// presence counts the whole count and list, changes their changes.
	presence map[i18n.Lang]int
	changes  map[i18n.Lang]int
	notices  map[i18n.Lang]int
	messages map[messageView]int
}

func newRenderCounter() *renderCounter {
	return &renderCounter{presence: map[i18n.Lang]int{}, changes: map[i18n.Lang]int{}, notices: map[i18n.Lang]int{}, messages: map[messageView]int{}}
}

func (r *renderCounter) Presence(lang i18n.Lang, l parley.OnlineList) ([]byte, error) {
	r.mu.Lock()
	r.presence[lang]++
	r.mu.Unlock()
	return r.textRenderer.Presence(lang, l)
}

func (r *renderCounter) PresenceChanged(lang i18n.Lang, c parley.PresenceChange) ([]byte, error) {
	r.mu.Lock()
	r.changes[lang]++
	r.mu.Unlock()
	return r.textRenderer.PresenceChanged(lang, c)
}

func (r *renderCounter) Notices(lang i18n.Lang, ns []Notice) ([]byte, error) {
	r.mu.Lock()
	r.notices[lang]++
	r.mu.Unlock()
	return r.textRenderer.Notices(lang, ns)
}

func (r *renderCounter) Change(view View, ch parley.Change) ([]byte, error) {
	if _, ok := ch.(parley.MessagePosted); ok {
		r.mu.Lock()
		r.messages[messageView{locale: view.Locale, deletable: view.Deletable}]++
		r.mu.Unlock()
	}
	return r.textRenderer.Change(view, ch)
}

// counts returns copies of the counts so far.
func (r *renderCounter) counts() (presence, changes, notices map[i18n.Lang]int, messages map[messageView]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	presence, changes, notices, messages = map[i18n.Lang]int{}, map[i18n.Lang]int{}, map[i18n.Lang]int{}, map[messageView]int{}
	for k, v := range r.presence {
		presence[k] = v
	}
	for k, v := range r.changes {
		changes[k] = v
	}
	for k, v := range r.notices {
		notices[k] = v
	}
	for k, v := range r.messages {
		messages[k] = v
	}
	return presence, changes, notices, messages
}

// TestFragmentsRenderOncePerLanguageNotPerSocket: a room of readers in two
// languages and three time zones gets each fragment rendered once per
// language (presence, notices) or per Locale and Delete control (a
// message), however many sockets share it.
func TestFragmentsRenderOncePerLanguageNotPerSocket(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MessageRateLimit = 0
	render := newRenderCounter()
	r, err := New(cfg, &memoryStore{}, render, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	english := i18n.Locale{Lang: i18n.English}
	madrid := i18n.Locale{Lang: i18n.Spanish, Zone: "Europe/Madrid"}
	mexico := i18n.Locale{Lang: i18n.Spanish, Zone: "America/Mexico_City"}
	locales := []i18n.Locale{english, madrid, mexico, english, madrid, mexico, english, madrid, mexico}
	conns := make([]*fakeConn, len(locales))
	for i, loc := range locales {
		conns[i] = newFakeConn(false)
		id := int64(i + 1)
		u := parley.User{ID: id, DisplayName: "user" + strconv.FormatInt(id, 10)}
		p := Peer{User: u, Room: testRoom, Access: parley.AccessTo(u, testRoom, true), Locale: loc}
		go func() { _ = r.Serve(conns[i], p) }()
	}
	eventually(t, "everyone online", func() bool { return r.Online(testRoom.ID) == len(locales) })
	for _, c := range conns {
		eventually(t, "the flush to reach every socket", func() bool { return c.writes.Load() >= 2 })
	}

	// One more arrival: one flush, so one presence change and one notice
	// per language, for ten sockets, and the whole list once, in the late
	// socket's language.
	before, beforeChanges, beforeNotices, _ := render.counts()
	base := conns[0].writes.Load()
	late := newFakeConn(false)
	go func() {
		u := parley.User{ID: 99, DisplayName: "late"}
		_ = r.Serve(late, Peer{User: u, Room: testRoom, Access: parley.AccessTo(u, testRoom, true), Locale: madrid})
	}()
	eventually(t, "the late arrival's flush", func() bool { return conns[0].writes.Load() >= base+2 && late.writes.Load() >= 2 })
	after, afterChanges, afterNotices, _ := render.counts()
	for _, lang := range i18n.Langs {
		if got := afterChanges[lang] - beforeChanges[lang]; got != 1 {
			t.Errorf("presence change rendered %d times in %s for one flush, want 1", got, lang)
		}
		wantWhole := 0
		if lang == madrid.Lang {
			wantWhole = 1
		}
		if got := after[lang] - before[lang]; got != wantWhole {
			t.Errorf("whole presence rendered %d times in %s for one flush, want %d", got, lang, wantWhole)
		}
		if got := afterNotices[lang] - beforeNotices[lang]; got != 1 {
			t.Errorf("notices rendered %d times in %s for one flush, want 1", got, lang)
		}
	}

	// A message by user 1 (English, UTC): each Locale once without the
	// Delete control, and the author's Locale once with it.
	conns = append(conns, late)
	bases := make([]int64, len(conns))
	for i, c := range conns {
		bases[i] = c.writes.Load()
	}
	if _, err := r.storeMessage(t.Context(), r.cache.use(testRoom), 1, "hola"); err != nil {
		t.Fatal(err)
	}
	for i, c := range conns {
		eventually(t, "the message on every socket", func() bool { return c.writes.Load() > bases[i] })
	}
	_, _, _, messages := render.counts()
	want := map[messageView]int{
		{locale: english}: 1, {locale: madrid}: 1, {locale: mexico}: 1,
		{locale: english, deletable: true}: 1,
	}
	if len(messages) != len(want) {
		t.Errorf("message renderings %v, want %v", messages, want)
	}
	for v, n := range want {
		if messages[v] != n {
			t.Errorf("message rendered %d times for %+v, want %d (all: %v)", messages[v], v, n, messages)
		}
	}
}
