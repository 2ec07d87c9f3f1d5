package parley

import (
	"context"
	"time"
)

// StoreTimeout bounds the store calls made for one HTTP request or one
// websocket frame, in app/web and app/chat alike, so that a database that
// stops answering fails that request instead of holding it.
const StoreTimeout = 5 * time.Second

// Store is everything Parley keeps: the composition of the per-entity
// stores below. The SQLite adapter (one process) and the PostgreSQL
// adapter (several instances) implement it alike; the contract tests in
// app/storetest hold both to it. Consumers take only the entity stores
// (or smaller interfaces of their own) that they use.
type Store interface {
	UserStore
	SessionStore
	RoomStore
	MembershipStore
	MessageStore
	ModerationStore
	OAuthStateStore
	MaintenanceStore
}

// UserStore keeps the accounts: local ones with a password hash, and
// those created through an OAuth provider.
type UserStore interface {
	// CreateUser adds a local account. It returns ErrUsernameTaken when the
	// name is in use in any letter case.
	CreateUser(ctx context.Context, username string, passwordHash []byte) (User, error)
	// UserByUsername finds a local account by name, in any letter case, and
	// returns its password hash.
	UserByUsername(ctx context.Context, username string) (User, []byte, error)
	// UserByName finds an account by the name moderators use: provider ""
	// means a local account by username, in any letter case; otherwise the
	// account created through that provider whose display name is name, in
	// any letter case. It returns ErrNotFound, or ErrAmbiguousName when
	// several provider accounts share the display name.
	UserByName(ctx context.Context, provider, name string) (User, error)
	// RecordLogin notes a sign-in with a password: time and count.
	RecordLogin(ctx context.Context, userID int64) error
	// SetPreferences keeps the language and time zone a person chose
	// (empty: the browser's language, UTC), which the caller has checked.
	// An unknown user is ErrNotFound.
	SetPreferences(ctx context.Context, userID int64, language, timeZone string) error
	// UpsertIdentity finds the user linked to (provider, provider user ID)
	// or creates one, updates its display name and avatar, and records the
	// sign-in.
	UpsertIdentity(ctx context.Context, id Identity) (User, error)
}

// SessionStore keeps the sign-in sessions, each under the hash of its
// secret ID.
type SessionStore interface {
	// CreateSession stores a session for the user under the hash of its
	// secret ID, valid until expires. It returns ErrBanned, and stores
	// nothing, when the user is banned: no sign-in path can get past a ban.
	CreateSession(ctx context.Context, idHash []byte, userID int64, expires time.Time) error
	// SessionUser returns the user of an unexpired session.
	SessionUser(ctx context.Context, idHash []byte) (User, error)
	// DeleteSession revokes a session; deleting a missing one is not an error.
	DeleteSession(ctx context.Context, idHash []byte) error
}

// RoomStore keeps the rooms.
type RoomStore interface {
	// CreateRoom adds a public room, as CreateRoomOfKind does with
	// RoomPublic. It returns ErrRoomNameTaken when the name is in use.
	CreateRoom(ctx context.Context, name string, createdBy int64) (Room, error)
	// RoomByName finds a room by its exact name, or returns ErrNotFound.
	RoomByName(ctx context.Context, name string) (Room, error)
	// Rooms returns every room of every kind, sorted by name. Which of
	// them a person may see is the caller's decision (AccessTo).
	Rooms(ctx context.Context) ([]Room, error)
}

// MembershipStore keeps who is in which room: the people who joined a
// public room, the members of a private one and the fixed people of a
// direct conversation. Everyone has joined general: the stores make each
// new account a member of it as they create the account. Who may join,
// add or remove whom is the caller's decision; the store only refuses
// what no caller may do (change the people of a direct conversation).
type MembershipStore interface {
	// CreateRoomOfKind adds a public or private room; its creator (when
	// not 0) is its first member, in the same transaction. It returns
	// ErrRoomNameTaken when the name is in use, ErrNotFound for an
	// unknown creator, and ErrDirectRoomFixed for RoomDirect, which only
	// DirectRoom makes.
	CreateRoomOfKind(ctx context.Context, name string, kind RoomKind, createdBy int64) (Room, error)
	// RoomByID finds a room by its ID, or returns ErrNotFound.
	RoomByID(ctx context.Context, id int64) (Room, error)
	// DirectRoom finds or creates the one direct conversation of exactly
	// the people userIDs names, in any order and with any repetition,
	// and returns it; they are its members. Two calls with the same
	// people at once, on one store or two, return the same room. Fewer
	// than 2 or more than 8 distinct people is ErrDirectRoomSize; an
	// unknown user is ErrNotFound.
	DirectRoom(ctx context.Context, userIDs []int64) (room Room, created bool, err error)
	// JoinRoom makes the user a member of the room; joining again is not
	// an error. An unknown room or user is ErrNotFound; a direct
	// conversation the user is not one of the people of is
	// ErrDirectRoomFixed.
	JoinRoom(ctx context.Context, roomID, userID int64) error
	// LeaveRoom takes the user out of the room's members. It returns
	// ErrNoChange when they are not a member (also of an unknown room),
	// and ErrDirectRoomFixed for a direct conversation.
	LeaveRoom(ctx context.Context, roomID, userID int64) error
	// IsMember reports whether the user is a member of the room; an
	// unknown room or user is not an error, only no member.
	IsMember(ctx context.Context, roomID, userID int64) (bool, error)
	// Members returns the members of a room, sorted by display name
	// without regard to case (then by ID). An unknown room is
	// ErrNotFound.
	Members(ctx context.Context, roomID int64) ([]User, error)
	// MemberCount returns how many members a room has. An unknown room is
	// ErrNotFound.
	MemberCount(ctx context.Context, roomID int64) (int, error)
	// MemberCounts returns the number of members of every room that has
	// any, by room ID, for the lists of rooms.
	MemberCounts(ctx context.Context) (map[int64]int, error)
	// RoomsOf returns the rooms the user is a member of, of every kind,
	// sorted by name: the rooms of their sidebar. An unknown user is
	// ErrNotFound.
	RoomsOf(ctx context.Context, userID int64) ([]Room, error)
}

