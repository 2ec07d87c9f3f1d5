package sqlite_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
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
