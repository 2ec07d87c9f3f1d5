package parley_test

import (
	"testing"

	"github.com/parleychat/parley/app/parley"
)

func TestAccessTo(t *testing.T) {
	room := parley.Room{ID: 3, Name: "general"}
	ann := parley.User{ID: 1, DisplayName: "ann"}
	mod := parley.User{ID: 2, DisplayName: "mod", Admin: true}
	tests := []struct {
		name string
		user parley.User
		room parley.Room
		want parley.Access
	}{
		{"nobody signed in", parley.User{}, room, parley.Access{}},
		{"an admin's flag without a user", parley.User{Admin: true}, room, parley.Access{}},
		{"a signed-in person, a public room", ann, room, parley.Access{Read: true, Post: true}},
		{"an admin", mod, room, parley.Access{Read: true, Post: true, Moderate: true}},
		{"no room", ann, parley.Room{}, parley.Access{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parley.AccessTo(tt.user, tt.room); got != tt.want {
				t.Errorf("AccessTo(%+v, %+v) = %+v, want %+v", tt.user, tt.room, got, tt.want)
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
