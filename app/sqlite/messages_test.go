package sqlite_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/sqlite"
)

func TestCreateMessage(t *testing.T) {
	s := openStore(t)
	u := createUser(t, s, "alice")
	var prev int64
	for i := range 3 {
		m, err := s.CreateMessage(t.Context(), general, u.ID, fmt.Sprint("message ", i))
		if err != nil {
			t.Fatalf("CreateMessage: %v", err)
		}
		if m.ID <= prev {
			t.Errorf("message %d ID = %d, want more than %d", i, m.ID, prev)
		}
		prev = m.ID
		if got, want := m.AuthorName, "alice"; got != want {
			t.Errorf("AuthorName = %q, want %q", got, want)
		}
		if m.UserID != u.ID || m.Text != fmt.Sprint("message ", i) {
			t.Errorf("message = %+v, want user %d and its text", m, u.ID)
		}
		if m.CreatedAt.Location() != time.UTC || time.Since(m.CreatedAt) > time.Minute {
			t.Errorf("CreatedAt = %v, want a recent UTC time", m.CreatedAt)
		}
	}
}

func TestCreateMessageUnknownUser(t *testing.T) {
	s := openStore(t)
	_, err := s.CreateMessage(t.Context(), general, 999, "hello")
	assertNotFound(t, "CreateMessage(unknown user)", err)
}

func TestMessagesBefore(t *testing.T) {
	s := openStore(t)
	alice := createUser(t, s, "alice")
	octo, err := s.UpsertIdentity(t.Context(), parley.Identity{
		Provider: "github", ProviderUserID: "1", DisplayName: "Octo",
	})
	if err != nil {
		t.Fatal(err)
	}
	var stored []parley.Message
	for i := range 5 {
		author := []parley.User{alice, octo}[i%2]
		m, err := s.CreateMessage(t.Context(), general, author.ID, fmt.Sprint("text ", i))
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, m)
	}

	tests := []struct {
		limit int
		want  []parley.Message
	}{
		{limit: 3, want: stored[2:]},
		{limit: 5, want: stored},
		{limit: 50, want: stored},
		{limit: 1, want: stored[4:]},
		{limit: 0, want: nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("limit ", tt.limit), func(t *testing.T) {
			got, err := s.MessagesBefore(t.Context(), general, 0, tt.limit)
			if err != nil {
				t.Fatalf("MessagesBefore: %v", err)
			}
			assertMessages(t, got, tt.want)
		})
	}
	if got := stored[1]; got.AuthorName != "Octo" || got.AuthorProvider != "github" {
		t.Errorf("OAuth author = %q from %q, want %q from %q", got.AuthorName, got.AuthorProvider, "Octo", "github")
	}
}

func TestMessagesBeforeEmpty(t *testing.T) {
	s := openStore(t)
	got, err := s.MessagesBefore(t.Context(), general, 0, parley.HistorySize)
	if err != nil {
		t.Fatalf("MessagesBefore: %v", err)
	}
	if len(got) != 0 {
		t.Errorf("MessagesBefore on an empty room = %d messages, want 0", len(got))
	}
}

