package chat

import (
	"context"
	"slices"
	"testing"

	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// ids returns the IDs a history keeps, oldest first.
func ids(h *history) []int64 {
	msgs, _ := h.recent()
	out := make([]int64, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

func TestHistoryKeepsIDOrderWhateverTheArrivalOrder(t *testing.T) {
	tests := []struct {
		name     string
		arrivals []int64
		want     []int64
		wantNew  []bool
	}{
		{"in order", []int64{1, 2, 3}, []int64{1, 2, 3}, []bool{true, true, true}},
		// Two instances stored 5 and 6 at once; 6 arrived first.
		{"one late", []int64{4, 6, 5}, []int64{4, 5, 6}, []bool{true, true, true}},
		{"late before all", []int64{8, 9, 7}, []int64{7, 8, 9}, []bool{true, true, true}},
		// The same message from the bus and from the store's reload.
		{"twice", []int64{1, 2, 2, 1}, []int64{1, 2}, []bool{true, true, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h history
			if err := h.load(context.Background(), &memoryStore{}, 1); err != nil {
				t.Fatal(err)
			}
			var gotNew []bool
			for _, id := range tt.arrivals {
				gotNew = append(gotNew, h.add(parley.Message{ID: id, RoomID: 1}) != 0)
			}
			if got := ids(&h); !slices.Equal(got, tt.want) {
				t.Errorf("kept %v, want %v", got, tt.want)
			}
			if !slices.Equal(gotNew, tt.wantNew) {
				t.Errorf("add reported new %v, want %v", gotNew, tt.wantNew)
			}
		})
	}
}

func TestFullHistoryKeepsTheNewestInOrder(t *testing.T) {
	var h history
	if err := h.load(context.Background(), &memoryStore{}, 1); err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 2*(parley.HistorySize+10); id += 2 { // 60 odd IDs
		h.add(parley.Message{ID: id, RoomID: 1})
	}
	const late = 2 * parley.HistorySize // an even one among the newest, late
	h.add(parley.Message{ID: late, RoomID: 1})
	got := ids(&h)
	if len(got) != parley.HistorySize || !slices.IsSorted(got) {
		t.Fatalf("kept %d messages, sorted %v; want the newest %d in ID order", len(got), slices.IsSorted(got), parley.HistorySize)
	}
	if !slices.Contains(got, late) {
		t.Errorf("the late message is not among the newest")
	}
	if _, older := h.recent(); !older {
		t.Errorf("older messages were dropped from memory but older is false")
	}
}

func TestStaleHistoryIsReadAgain(t *testing.T) {
	store := &memoryStore{}
	var h history
	if err := h.load(context.Background(), store, 1); err != nil {
		t.Fatal(err)
	}
	// Stored by another instance while the link was down: never added here.
	if _, err := store.CreateMessage(context.Background(), 1, 2, "missed"); err != nil {
		t.Fatal(err)
	}
	h.markStale()
	if got := ids(&h); len(got) != 0 {
		t.Errorf("before the next load: kept %v, want the old (empty) list still served", got)
	}
	if err := h.load(context.Background(), store, 1); err != nil {
		t.Fatal(err)
	}
	if got := ids(&h); !slices.Equal(got, []int64{1}) {
		t.Errorf("after the next load: kept %v, want the stored message", got)
	}
}

func TestPageUpToDateByIDGetsTheListAfterALateMessage(t *testing.T) {
	var h history
	if err := h.load(context.Background(), &memoryStore{}, 1); err != nil {
		t.Fatal(err)
	}
	h.add(parley.Message{ID: 1, RoomID: 1})
	h.add(parley.Message{ID: 3, RoomID: 1})
	r := &countingRenderer{}
	stranger := parley.User{ID: 9}
	if f, _, err := h.since(3, testRoom, r, stranger, i18n.Locale{}); err != nil || f != nil {
		t.Fatalf("since(3) with messages 1 and 3 = %v, %v; want nothing: the page is up to date", f, err)
	}
	// 2 was stored at the same moment as 3, elsewhere, and arrives now: a
	// page that shows 3 may lack it.
	h.add(parley.Message{ID: 2, RoomID: 1})
	if f, _, err := h.since(3, testRoom, r, stranger, i18n.Locale{}); err != nil || f == nil {
		t.Errorf("since(3) after 2 came late = %v, %v; want the list", f, err)
	}
}
