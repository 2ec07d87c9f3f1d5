package chat

import (
	"fmt"
	"slices"
	"testing"

	"github.com/parleychat/parley/app/parley"
)

// roomOf is a room with one socket for each of these people.
func roomOf(users ...parley.User) *hubRoom {
	r := newHubRoom(1)
	for _, u := range users {
		r.add(&client{user: u})
	}
	return r
}

func named(id int64, name string) parley.User { return parley.User{ID: id, DisplayName: name} }

// manyPeople are n users named p0000, p0001, ...
func manyPeople(n int) []parley.User {
	users := make([]parley.User, n)
	for i := range users {
		users[i] = named(int64(i+1), fmt.Sprintf("p%04d", i))
	}
	return users
}

// TestAdvanceChangesOnlyWhatPagesShow: each flush's change, from the
// room's sort order, names the people who enter or leave the first 100,
// and nothing else.
func TestAdvanceChangesOnlyWhatPagesShow(t *testing.T) {
	tests := []struct {
		name string
		// start are the people in the room before; then one arrives or
		// leaves.
		start      []parley.User
		arrive     *parley.User
		leave      int64
		wantLeft   []int64
		wantJoined []int64
		wantBefore []int64
		wantCount  bool
		wantMore   bool
	}{
		{name: "arrival beyond the first 100", start: manyPeople(150), arrive: ptr(named(999, "zz")), wantCount: true, wantMore: true},
		{name: "departure beyond the first 100", start: manyPeople(150), leave: 150, wantCount: true, wantMore: true},
		{name: "arrival inside the first 100 pushes the 100th out", start: manyPeople(150), arrive: ptr(named(999, "p0000a")),
			wantLeft: []int64{100}, wantJoined: []int64{999}, wantBefore: []int64{2}, wantCount: true, wantMore: true},
		{name: "departure inside the first 100 lets the 101st in", start: manyPeople(150), leave: 5,
			wantLeft: []int64{5}, wantJoined: []int64{101}, wantBefore: []int64{0}, wantCount: true, wantMore: true},
		{name: "arrival in a small room", start: manyPeople(3), arrive: ptr(named(999, "p0001x")),
			wantJoined: []int64{999}, wantBefore: []int64{3}, wantCount: true},
		// Names that differ only in case tie on the sort key: the exact
		// name decides (upper case first), then the ID.
		{name: "a name that ties without case", start: []parley.User{named(1, "ann"), named(2, "bob")}, arrive: ptr(named(3, "Ann")),
			wantJoined: []int64{3}, wantBefore: []int64{1}, wantCount: true},
		{name: "the same name twice", start: []parley.User{named(1, "ann"), named(2, "bob")}, arrive: ptr(named(3, "ann")),
			wantJoined: []int64{3}, wantBefore: []int64{2}, wantCount: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := roomOf(tt.start...)
			r.advance()
			if r.gen != 1 {
				t.Fatalf("gen = %d after the first flush, want 1", r.gen)
			}
			page := slices.Clone(r.shown.Listed)
			if tt.arrive != nil {
				r.add(&client{user: *tt.arrive})
			} else {
				for c := range r.clients {
					if c.user.ID == tt.leave {
						r.remove(c)
					}
				}
			}
			r.advance()
			if r.gen != 2 {
				t.Fatalf("gen = %d after a change, want 2", r.gen)
			}
			c := r.change
			var joined, before []int64
			for _, p := range c.Joined {
				joined, before = append(joined, p.User.ID), append(before, p.Before)
			}
			if !slices.Equal(c.Left, tt.wantLeft) || !slices.Equal(joined, tt.wantJoined) || !slices.Equal(before, tt.wantBefore) {
				t.Errorf("change takes off %v and lists %v before %v; want %v, %v before %v", c.Left, joined, before, tt.wantLeft, tt.wantJoined, tt.wantBefore)
			}
			if c.CountChanged != tt.wantCount || c.MoreChanged != tt.wantMore {
				t.Errorf("count changed %v, more changed %v; want %v, %v", c.CountChanged, c.MoreChanged, tt.wantCount, tt.wantMore)
			}
			// The page, changed, shows what the room lists now.
			for _, id := range c.Left {
				page = slices.DeleteFunc(page, func(u parley.User) bool { return u.ID == id })
			}
			for _, p := range c.Joined {
				i := len(page)
				if p.Before != 0 {
					i = slices.IndexFunc(page, func(u parley.User) bool { return u.ID == p.Before })
				}
				page = slices.Insert(page, i, p.User)
			}
			if got, want := userIDs(page), userIDs(r.listed(parley.OnlineListSize)); !slices.Equal(got, want) {
				t.Errorf("page lists %v, room lists %v", got, want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func userIDs(users []parley.User) []int64 {
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids
}

// TestAdvanceWithoutChangeKeepsTheGeneration: a flush after arrivals and
// departures that cancel out (or a snapshot from another instance that
// adds nobody new) changes nothing, so no socket is sent anything.
func TestAdvanceWithoutChangeKeepsTheGeneration(t *testing.T) {
	r := roomOf(manyPeople(3)...)
	r.advance()
	c := &client{user: named(9, "late")}
	r.add(c)
	r.remove(c)
	r.advance()
	if r.gen != 1 {
		t.Errorf("gen = %d after a flush that changed nothing, want 1", r.gen)
	}
}
