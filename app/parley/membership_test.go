package parley_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/parleychat/parley/app/parley"
)

func TestRoomKindZeroIsPublic(t *testing.T) {
	if (parley.Room{}).Kind != parley.RoomPublic {
		t.Error("the zero Room's kind is not public")
	}
}

func TestRoomKindNames(t *testing.T) {
	for _, tt := range []struct {
		kind parley.RoomKind
		name string
	}{{parley.RoomPublic, "public"}, {parley.RoomPrivate, "private"}, {parley.RoomDirect, "direct"}} {
		if got := tt.kind.String(); got != tt.name {
			t.Errorf("%d.String() = %q, want %q", tt.kind, got, tt.name)
		}
		got, err := parley.ParseRoomKind(tt.name)
		if err != nil || got != tt.kind {
			t.Errorf("ParseRoomKind(%q) = %v, %v; want %v", tt.name, got, err, tt.kind)
		}
	}
	if got := parley.RoomKind(9).String(); got != "RoomKind(9)" {
		t.Errorf("RoomKind(9).String() = %q", got)
	}
	for _, name := range []string{"", "Public", "secret", " private", "RoomKind(9)"} {
		if _, err := parley.ParseRoomKind(name); !errors.Is(err, parley.ErrUnknownRoomKind) {
			t.Errorf("ParseRoomKind(%q): error = %v, want ErrUnknownRoomKind", name, err)
		}
	}
}

func TestDirectKey(t *testing.T) {
	for _, tt := range []struct {
		in   []int64
		key  string
		want []int64
	}{
		{[]int64{1, 2}, "1,2", []int64{1, 2}},
		{[]int64{2, 1}, "1,2", []int64{1, 2}},
		{[]int64{21, 3, 8, 3, 21}, "3,8,21", []int64{3, 8, 21}},
		{[]int64{10, 9, 8, 7, 6, 5, 4, 3}, "3,4,5,6,7,8,9,10", []int64{3, 4, 5, 6, 7, 8, 9, 10}},
	} {
		in := slices.Clone(tt.in)
		key, ids, err := parley.DirectKey(in)
		if err != nil || key != tt.key || !slices.Equal(ids, tt.want) {
			t.Errorf("DirectKey(%v) = %q, %v, %v; want %q, %v", tt.in, key, ids, err, tt.key, tt.want)
		}
		if !slices.Equal(in, tt.in) {
			t.Errorf("DirectKey changed its argument to %v", in)
		}
	}
	for _, in := range [][]int64{nil, {}, {1}, {1, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9}, {0, 1}, {-1, 2}} {
		if key, ids, err := parley.DirectKey(in); !errors.Is(err, parley.ErrDirectRoomSize) || key != "" || ids != nil {
			t.Errorf("DirectKey(%v) = %q, %v, %v; want ErrDirectRoomSize", in, key, ids, err)
		}
	}
}

func TestNewDirectRoomName(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		name := parley.NewDirectRoomName()
		if err := parley.ValidateRoomName(name); err != nil {
			t.Fatalf("NewDirectRoomName() = %q: %v", name, err)
		}
		if !strings.HasPrefix(name, parley.DirectRoomPrefix) || len(name) != len(parley.DirectRoomPrefix)+16 {
			t.Fatalf("NewDirectRoomName() = %q, want %q and 16 hex digits", name, parley.DirectRoomPrefix)
		}
		if seen[name] {
			t.Fatalf("NewDirectRoomName() gave %q twice", name)
		}
		seen[name] = true
	}
}
