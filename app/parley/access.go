package parley

import "context"

// Access is what one person may do in one room. AccessTo decides it, and
// every path that touches a room asks it (through RoomAccess, which looks
// up the membership it needs) instead of deciding for itself: the room's
// page, its older messages, its members, its socket, deleting one of its
// messages, joining and leaving it (and, as they come, search, files and
// the API). A room a person may not read answers exactly as a room that
// does not exist.
type Access struct {
	// Read is whether the room exists for them: its page, its messages,
	// its members and who is there.
	Read bool
	// Post is whether they may send messages in it. A mute is the
	// person's, in every room, and the send path checks it on top.
	Post bool
	// Moderate is whether they may delete anyone's message in it.
	Moderate bool
	// AddMembers is whether they may add people to it (a private room).
	AddMembers bool
	// RemoveMembers is whether they may take people out of it (a private
	// room: its creator and admins among its members).
	RemoveMembers bool
	// Leave is whether they may leave it (public rooms they have joined
	// and private rooms they are in; nobody leaves a direct conversation).
	Leave bool
}

// AccessTo decides what u may do in room, member telling whether u is one
// of its members. Nobody signed in (u.ID 0, as a banned person, who has no
// session) may do anything. A public room is read and written by everyone
// signed in and moderated by admins; joining one only puts it in the
// sidebar. A private room or a direct conversation exists for its members
// alone: an admin who is not a member has no more access than anyone
// else, and moderates it only as a member.
func AccessTo(u User, room Room, member bool) Access {
	if u.ID == 0 || room.ID == 0 {
		return Access{}
	}
	switch room.Kind {
	case RoomPublic:
		return Access{Read: true, Post: true, Moderate: u.Admin, Leave: member}
	case RoomPrivate:
		if !member {
			return Access{}
		}
		creator := room.CreatedBy != 0 && room.CreatedBy == u.ID
		return Access{Read: true, Post: true, Moderate: u.Admin, AddMembers: true,
			RemoveMembers: creator || u.Admin, Leave: true}
	case RoomDirect:
		if !member {
			return Access{}
		}
		return Access{Read: true, Post: true, Moderate: u.Admin}
	}
	return Access{} // a kind this build does not know: nobody reads it
}

// MembershipReader answers whether someone is a member of a room.
type MembershipReader interface {
	IsMember(ctx context.Context, roomID, userID int64) (bool, error)
}

// RoomAccess is AccessTo with the membership looked up in members, which
// public rooms need only for Leave and the others for everything.
func RoomAccess(ctx context.Context, members MembershipReader, u User, room Room) (Access, error) {
	if u.ID == 0 || room.ID == 0 {
		return Access{}, nil
	}
	member, err := members.IsMember(ctx, room.ID, u.ID)
	if err != nil {
		return Access{}, err
	}
	return AccessTo(u, room, member), nil
}

// MayDelete reports whether u, having this access to m's room, may
// delete m: its author or a moderator may, and nobody who cannot read the
// room.
func (a Access) MayDelete(u User, m Message) bool {
	return a.Read && u.ID != 0 && (a.Moderate || u.ID == m.UserID)
}
