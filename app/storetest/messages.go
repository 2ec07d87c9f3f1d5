package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/parleychat/parley/app/parley"
)

var messageTests = []test{
	{"CreateMessage", testCreateMessage},
	{"CreateMessageKeepsTextAsSent", testCreateMessageKeepsText},
	{"CreateMessageUnknownUser", testCreateMessageUnknownUser},
	{"CreateMessageUnknownRoom", testCreateMessageUnknownRoom},
	{"MessagesBeforeLimit", testMessagesBeforeLimit},
	{"MessagesBeforeEmptyRoom", testMessagesBeforeEmpty},
	{"MessagesBeforeShowCurrentAuthorName", testMessagesBeforeCurrentAuthorName},
	{"MessagesStayInTheirRoom", testMessagesStayInTheirRoom},
	{"MessagesBeforePagesBack", testMessagesBeforePagesBack},
	{"MessagesBeforeBounds", testMessagesBeforeBounds},
	{"MessageIDsAscendAcrossStores", testMessageIDsAscendAcrossStores},
	{"ConcurrentMessagesAppearInIDOrder", testConcurrentMessagesAppearInIDOrder},
}

func testCreateMessage(t *testing.T, b Backend) {
	s := b.open(t)
	u := createUser(t, s, "alice")
	var prev int64
	for i := range 3 {
		m := createMessage(t, s, generalID, u.ID, fmt.Sprint("message ", i))
		if m.ID <= prev {
			t.Errorf("message %d ID = %d, want more than %d", i, m.ID, prev)
		}
		prev = m.ID
		want := parley.Message{ID: m.ID, RoomID: generalID, UserID: u.ID, AuthorName: "alice", Text: fmt.Sprint("message ", i), CreatedAt: m.CreatedAt}
		assertMessages(t, []parley.Message{m}, []parley.Message{want})
		assertRecentUTC(t, "CreatedAt", m.CreatedAt)
	}
}

// testCreateMessageKeepsTextAsSent stores texts that a careless store
// would change: markup, quotes, SQL, other scripts, emoji, line breaks
// and the longest text allowed.
func testCreateMessageKeepsText(t *testing.T, b Backend) {
	s := b.open(t)
	u := createUser(t, s, "alice")
	texts := []string{
		`<script>alert("x")</script> & <b>bold</b>`,
		`it's "quoted" \ back\slash`,
		`'); DROP TABLE messages; --`,
		"100% _under_ %s",
		"Grüße, Καλημέρα, こんにちは, مرحبا",
		"emoji 👩🏽‍💻🎉",
		"two\nlines\tand a tab",
		strings.Repeat("é", parley.MaxMessageLength),
	}
	var want []parley.Message
	for _, text := range texts {
		m := createMessage(t, s, generalID, u.ID, text)
		if m.Text != text {
			t.Errorf("CreateMessage(%.40q) returned text %.40q", text, m.Text)
		}
		want = append(want, m)
	}
	assertMessages(t, messagesBefore(t, s, generalID, 0, 50), want)
}

func testCreateMessageUnknownUser(t *testing.T, b Backend) {
	s := b.open(t)
	for _, id := range []int64{999, 0, -1} {
		m, err := s.CreateMessage(t.Context(), generalID, id, "hello")
		b.assertNotFound(t, fmt.Sprint("CreateMessage(user ", id, ")"), err)
		if m != (parley.Message{}) {
			t.Errorf("CreateMessage(user %d) = %+v, want the zero Message", id, m)
		}
	}
	if got := messagesBefore(t, s, generalID, 0, 50); len(got) != 0 {
		t.Errorf("general holds %d messages after refused ones, want 0", len(got))
	}
}

func testCreateMessageUnknownRoom(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	for _, room := range []int64{999, 0, -1} {
		m, err := s.CreateMessage(t.Context(), room, alice.ID, "lost")
		b.assertNotFound(t, fmt.Sprint("CreateMessage(room ", room, ")"), err)
		if m != (parley.Message{}) {
			t.Errorf("CreateMessage(room %d) = %+v, want the zero Message", room, m)
		}
		if got := messagesBefore(t, s, room, 0, 50); len(got) != 0 {
			t.Errorf("room %d holds %d messages after a refused one, want 0", room, len(got))
		}
	}
	if got := messagesBefore(t, s, generalID, 0, 50); len(got) != 0 {
		t.Errorf("general holds %d messages after refused ones elsewhere, want 0", len(got))
	}
}

