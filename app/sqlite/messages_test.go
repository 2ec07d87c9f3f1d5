package sqlite_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/sqlite"
)

// TestMessagesBeforeUsesRoomIndex checks that a page of a room's history
// is read from the (room_id, id) index, newest first, without a scan of
// messages or a sort.
func TestMessagesBeforeUsesRoomIndex(t *testing.T) {
	s := openAt(t, "file:"+dbPath(t))
	alice := createUser(t, s, "alice")
	for i := range 20 {
		if _, err := s.CreateMessage(t.Context(), general, alice.ID, fmt.Sprint("text ", i)); err != nil {
			t.Fatal(err)
		}
	}
	assertUsesRoomIndex(t, s)
}

// assertUsesRoomIndex fails unless MessagesBefore's inner query searches
// the messages_room_id_id index, with no full scan and no temporary sort.
func assertUsesRoomIndex(t *testing.T, s *sqlite.Store) {
	t.Helper()
	for _, before := range []int64{0, 10} {
		bound := before
		if bound == 0 {
			bound = math.MaxInt64 // as MessagesBefore binds "no bound"
		}
		plan, err := sqlite.MessagesBeforePlan(t.Context(), s, general, bound, parley.HistorySize)
		if err != nil {
			t.Fatalf("EXPLAIN QUERY PLAN: %v", err)
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, "messages_room_id_id") {
			t.Errorf("plan (before %d) = %q, want it to use the index messages_room_id_id", before, text)
		}
		for _, line := range plan {
			if strings.Contains(line, "USE TEMP B-TREE") || strings.HasPrefix(line, "SCAN") {
				t.Errorf("plan (before %d) line %q: want no scan and no temporary sort", before, line)
			}
		}
	}
}
