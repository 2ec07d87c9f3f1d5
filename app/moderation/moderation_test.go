package moderation_test

import (
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/app/moderation"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/sqlite"
)

// live records what the service asked of the live rooms.
type live struct {
	mu      sync.Mutex
	removed []int64
	ended   []int64
}

func (l *live) Remove(m parley.Message) {
	l.mu.Lock()
	l.removed = append(l.removed, m.ID)
	l.mu.Unlock()
}
func (l *live) EndUser(id int64) { l.mu.Lock(); l.ended = append(l.ended, id); l.mu.Unlock() }

type fixture struct {
	store          *sqlite.Store
	live           *live
	svc            *moderation.Service
	ann, bo, admin parley.User
	general        parley.Room
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	store, err := sqlite.Open(t.Context(), "file:"+filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &fixture{store: store, live: &live{}}
	f.svc = moderation.New(store, f.live)
	users := make([]parley.User, 3)
	for i, name := range []string{"ann", "bob", "mod"} {
		if users[i], err = store.CreateUser(t.Context(), name, []byte("hash")); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.SetAdmin(t.Context(), 0, users[2].ID, true); err != nil {
		t.Fatal(err)
	}
	users[2].Admin = true
	f.ann, f.bo, f.admin = users[0], users[1], users[2]
	if f.general, err = store.RoomByName(t.Context(), parley.DefaultRoom); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) post(t *testing.T, by parley.User, text string) parley.Message {
	t.Helper()
	m, err := f.store.CreateMessage(t.Context(), f.general.ID, by.ID, text)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDeleteMessage(t *testing.T) {
	tests := []struct {
		name    string
		actor   func(*fixture) parley.User
		wantErr error // nil: deleted
	}{
		{"its author", func(f *fixture) parley.User { return f.ann }, nil},
		{"an admin", func(f *fixture) parley.User { return f.admin }, nil},
		{"someone else", func(f *fixture) parley.User { return f.bo }, moderation.ErrNotAllowed},
		{"nobody signed in", func(*fixture) parley.User { return parley.User{} }, parley.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			m := f.post(t, f.ann, "hello")
			got, room, err := f.svc.DeleteMessage(t.Context(), tt.actor(f), m.ID)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("DeleteMessage: got error %v, want %v", err, tt.wantErr)
			}
			_, stillThere := f.store.MessageByID(t.Context(), m.ID)
			if tt.wantErr != nil {
				if stillThere != nil || len(f.live.removed) != 0 {
					t.Errorf("a refused deletion removed the message (store: %v, live: %v)", stillThere, f.live.removed)
				}
				return
			}
			if got.ID != m.ID || room.ID != f.general.ID {
				t.Errorf("got message %d in room %d, want %d in %d", got.ID, room.ID, m.ID, f.general.ID)
			}
			if !errors.Is(stillThere, parley.ErrNotFound) {
				t.Errorf("after deletion MessageByID: %v, want ErrNotFound", stillThere)
			}
			if !slices.Equal(f.live.removed, []int64{m.ID}) {
				t.Errorf("live rooms told to remove %v, want [%d]", f.live.removed, m.ID)
			}
		})
	}
}

func TestDeleteUnknownMessage(t *testing.T) {
	f := newFixture(t)
	if _, _, err := f.svc.DeleteMessage(t.Context(), f.admin, 999); !errors.Is(err, parley.ErrNotFound) {
		t.Errorf("got %v, want ErrNotFound", err)
	}
}

func TestMuteAndBanRules(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	tests := []struct {
		name    string
		do      func() (parley.User, error)
		wantErr error
	}{
		{"a non-admin mutes", func() (parley.User, error) { return f.svc.Mute(ctx, f.ann, "bob", time.Minute) }, moderation.ErrNotAdmin},
		{"a non-admin bans", func() (parley.User, error) { return f.svc.Ban(ctx, f.ann, "bob") }, moderation.ErrNotAdmin},
		{"an admin mutes themselves", func() (parley.User, error) { return f.svc.Mute(ctx, f.admin, "MOD", time.Minute) }, moderation.ErrSelf},
		{"an admin bans themselves", func() (parley.User, error) { return f.svc.Ban(ctx, f.admin, "mod") }, moderation.ErrSelf},
		{"a name that cannot be one", func() (parley.User, error) { return f.svc.Ban(ctx, f.admin, "no such:name") }, parley.ErrAccountName},
		{"nobody of that name", func() (parley.User, error) { return f.svc.Ban(ctx, f.admin, "zed") }, parley.ErrNotFound},
		{"unmute someone not muted", func() (parley.User, error) { return f.svc.Unmute(ctx, f.admin, "bob") }, parley.ErrNoChange},
		{"unban someone not banned", func() (parley.User, error) { return f.svc.Unban(ctx, f.admin, "bob") }, parley.ErrNoChange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.do(); !errors.Is(err, tt.wantErr) {
				t.Errorf("got %v, want %v", err, tt.wantErr)
			}
		})
	}
	if len(f.live.ended) != 0 {
		t.Errorf("refused bans closed the pages of %v", f.live.ended)
	}
}

func TestBanClosesThePagesOfWhoIsBanned(t *testing.T) {
	f := newFixture(t)
	u, err := f.svc.Ban(t.Context(), f.admin, "Bob")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != f.bo.ID {
		t.Errorf("banned %q, want bob", u.AccountName())
	}
	if !slices.Equal(f.live.ended, []int64{f.bo.ID}) {
		t.Errorf("pages closed for %v, want bob's (%d)", f.live.ended, f.bo.ID)
	}
	if _, err := f.svc.Ban(t.Context(), f.admin, "bob"); !errors.Is(err, parley.ErrNoChange) {
		t.Errorf("banning bob again: %v, want ErrNoChange", err)
	}
	if _, err := f.svc.Unban(t.Context(), f.admin, "bob"); err != nil {
		t.Errorf("unban: %v", err)
	}
}

func TestMuteLastsItsLength(t *testing.T) {
	f := newFixture(t)
	before := time.Now()
	if _, err := f.svc.Mute(t.Context(), f.admin, "bob", 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	until, err := f.store.MutedUntil(t.Context(), f.bo.ID)
	if err != nil {
		t.Fatal(err)
	}
	if until.Before(before.Add(10*time.Minute-time.Second)) || until.After(time.Now().Add(10*time.Minute+time.Second)) {
		t.Errorf("muted until %v, want about 10 minutes from %v", until, before)
	}
	if _, err := f.svc.Unmute(t.Context(), f.admin, "bob"); err != nil {
		t.Errorf("unmute: %v", err)
	}
}
