package parley_test

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/parleychat/parley/app/parley"
)

// people are users 1 to n, named p1 .. pn.
func people(ids ...int64) []parley.User {
	users := make([]parley.User, len(ids))
	for i, id := range ids {
		users[i] = parley.User{ID: id, DisplayName: "p" + strconv.FormatInt(id, 10)}
	}
	return users
}

// apply does to a page's list what a browser does with a change: takes
// off Left, then puts each of Joined before the person it names (or at
// the end); it fails the test when a change names someone the page does
// not show, as htmx would log a swap without a target.
func apply(t *testing.T, page []parley.User, c parley.PresenceChange) []parley.User {
	t.Helper()
	page = slices.Clone(page)
	for _, id := range c.Left {
		i := slices.IndexFunc(page, func(u parley.User) bool { return u.ID == id })
		if i < 0 {
			t.Fatalf("change takes off %d, whom the page does not show", id)
		}
		page = slices.Delete(page, i, i+1)
	}
	for _, p := range c.Joined {
		i := len(page)
		if p.Before != 0 {
			if i = slices.IndexFunc(page, func(u parley.User) bool { return u.ID == p.Before }); i < 0 {
				t.Fatalf("change puts %d before %d, whom the page does not show", p.User.ID, p.Before)
			}
		}
		page = slices.Insert(page, i, p.User)
	}
	return page
}