func testMessagesBeforeLimit(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	octo := upsertIdentity(t, s, parley.Identity{Provider: "github", ProviderUserID: "1", DisplayName: "Octo"})
	var stored []parley.Message
	for i := range 5 {
		author := []parley.User{alice, octo}[i%2]
		stored = append(stored, createMessage(t, s, generalID, author.ID, fmt.Sprint("text ", i)))
	}
	if got := stored[1]; got.AuthorName != "Octo" || got.AuthorProvider != "github" {
		t.Errorf("OAuth author = %q from %q, want %q from %q", got.AuthorName, got.AuthorProvider, "Octo", "github")
	}
	for _, tt := range []struct {
		limit int
		want  []parley.Message
	}{
		{3, stored[2:]},
		{5, stored},
		{50, stored},
		{1, stored[4:]},
		{0, nil},
		{-1, nil},
	} {
		t.Run(fmt.Sprint("limit ", tt.limit), func(t *testing.T) {
			assertMessages(t, messagesBefore(t, s, generalID, 0, tt.limit), tt.want)
		})
	}
}

func testMessagesBeforeEmpty(t *testing.T, b Backend) {
	s := b.open(t)
	if got := messagesBefore(t, s, generalID, 0, parley.HistorySize); len(got) != 0 {
		t.Errorf("MessagesBefore on an empty room = %d messages, want 0", len(got))
	}
}

func testMessagesBeforeCurrentAuthorName(t *testing.T, b Backend) {
	s := b.open(t)
	id := parley.Identity{Provider: "gitlab", ProviderUserID: "9", DisplayName: "Old Name"}
	u := upsertIdentity(t, s, id)
	createMessage(t, s, generalID, u.ID, "hi")
	id.DisplayName = "New Name"
	upsertIdentity(t, s, id)
	got := messagesBefore(t, s, generalID, 0, 1)
	if len(got) != 1 {
		t.Fatalf("MessagesBefore = %d messages, want 1", len(got))
	}
	if got, want := got[0].AuthorName, "New Name"; got != want {
		t.Errorf("AuthorName = %q, want %q", got, want)
	}
}

func testMessagesStayInTheirRoom(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	random := createRoom(t, s, "random", alice.ID)
	empty := createRoom(t, s, "empty", bob.ID)
	want := map[int64][]parley.Message{}
	for i := range 10 {
		room := []int64{generalID, random.ID}[i%3%2]
		author := []parley.User{alice, bob}[i%2]
		m := createMessage(t, s, room, author.ID, fmt.Sprint("text ", i))
		if m.RoomID != room {
			t.Errorf("CreateMessage(room %d) RoomID = %d", room, m.RoomID)
		}
		want[room] = append(want[room], m)
	}
	for _, room := range []int64{generalID, random.ID, empty.ID} {
		assertMessages(t, messagesBefore(t, s, room, 0, parley.HistorySize), want[room])
	}
}

