package parley

// Change is one thing that changes a room live: every open page of the
// room, on every instance, is to show it. Each kind of change is a type of
// its own that carries what it needs, so that a new kind (a message
// edited, a reaction) is one new type here, its codec on the bus and its
// fragment.
type Change interface {
	// Room is the ID of the room the change is in.
	Room() int64
	// TypeName names the kind of change, for logs and for the bus between
	// instances: short, stable, and unique among the kinds.
	TypeName() string
}

// MessagePosted is a message stored in its room, to be shown.
type MessagePosted struct {
	Message Message
}

// Room is the ID of the message's room.
func (c MessagePosted) Room() int64 { return c.Message.RoomID }

// TypeName is "message posted".
func (MessagePosted) TypeName() string { return "message posted" }

// MessageDeleted is a message deleted from its room (the store has
// deleted it already), to be taken off every page.
type MessageDeleted struct {
	RoomID    int64
	MessageID int64
}

// Room is the ID of the message's room.
func (c MessageDeleted) Room() int64 { return c.RoomID }

// TypeName is "message deleted".
func (MessageDeleted) TypeName() string { return "message deleted" }

// PersonArrived is a person who opened their first socket of a room on an
// instance. User needs ID, DisplayName, Provider, AvatarURL and Admin:
// what the online list and the notices show.
type PersonArrived struct {
	RoomID int64
	User   User
}

// Room is the ID of the room they arrived in.
func (c PersonArrived) Room() int64 { return c.RoomID }

// TypeName is "person arrived".
func (PersonArrived) TypeName() string { return "person arrived" }

// PersonLeft is a person who closed their last socket of a room on an
// instance; User is as in PersonArrived.
type PersonLeft struct {
	RoomID int64
	User   User
}

// Room is the ID of the room they left.
func (c PersonLeft) Room() int64 { return c.RoomID }

// TypeName is "person left".
func (PersonLeft) TypeName() string { return "person left" }

// Each kind of change is a Change.
var (
	_ Change = MessagePosted{}
	_ Change = MessageDeleted{}
	_ Change = PersonArrived{}
	_ Change = PersonLeft{}
)

// MemberRemoved is a person taken out of a private room, or gone from it
// of their own accord: their open pages of the room get a notice in place
// of the form, and their sockets of it close, on every instance.
type MemberRemoved struct {
	RoomID int64
	UserID int64
}

// Room is the ID of the room they are out of.
func (c MemberRemoved) Room() int64 { return c.RoomID }

// TypeName is "member removed".
func (MemberRemoved) TypeName() string { return "member removed" }

// PersonalChange is a change of what one person sees wherever they are:
// it goes to every open page of theirs, in whatever room, on every
// instance, and to nobody else.
type PersonalChange interface {
	// Person is the ID of the person it is for.
	Person() int64
	// TypeName names the kind of change, as Change's does.
	TypeName() string
}

// RoomListed is a room that enters a person's sidebar: one they joined,
// created, were added to, or a direct conversation someone started with
// them. Title is what the sidebar shows for it: "#name", or the other
// people's names for a direct conversation.
type RoomListed struct {
	UserID int64
	Room   Room
	Title  string
}

// Person is the ID of the person whose sidebar it is.
func (c RoomListed) Person() int64 { return c.UserID }

// TypeName is "room listed".
func (RoomListed) TypeName() string { return "room listed" }

// RoomUnlisted is a room that leaves a person's sidebar: one they left or
// were taken out of.
type RoomUnlisted struct {
	UserID int64
	Room   Room
}

// Person is the ID of the person whose sidebar it is.
func (c RoomUnlisted) Person() int64 { return c.UserID }

// TypeName is "room unlisted".
func (RoomUnlisted) TypeName() string { return "room unlisted" }

var (
	_ Change         = MemberRemoved{}
	_ PersonalChange = RoomListed{}
	_ PersonalChange = RoomUnlisted{}
)