func ids(users []parley.User) []int64 {
	out := make([]int64, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

func TestPresenceChangeTo(t *testing.T) {
	admin := parley.User{ID: 2, DisplayName: "p2", Admin: true}
	renamed := parley.User{ID: 2, DisplayName: "P2"}
	tests := []struct {
		name       string
		old, next  parley.OnlineList
		wantLeft   []int64
		wantJoined []parley.ListedPerson
		count      bool
		more       bool
	}{
		{"nothing changed", parley.OnlineList{Online: 3, Listed: people(1, 2, 3)}, parley.OnlineList{Online: 3, Listed: people(1, 2, 3)},
			nil, nil, false, false},
		{"first arrival", parley.OnlineList{}, parley.OnlineList{Online: 1, Listed: people(1)},
			nil, []parley.ListedPerson{{User: people(1)[0]}}, true, false},
		{"arrival in the middle", parley.OnlineList{Online: 2, Listed: people(1, 3)}, parley.OnlineList{Online: 3, Listed: people(1, 2, 3)},
			nil, []parley.ListedPerson{{User: people(2)[0], Before: 3}}, true, false},
		{"arrival at the end", parley.OnlineList{Online: 2, Listed: people(1, 2)}, parley.OnlineList{Online: 3, Listed: people(1, 2, 3)},
			nil, []parley.ListedPerson{{User: people(3)[0]}}, true, false},
		{"two arrivals before the same person", parley.OnlineList{Online: 2, Listed: people(1, 4)}, parley.OnlineList{Online: 4, Listed: people(1, 2, 3, 4)},
			nil, []parley.ListedPerson{{User: people(2)[0], Before: 4}, {User: people(3)[0], Before: 4}}, true, false},
		{"departure", parley.OnlineList{Online: 3, Listed: people(1, 2, 3)}, parley.OnlineList{Online: 2, Listed: people(1, 3)},
			[]int64{2}, nil, true, false},
		{"last departure", parley.OnlineList{Online: 1, Listed: people(1)}, parley.OnlineList{},
			[]int64{1}, nil, true, false},
		// A full list of 3 (standing in for 100): someone arriving beyond
		// it changes the count and "and N more", nothing named.
		{"arrival beyond the named", parley.OnlineList{Online: 4, Listed: people(1, 2, 3)}, parley.OnlineList{Online: 5, Listed: people(1, 2, 3)},
			nil, nil, true, true},
		{"departure beyond the named", parley.OnlineList{Online: 5, Listed: people(1, 2, 3)}, parley.OnlineList{Online: 4, Listed: people(1, 2, 3)},
			nil, nil, true, true},
		// Someone arriving among the named pushes the last one out.
		{"arrival inside a full list", parley.OnlineList{Online: 4, Listed: people(1, 3, 4)}, parley.OnlineList{Online: 5, Listed: people(1, 2, 3)},
			[]int64{4}, []parley.ListedPerson{{User: people(2)[0], Before: 3}}, true, true},
		// A named person leaving lets the first of the others in.
		{"departure inside a full list", parley.OnlineList{Online: 5, Listed: people(1, 2, 3)}, parley.OnlineList{Online: 4, Listed: people(1, 3, 4)},
			[]int64{2}, []parley.ListedPerson{{User: people(4)[0]}}, true, true},
		// One arrival and one departure in one flush: same count.
		{"one in, one out", parley.OnlineList{Online: 2, Listed: people(1, 3)}, parley.OnlineList{Online: 2, Listed: people(2, 3)},
			[]int64{1}, []parley.ListedPerson{{User: people(2)[0], Before: 3}}, false, false},
		{"a badge changed", parley.OnlineList{Online: 3, Listed: people(1, 2, 3)}, parley.OnlineList{Online: 3, Listed: []parley.User{people(1)[0], admin, people(3)[0]}},
			[]int64{2}, []parley.ListedPerson{{User: admin, Before: 3}}, false, false},
		{"a name changed only in case", parley.OnlineList{Online: 3, Listed: people(1, 2, 3)}, parley.OnlineList{Online: 3, Listed: []parley.User{people(1)[0], renamed, people(3)[0]}},
			[]int64{2}, []parley.ListedPerson{{User: renamed, Before: 3}}, false, false},
		{"everyone replaced", parley.OnlineList{Online: 2, Listed: people(1, 2)}, parley.OnlineList{Online: 2, Listed: people(3, 4)},
			[]int64{1, 2}, []parley.ListedPerson{{User: people(3)[0]}, {User: people(4)[0]}}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.old.ChangeTo(tt.next)
			if !slices.Equal(c.Left, tt.wantLeft) {
				t.Errorf("Left = %v, want %v", c.Left, tt.wantLeft)
			}
			if !slices.Equal(c.Joined, tt.wantJoined) {
				t.Errorf("Joined = %+v, want %+v", c.Joined, tt.wantJoined)
			}
			if c.CountChanged != tt.count || c.Online != tt.next.Online {
				t.Errorf("count changed %v to %d, want %v to %d", c.CountChanged, c.Online, tt.count, tt.next.Online)
			}
			if c.MoreChanged != tt.more || c.More != tt.next.More() {
				t.Errorf("more changed %v to %d, want %v to %d", c.MoreChanged, c.More, tt.more, tt.next.More())
			}
			if got, want := c.Empty(), tt.old.Equal(tt.next); got != want {
				t.Errorf("Empty() = %v, want %v (the lists are equal: %v)", got, want, want)
			}
			if got := apply(t, tt.old.Listed, c); !slices.Equal(ids(got), ids(tt.next.Listed)) {
				t.Errorf("page shows %v after the change, want %v", ids(got), ids(tt.next.Listed))
			}
		})
	}
}

// TestPresenceChangeToAnyList: whatever two sorted lists, applying the
// change to a page that shows the first makes it show the second.
func TestPresenceChangeToAnyList(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sample := func() parley.OnlineList {
		var listed []int64
		for id := int64(1); id <= 30; id++ {
			if rng.IntN(3) == 0 {
				listed = append(listed, id)
			}
		}
		listed = listed[:min(len(listed), 10)]
		return parley.OnlineList{Online: len(listed) + rng.IntN(3), Listed: people(listed...)}
	}
	for range 2000 {
		old, next := sample(), sample()
		c := old.ChangeTo(next)
		if got := apply(t, old.Listed, c); !slices.Equal(ids(got), ids(next.Listed)) {
			t.Fatalf("from %v to %v: page shows %v after %+v", ids(old.Listed), ids(next.Listed), ids(got), c)
		}
		if c.Empty() != old.Equal(next) {
			t.Fatalf("from %v to %v: Empty() = %v", ids(old.Listed), ids(next.Listed), c.Empty())
		}
	}
}