// MessageStore keeps the messages of the rooms. Deleting one is a
// moderation action: see ModerationStore.DeleteMessage.
type MessageStore interface {
	// CreateMessage stores a message in a room and returns it with its ID
	// and time. An unknown room or user is ErrNotFound.
	CreateMessage(ctx context.Context, roomID, userID int64, text string) (Message, error)
	// MessagesBefore returns the newest limit messages of a room whose IDs
	// are below before (0: no bound), oldest first.
	MessagesBefore(ctx context.Context, roomID, before int64, limit int) ([]Message, error)
	// MessageByID returns one stored message with its author, or
	// ErrNotFound (also for a deleted one).
	MessageByID(ctx context.Context, id int64) (Message, error)
}

// ModerationStore keeps the admin flags, mutes and bans, and the log of
// every moderation action; each method that moderates writes its log
// entry in the same transaction as the change.
type ModerationStore interface {
	// DeleteMessage removes a message for good, so that no read path
	// shows it again, and records the deletion (with the message's text)
	// as actorID's action in the same transaction. It returns the removed
	// message, or ErrNotFound when there is none of that ID. Who may
	// delete is the caller's decision (Access.MayDelete).
	DeleteMessage(ctx context.Context, actorID, messageID int64) (Message, error)

	// SetAdmin grants (admin true) or revokes the admin flag and records
	// the action as actorID's (0: the command line). It returns
	// ErrNotFound for an unknown user and ErrNoChange when the flag is
	// already so.
	SetAdmin(ctx context.Context, actorID, userID int64, admin bool) error
	// Admins returns every admin, sorted by display name without regard
	// to case.
	Admins(ctx context.Context) ([]User, error)

	// Mute keeps the user from sending messages until until, replacing any
	// mute they have, and records the action. An unknown user is
	// ErrNotFound.
	Mute(ctx context.Context, actorID, userID int64, until time.Time) error
	// Unmute ends the user's mute now and records the action; ErrNoChange
	// when they are not muted.
	Unmute(ctx context.Context, actorID, userID int64) error
	// MutedUntil returns when the user's mute ends, or the zero time when
	// they are not muted (never muted, unmuted, or the mute has run out).
	MutedUntil(ctx context.Context, userID int64) (time.Time, error)
	// Mutes returns the mutes in force, the soonest to end first.
	Mutes(ctx context.Context) ([]Mute, error)

	// Ban bans the user: it deletes every session of theirs, so that no
	// page of theirs stays signed in, and records the action, in one
	// transaction. From then on CreateSession refuses them. An unknown user
	// is ErrNotFound; ErrNoChange when they are banned already.
	Ban(ctx context.Context, actorID, userID int64) error
	// Unban lifts a ban and records the action; ErrNoChange when the user
	// is not banned.
	Unban(ctx context.Context, actorID, userID int64) error
	// Bans returns the banned people, the most recently banned first.
	Bans(ctx context.Context) ([]Ban, error)

	// RecentActions returns the newest limit moderation actions, newest
	// first.
	RecentActions(ctx context.Context, limit int) ([]Action, error)
}

// OAuthStateStore keeps the OAuth sign-ins under way, between the
// redirect to the provider and the person's return.
type OAuthStateStore interface {
	// SaveOAuthState keeps a pending OAuth sign-in under the hash of its
	// state until expires.
	SaveOAuthState(ctx context.Context, stateHash []byte, pending OAuthPending, expires time.Time) error
	// TakeOAuthState returns and deletes a pending, unexpired OAuth sign-in,
	// so that each state is used at most once. It returns ErrNotFound for an
	// unknown, used or expired state.
	TakeOAuthState(ctx context.Context, stateHash []byte) (OAuthPending, error)
}

// MaintenanceStore is the upkeep of the database itself rather than of
// one entity: the expiry sweep, the health check and the close.
type MaintenanceStore interface {
	// DeleteExpired removes expired sessions and OAuth states, which
	// lookups ignore anyway, to keep the store small.
	DeleteExpired(ctx context.Context) error
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close flushes and closes the database.
	Close() error
}