func TestMessagesBeforeShowCurrentAuthorName(t *testing.T) {
	s := openStore(t)
	id := parley.Identity{Provider: "gitlab", ProviderUserID: "9", DisplayName: "Old Name"}
	u, err := s.UpsertIdentity(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateMessage(t.Context(), general, u.ID, "hi"); err != nil {
		t.Fatal(err)
	}
	id.DisplayName = "New Name"
	if _, err := s.UpsertIdentity(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	got, err := s.MessagesBefore(t.Context(), general, 0, 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("MessagesBefore = %v, %v; want one message", got, err)
	}
	if got, want := got[0].AuthorName, "New Name"; got != want {
		t.Errorf("AuthorName = %q, want %q", got, want)
	}
}

// assertMessages compares messages field by field, times included.
func assertMessages(t *testing.T, got, want []parley.Message) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].CreatedAt.Equal(want[i].CreatedAt) || got[i].CreatedAt.Location() != time.UTC {
			t.Errorf("message %d CreatedAt = %v, want %v in UTC", i, got[i].CreatedAt, want[i].CreatedAt)
		}
		g, w := got[i], want[i]
		g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
		if g != w {
			t.Errorf("message %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestMessagesStayInTheirRoom(t *testing.T) {
	s := openStore(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	random := createRoom(t, s, "random", alice.ID)
	empty := createRoom(t, s, "empty", bob.ID)

	want := map[int64][]parley.Message{}
	for i := range 10 {
		room := []int64{general, random.ID}[i%3%2] // general, random, general, general, random, ...
		author := []parley.User{alice, bob}[i%2]
		m, err := s.CreateMessage(t.Context(), room, author.ID, fmt.Sprint("text ", i))
		if err != nil {
			t.Fatalf("CreateMessage(room %d): %v", room, err)
		}
		if got := m.RoomID; got != room {
			t.Errorf("CreateMessage(room %d) RoomID = %d, want %d", room, got, room)
		}
		want[room] = append(want[room], m)
	}

	for _, room := range []int64{general, random.ID, empty.ID} {
		got, err := s.MessagesBefore(t.Context(), room, 0, parley.HistorySize)
		if err != nil {
			t.Fatalf("MessagesBefore(room %d): %v", room, err)
		}
		for _, m := range got {
			if m.RoomID != room {
				t.Errorf("MessagesBefore(room %d) holds message %d of room %d", room, m.ID, m.RoomID)
			}
		}
		assertMessages(t, got, want[room])
	}
}

// TestMessagesBeforePagesBack pages backwards through a room's 120
// messages, stored between another room's, as "Load earlier messages"
// does: each page's oldest ID is the next page's bound.
func TestMessagesBeforePagesBack(t *testing.T) {
	s := openStore(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	room := createRoom(t, s, "go-nuts", alice.ID)

	const total = 120
	var stored []parley.Message
	for i := range total {
		m, err := s.CreateMessage(t.Context(), room.ID, alice.ID, fmt.Sprint("go ", i))
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, m)
		for j := range 1 + i%2 { // one or two messages of general in between
			if _, err := s.CreateMessage(t.Context(), general, bob.ID, fmt.Sprint("general ", i, ".", j)); err != nil {
				t.Fatal(err)
			}
		}
	}

	wantSizes := []int{50, 50, 20}
	var pages [][]parley.Message
	var before int64 // 0: the newest messages
	for range wantSizes {
		page, err := s.MessagesBefore(t.Context(), room.ID, before, parley.HistorySize)
		if err != nil {
			t.Fatalf("MessagesBefore(before %d): %v", before, err)
		}
		if len(page) == 0 {
			break
		}
		pages = append(pages, page)
		before = page[0].ID
	}
	var sizes []int
	for _, p := range pages {
		sizes = append(sizes, len(p))
	}
	if !slices.Equal(sizes, wantSizes) {
		t.Fatalf("page sizes = %v, want %v", sizes, wantSizes)
	}
	last, err := s.MessagesBefore(t.Context(), room.ID, before, parley.HistorySize)
	if err != nil || len(last) != 0 {
		t.Errorf("MessagesBefore(before the oldest, %d) = %d messages, %v; want none", before, len(last), err)
	}

	// Newest page last: the pages in reading order are the 120 in order.
	var all []parley.Message
	for i := len(pages) - 1; i >= 0; i-- {
		all = append(all, pages[i]...)
	}
	seen := map[int64]bool{}
	for i, m := range all {
		if seen[m.ID] {
			t.Errorf("message %d shown twice", m.ID)
		}
		seen[m.ID] = true
		if i > 0 && m.ID <= all[i-1].ID {
			t.Errorf("message %d at %d follows %d: not oldest first", m.ID, i, all[i-1].ID)
		}
	}
	assertMessages(t, all, stored)
	assertMessages(t, pages[0], stored[total-50:]) // before 0: the newest
}

func TestMessagesBeforeBounds(t *testing.T) {
	s := openStore(t)
	alice := createUser(t, s, "alice")
	room := createRoom(t, s, "random", alice.ID)
	var stored []parley.Message
	for i := range 5 {
		m, err := s.CreateMessage(t.Context(), room.ID, alice.ID, fmt.Sprint("text ", i))
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, m)
		if _, err := s.CreateMessage(t.Context(), general, alice.ID, "elsewhere"); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name   string
		before int64
		limit  int
		want   []parley.Message
	}{
		{"before 0 is the newest", 0, 2, stored[3:]},
		{"before 0, all", 0, 50, stored},
		{"before the newest", stored[4].ID, 2, stored[2:4]},
		{"before a message of another room", stored[3].ID + 1, 50, stored[:4]},
		{"before the oldest", stored[0].ID, 50, nil},
		{"before far ahead", stored[4].ID + 1000, 50, stored},
		{"limit 0", 0, 0, nil},
		{"limit 0 with a bound", stored[4].ID, 0, nil},
		{"negative limit", 0, -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.MessagesBefore(t.Context(), room.ID, tt.before, tt.limit)
			if err != nil {
				t.Fatalf("MessagesBefore(%d, %d): %v", tt.before, tt.limit, err)
			}
			assertMessages(t, got, tt.want)
		})
	}
}

func TestCreateMessageUnknownRoom(t *testing.T) {
	path := dbPath(t)
	s := openAt(t, path)
	alice := createUser(t, s, "alice")
	for _, room := range []int64{999, 0, -1} {
		m, err := s.CreateMessage(t.Context(), room, alice.ID, "lost")
		assertNotFound(t, fmt.Sprint("CreateMessage(room ", room, ")"), err)
		if m != (parley.Message{}) {
			t.Errorf("CreateMessage(room %d) = %+v, want the zero Message", room, m)
		}
	}
	var n int
	if err := rawDB(t, path).QueryRowContext(t.Context(), "SELECT count(*) FROM messages").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("messages stored after CreateMessage in unknown rooms = %d, want 0", n)
	}
}

// TestMessagesBeforeUsesRoomIndex checks that a page of a room's history
// is read from the (room_id, id) index, newest first, without a scan of
// messages or a sort.
func TestMessagesBeforeUsesRoomIndex(t *testing.T) {
	s := openStore(t)
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
