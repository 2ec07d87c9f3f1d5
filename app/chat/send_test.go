package chat

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

func TestSendKeepsItsRules(t *testing.T) {
	muteEnds := time.Now().Add(time.Hour).Truncate(time.Second)
	store := &memoryStore{mutes: map[int64]time.Time{3: muteEnds}}
	cfg := DefaultConfig()
	cfg.MessageRateLimit = 2
	cfg.MessageRateWindow = time.Hour
	r := newTestRoomsOn(t, cfg, store)
	ann := parley.User{ID: 1, DisplayName: "ann"}
	muted := parley.User{ID: 3, DisplayName: "cy"}
	tests := []struct {
		name    string
		author  parley.User
		text    string
		wantErr error // nil: stored
	}{
		{"a message", ann, "  hello  ", nil},
		{"nothing but spaces", ann, " \n\t ", ErrEmpty},
		{"too long", ann, strings.Repeat("x", parley.MaxMessageLength+1), parley.ErrMessageTooLong},
		{"a NUL", ann, "a\x00b", parley.ErrMessageEncoding},
		{"not valid UTF-8", ann, "a\xffb", parley.ErrMessageEncoding},
		{"nobody signed in", parley.User{}, "hello", ErrMayNotPost},
		{"someone muted", muted, "hello", &MutedError{}},
		{"a second message", ann, "again", nil},
		{"one too many", ann, "and again", ErrTooFast},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := store.count()
			m, err := r.Send(t.Context(), tt.author, parley.AccessTo(tt.author, testRoom, true), testRoom, tt.text)
			var mutedErr *MutedError
			switch {
			case errors.As(tt.wantErr, &mutedErr):
				if !errors.As(err, &mutedErr) || !mutedErr.Until.Equal(muteEnds) {
					t.Fatalf("got %v, want a MutedError until %v", err, muteEnds)
				}
			case !errors.Is(err, tt.wantErr):
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			stored := store.count() - before
			if tt.wantErr != nil {
				if stored != 0 {
					t.Errorf("a refused message stored %d", stored)
				}
				return
			}
			if stored != 1 || m.ID == 0 || m.Text != strings.TrimSpace(tt.text) || m.RoomID != testRoom.ID {
				t.Errorf("stored %d, returned %+v, want one message %q in room %d", stored, m, strings.TrimSpace(tt.text), testRoom.ID)
			}
		})
	}
}
