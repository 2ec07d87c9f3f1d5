package parley

// Access is what one person may do in one room. AccessTo decides it, and
// every path that touches a room asks AccessTo instead of deciding for
// itself: the room's page, its older messages, its socket, deleting one
// of its messages (and, as they come, its members, search, files and the
// API). A room a person may not read answers exactly as a room that does
// not exist.
type Access struct {
	// Read is whether the room exists for them: its page, its messages
	// and who is there.
	Read bool
	// Post is whether they may send messages in it. A mute is the
	// person's, in every room, and the send path checks it on top.
	Post bool
	// Moderate is whether they may delete anyone's message in it.
	Moderate bool
}

// AccessTo decides what u may do in room. Nobody may do anything without
// being signed in (u.ID 0); every room is public for now, so whoever is
// signed in reads and posts in each, and admins moderate them all.
func AccessTo(u User, room Room) Access {
	if u.ID == 0 || room.ID == 0 {
		return Access{}
	}
	return Access{Read: true, Post: true, Moderate: u.Admin}
}

// MayDelete reports whether u, having this access to m's room, may
// delete m: its author or a moderator may, and nobody who cannot read the
// room.
func (a Access) MayDelete(u User, m Message) bool {
	return a.Read && u.ID != 0 && (a.Moderate || u.ID == m.UserID)
}
