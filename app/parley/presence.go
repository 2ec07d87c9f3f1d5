package parley

import "slices"

// OnlineList is what a room's pages show of who is in it: how many people
// are online, and the first OnlineListSize of them by name (Listed); the
// others are summed up ("and 12 more").
type OnlineList struct {
	Online int
	Listed []User
}

// More is how many online people the list does not name.
func (l OnlineList) More() int { return max(l.Online-len(l.Listed), 0) }

// Equal reports whether a page showing l already shows next.
func (l OnlineList) Equal(next OnlineList) bool {
	if l.Online != next.Online || len(l.Listed) != len(next.Listed) {
		return false
	}
	for i := range l.Listed {
		if !sameListing(l.Listed[i], next.Listed[i]) {
			return false
		}
	}
	return true
}

// PresenceChange is what a page that shows one online list needs to show
// the next: the count and the "and N more" line when they changed, and the
// people who left or joined the named part of the list. A page applies
// Left first, then Joined, each in order.
type PresenceChange struct {
	// Online is the new count; CountChanged tells whether it differs.
	Online       int
	CountChanged bool
	// More is the new number of people not named; MoreChanged tells
	// whether it differs.
	More        int
	MoreChanged bool
	// Left are the IDs of the people no longer named, in list order.
	Left []int64
	// Joined are the people newly named, in list order.
	Joined []ListedPerson
}

// ListedPerson is a person newly named in an online list, and where:
// before the person with ID Before, who was named already and still is,
// or at the end of the named people when Before is 0.
type ListedPerson struct {
	User   User
	Before int64
}

// Empty reports whether the change changes nothing on a page.
func (c PresenceChange) Empty() bool {
	return !c.CountChanged && !c.MoreChanged && len(c.Left) == 0 && len(c.Joined) == 0
}

// ChangeTo returns what turns a page showing l into one showing next. Both
// lists are sorted the same way, so the people named in both keep their
// order, and each newcomer goes before the next of them.
func (l OnlineList) ChangeTo(next OnlineList) PresenceChange {
	c := PresenceChange{
		Online:       next.Online,
		CountChanged: l.Online != next.Online,
		More:         next.More(),
		MoreChanged:  l.More() != next.More(),
	}
	before := make(map[int64]User, len(l.Listed))
	for _, u := range l.Listed {
		before[u.ID] = u
	}
	kept := make(map[int64]bool, len(next.Listed))
	for _, u := range next.Listed {
		if old, ok := before[u.ID]; ok && sameListing(old, u) {
			kept[u.ID] = true
		}
	}
	for _, u := range l.Listed {
		if !kept[u.ID] {
			c.Left = append(c.Left, u.ID)
		}
	}
	// Walk backwards, so that each newcomer knows the next person kept.
	var anchor int64
	for i := len(next.Listed) - 1; i >= 0; i-- {
		u := next.Listed[i]
		if kept[u.ID] {
			anchor = u.ID
			continue
		}
		c.Joined = append(c.Joined, ListedPerson{User: u, Before: anchor})
	}
	slices.Reverse(c.Joined)
	return c
}

// sameListing reports whether two users look the same in an online list:
// a person whose name or badges changed is taken off and listed anew.
func sameListing(a, b User) bool {
	return a.ID == b.ID && a.DisplayName == b.DisplayName && a.Provider == b.Provider && a.Admin == b.Admin
}