// testMessagesBeforePagesBack pages backwards through a room's 120
// messages, stored between another room's, as "Load earlier messages"
// does: each page's oldest ID is the next page's bound.
func testMessagesBeforePagesBack(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	room := createRoom(t, s, "go-nuts", alice.ID)
	const total = 120
	var stored []parley.Message
	for i := range total {
		stored = append(stored, createMessage(t, s, room.ID, alice.ID, fmt.Sprint("go ", i)))
		for j := range 1 + i%2 { // one or two messages of general in between
			createMessage(t, s, generalID, bob.ID, fmt.Sprint("general ", i, ".", j))
		}
	}
	wantSizes := []int{50, 50, 20}
	var pages [][]parley.Message
	var before int64 // 0: the newest messages
	for range wantSizes {
		page := messagesBefore(t, s, room.ID, before, parley.HistorySize)
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
	if last := messagesBefore(t, s, room.ID, before, parley.HistorySize); len(last) != 0 {
		t.Errorf("MessagesBefore(before the oldest, %d) = %d messages, want none", before, len(last))
	}
	var all []parley.Message // newest page last: the 120 in reading order
	for i := len(pages) - 1; i >= 0; i-- {
		all = append(all, pages[i]...)
	}
	assertMessages(t, all, stored)
	assertMessages(t, pages[0], stored[total-50:])
}

func testMessagesBeforeBounds(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	room := createRoom(t, s, "random", alice.ID)
	var stored []parley.Message
	for i := range 5 {
		stored = append(stored, createMessage(t, s, room.ID, alice.ID, fmt.Sprint("text ", i)))
		createMessage(t, s, generalID, alice.ID, "elsewhere")
	}
	for _, tt := range []struct {
		name   string
		before int64
		limit  int
		want   []parley.Message
	}{
		{"before 0 is the newest", 0, 2, stored[3:]},
		{"before 0, all", 0, 50, stored},
		{"negative before is no bound", -5, 50, stored},
		{"before the newest", stored[4].ID, 2, stored[2:4]},
		{"before a message of another room", stored[3].ID + 1, 50, stored[:4]},
		{"before the oldest", stored[0].ID, 50, nil},
		{"before 1", 1, 50, nil},
		{"before far ahead", stored[4].ID + 1000, 50, stored},
		{"limit 0", 0, 0, nil},
		{"limit 0 with a bound", stored[4].ID, 0, nil},
		{"negative limit", 0, -1, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assertMessages(t, messagesBefore(t, s, room.ID, tt.before, tt.limit), tt.want)
		})
	}
}

// testMessageIDsAscendAcrossStores posts in turn on two stores (two
// instances): IDs ascend in the order of posting, and both read the same
// history.
func testMessageIDsAscendAcrossStores(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	stores := []parley.Store{open(t), open(t)}
	alice := createUser(t, stores[0], "alice")
	var want []parley.Message
	for i := range 6 {
		m := createMessage(t, stores[i%2], generalID, alice.ID, fmt.Sprint("turn ", i))
		if n := len(want); n > 0 && m.ID <= want[n-1].ID {
			t.Errorf("message %d on store %d has ID %d, not above the previous %d", i, i%2, m.ID, want[n-1].ID)
		}
		want = append(want, m)
	}
	for i, s := range stores {
		t.Run(fmt.Sprint("store ", i), func(t *testing.T) {
			assertMessages(t, messagesBefore(t, s, generalID, 0, 50), want)
		})
	}
}

// testConcurrentMessagesAppearInIDOrder posts into one room from several
// goroutines on two stores while a third store keeps reading the room.
// Every read must be a prefix of the final history: a reader that sees
// message N sees every earlier message of the room, so that catching up
// "after the last ID I have" never skips a message that commits late.
func testConcurrentMessagesAppearInIDOrder(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	stores := []parley.Store{open(t), open(t)}
	reader := open(t)
	alice := createUser(t, stores[0], "alice")
	const writers, each = 6, 20

	var done atomic.Bool
	var reads [][]int64
	readerDone := make(chan error, 1)
	go func() {
		var err error
		defer func() { readerDone <- err }()
		for !done.Load() {
			var page []parley.Message
			if page, err = reader.MessagesBefore(t.Context(), generalID, 0, writers*each+1); err != nil {
				return
			}
			reads = append(reads, messageIDs(page))
		}
	}()
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if _, err := stores[w%2].CreateMessage(t.Context(), generalID, alice.ID, fmt.Sprint(w, ".", i)); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	done.Store(true)
	if err := <-readerDone; err != nil {
		t.Fatalf("reader: %v", err)
	}
	for w, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", w, err)
		}
	}
	final := messageIDs(messagesBefore(t, reader, generalID, 0, writers*each+1))
	if len(final) != writers*each {
		t.Fatalf("room holds %d messages, want %d", len(final), writers*each)
	}
	for i, ids := range reads {
		if len(ids) > len(final) || !slices.Equal(ids, final[:len(ids)]) {
			t.Fatalf("read %d of %d saw %d messages that are not the first %d of the history: a later read showed an earlier ID", i, len(reads), len(ids), len(ids))
		}
	}
	t.Logf("%d reads during %d concurrent posts", len(reads), writers*each)
}
