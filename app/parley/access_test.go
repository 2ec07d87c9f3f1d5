package parley_test

import (
	"context"
	"errors"
	"testing"

	"github.com/parleychat/parley/app/parley"
)

func TestAccessTo(t *testing.T) {
	const creatorID = 7
	ann := parley.User{ID: 1, DisplayName: "ann"}
	creator := parley.User{ID: creatorID, DisplayName: "cy"}
	admin := parley.User{ID: 2, DisplayName: "mod", Admin: true}
	// A banned person has no session: every path sees nobody signed in.
	banned := parley.User{}
	signedOut := parley.User{}
	public := parley.Room{ID: 3, Name: "general", Kind: parley.RoomPublic}
	private := parley.Room{ID: 4, Name: "hiring", Kind: parley.RoomPrivate, CreatedBy: creatorID}
	direct := parley.Room{ID: 5, Name: "dm-0123456789abcdef", Kind: parley.RoomDirect}
	unknownKind := parley.Room{ID: 6, Name: "future", Kind: parley.RoomKind(9)}

	none := parley.Access{}
	reader := parley.Access{Read: true, Post: true}
	tests := []struct {
		name   string
		user   parley.User
		room   parley.Room
		member bool
		want   parley.Access
	}{
		{"public, member", ann, public, true, parley.Access{Read: true, Post: true, Leave: true}},
		{"public, non-member", ann, public, false, reader},
		{"public, its creator", creator, public, true, parley.Access{Read: true, Post: true, Leave: true}},
		{"public, admin", admin, public, false, parley.Access{Read: true, Post: true, Moderate: true}},
		{"public, banned", banned, public, true, none},
		{"public, signed out", signedOut, public, false, none},

		{"private, member", ann, private, true, parley.Access{Read: true, Post: true, AddMembers: true, Leave: true}},
		{"private, non-member", ann, private, false, none},
		{"private, its creator", creator, private, true,
			parley.Access{Read: true, Post: true, AddMembers: true, RemoveMembers: true, Leave: true}},
		{"private, its creator once out of it", creator, private, false, none},
		{"private, admin member", admin, private, true,
			parley.Access{Read: true, Post: true, Moderate: true, AddMembers: true, RemoveMembers: true, Leave: true}},
		{"private, admin non-member", admin, private, false, none},
		{"private, banned", banned, private, true, none},
		{"private, signed out", signedOut, private, false, none},

		{"direct, one of its people", ann, direct, true, reader},
		{"direct, someone else", ann, direct, false, none},
		{"direct, admin among its people", admin, direct, true, parley.Access{Read: true, Post: true, Moderate: true}},
		{"direct, admin outside it", admin, direct, false, none},
		{"direct, banned", banned, direct, true, none},
		{"direct, signed out", signedOut, direct, false, none},

		{"a kind this build does not know", admin, unknownKind, true, none},
		{"no room", ann, parley.Room{}, true, none},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parley.AccessTo(tt.user, tt.room, tt.member); got != tt.want {
				t.Errorf("AccessTo(%s, %s room, member %v) = %+v, want %+v", tt.user.DisplayName, tt.room.Kind, tt.member, got, tt.want)
			}
		})
	}
}

func TestMayDelete(t *testing.T) {
	ann := parley.User{ID: 1}
	bo := parley.User{ID: 2}
	mod := parley.User{ID: 3, Admin: true}
	annsMessage := parley.Message{ID: 10, UserID: ann.ID}
	reader := parley.Access{Read: true, Post: true}
	tests := []struct {
		name   string
		access parley.Access
		user   parley.User
		want   bool
	}{
		{"its author", reader, ann, true},
		{"someone else", reader, bo, false},
		{"a moderator", parley.Access{Read: true, Post: true, Moderate: true}, mod, true},
		{"its author, no longer reading the room", parley.Access{}, ann, false},
		{"a moderator's flag without reading the room", parley.Access{Moderate: true}, mod, false},
		{"nobody signed in", reader, parley.User{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.access.MayDelete(tt.user, annsMessage); got != tt.want {
				t.Errorf("%+v.MayDelete(%+v, ann's message) = %v, want %v", tt.access, tt.user, got, tt.want)
			}
		})
	}
}

// members is a membership of fixed answers.
type members struct {
	of  map[[2]int64]bool
	err error
}

func (m members) IsMember(_ context.Context, roomID, userID int64) (bool, error) {
	return m.of[[2]int64{roomID, userID}], m.err
}

func TestRoomAccessLooksUpTheMembership(t *testing.T) {
	ann := parley.User{ID: 1}
	private := parley.Room{ID: 4, Kind: parley.RoomPrivate}
	in := members{of: map[[2]int64]bool{{4, 1}: true}}
	if got, err := parley.RoomAccess(t.Context(), in, ann, private); err != nil || !got.Read {
		t.Errorf("a member: %+v, %v; want Read", got, err)
	}
	if got, err := parley.RoomAccess(t.Context(), members{}, ann, private); err != nil || got.Read {
		t.Errorf("a non-member: %+v, %v; want nothing", got, err)
	}
	broken := errors.New("database gone")
	if _, err := parley.RoomAccess(t.Context(), members{err: broken}, ann, private); !errors.Is(err, broken) {
		t.Errorf("a store that fails: %v, want its error", err)
	}
}
