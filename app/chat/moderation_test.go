package chat

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

func TestMutedText(t *testing.T) {
	now := time.Date(2030, 1, 2, 15, 0, 0, 0, time.UTC)
	madrid := i18n.Locale{Lang: i18n.Spanish, Zone: "Europe/Madrid"}
	tests := []struct {
		loc   i18n.Locale
		until time.Time
		want  string
	}{
		{i18n.Default, now.Add(10 * time.Minute), "You are muted until 15:10 UTC."},
		// Never earlier than the mute's end: seconds round up.
		{i18n.Default, now.Add(10*time.Minute + time.Second), "You are muted until 15:11 UTC."},
		{i18n.Default, now.Add(9 * time.Hour).In(time.FixedZone("CET", 3600)), "You are muted until 00:00 UTC."},
		{i18n.Default, now.Add(3 * 24 * time.Hour), "You are muted until 15:00 UTC on 5 Jan 2030."},
		// In the reader's zone and language: Madrid is UTC+1 in January.
		{madrid, now.Add(10 * time.Minute), "Estás silenciado hasta las 16:10 CET."},
		{madrid, now.Add(3 * 24 * time.Hour), "Estás silenciado hasta las 16:00 CET del 5 ene 2030."},
		{i18n.Locale{Lang: i18n.English, Zone: "America/New_York"}, now.Add(9*time.Hour + 30*time.Second), "You are muted until 19:01 EST."},
	}
	for _, tt := range tests {
		if got := mutedText(tt.loc, tt.until, now); got != tt.want {
			t.Errorf("mutedText(%+v, %v) = %q, want %q", tt.loc, tt.until, got, tt.want)
		}
	}
}

// countingRenderer counts History renders, to check the catch-up cache.
type countingRenderer struct {
	textRenderer
	histories int
	viewers   []parley.User
}

func (r *countingRenderer) History(_ i18n.Locale, _ parley.Room, msgs []parley.Message, _ bool, viewer parley.User) ([]byte, error) {
	r.histories++
	r.viewers = append(r.viewers, viewer)
	return []byte("history"), nil
}

func TestHistoryRemoveAndCatchUpPerKindOfReader(t *testing.T) {
	store := &memoryStore{}
	ctx := context.Background()
	for _, u := range []int64{1, 2, 1} {
		if _, err := store.CreateMessage(ctx, testRoom.ID, u, "m"); err != nil {
			t.Fatal(err)
		}
	}
	var h history
	if err := h.load(ctx, store, testRoom.ID); err != nil {
		t.Fatal(err)
	}
	r := &countingRenderer{}
	stranger, author, otherAuthor := parley.User{ID: 9}, parley.User{ID: 1}, parley.User{ID: 2}
	admin, secondAdmin := parley.User{ID: 7, Admin: true}, parley.User{ID: 8, Admin: true}

	// Up to date and nothing removed: no list.
	if f, _, err := h.since(3, testRoom, r, stranger, i18n.Locale{}); err != nil || f != nil {
		t.Fatalf("since(newest) = %v, %v; want nothing", f, err)
	}
	// Each kind of reader gets its own rendering, once.
	for _, v := range []parley.User{stranger, {ID: 10}, author, author, otherAuthor, admin, secondAdmin} {
		if f, _, err := h.since(0, testRoom, r, v, i18n.Locale{}); err != nil || f == nil {
			t.Fatalf("since(0) for %+v = %v, %v; want the list", v, f, err)
		}
	}
	if r.histories != 4 {
		t.Errorf("rendered the list %d times, want 4 (strangers, author 1, author 2, admins)", r.histories)
	}

	// Removing the newest message: a page up to date by ID gets the list,
	// without it.
	h.remove(3)
	msgs, _ := h.recent()
	var ids []int64
	for _, m := range msgs {
		ids = append(ids, m.ID)
	}
	if !slices.Equal(ids, []int64{1, 2}) {
		t.Errorf("after remove(3): %v, want [1 2]", ids)
	}
	if f, _, _ := h.since(2, testRoom, r, stranger, i18n.Locale{}); f == nil {
		t.Errorf("since(2) after a removal = %v; want the list again", f)
	}
	h.remove(99) // not among the last messages: nothing changes
	if msgs, _ := h.recent(); len(msgs) != 2 {
		t.Errorf("remove of an unknown ID changed the history: %v", msgs)
	}
}
