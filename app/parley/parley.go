// Package parley holds Parley's domain types: users, sessions and chat
// messages, the rules they follow, and the storage interface the adapters
// implement. It knows nothing of HTTP, websockets, SQL or templates.
package parley

import (
	"context"
	"errors"
	"time"
)

// Domain errors. Adapters wrap or return these so that callers can use
// errors.Is without knowing which adapter produced them.
var (
	// ErrNotFound means the requested record does not exist (or has expired).
	ErrNotFound = errors.New("not found")
	// ErrUsernameTaken means another account already uses the name, in any case.
	ErrUsernameTaken = errors.New("username is already taken")
	// ErrRoomNameTaken means a room of that name exists already.
	ErrRoomNameTaken = errors.New("room name is already taken")
	// ErrBanned means the account is banned: it may not sign in.
	ErrBanned = errors.New("account is banned")
	// ErrAmbiguousName means several accounts answer to the name given, so
	// none is picked.
	ErrAmbiguousName = errors.New("several accounts have that name")
	// ErrNoChange means the account is already in the state asked for: an
	// admin made admin again, a ban of someone banned, an unmute of someone
	// not muted. Nothing is changed or recorded.
	ErrNoChange = errors.New("nothing to change")
	// ErrUnavailable means the store cannot do the work now: its database
	// is locked by someone else, full, read-only or not answering in time.
	// Nothing was changed; the same request may succeed later.
	ErrUnavailable = errors.New("database unavailable")
)

// User is a person who can sign in, with a local password or through an
// OAuth provider.
type User struct {
	ID int64
	// Username is the local account name; empty for users who only sign in
	// through a provider.
	Username string
	// DisplayName is what the chat shows: the username for local accounts,
	// the provider's nickname or name for OAuth accounts.
	DisplayName string
	// Provider is empty for local accounts, else the provider the account
	// was created with ("github", "google", "gitlab", "oidc").
	Provider  string
	AvatarURL string
	// Admin marks the people who moderate: they delete any message, mute
	// and ban. `parley admin grant` sets it.
	Admin bool
	// Language is the language the person chose ("en", "es"); empty
	// follows their browser's.
	Language string
	// TimeZone is the IANA time zone the person chose; empty is UTC.
	TimeZone  string
	CreatedAt time.Time
}

// Room is a chat room: its messages, presence and notices are its own.
type Room struct {
	ID int64
	// Name is the room's address (/r/{name}), a lowercase slug that
	// ValidateRoomName accepts.
	Name string
	// CreatedBy is the user who created the room; 0 for general.
	CreatedBy int64
	CreatedAt time.Time
}

// Message is one chat message as stored: the store assigns ID and
// CreatedAt, so that IDs order messages across every server instance.
type Message struct {
	ID             int64
	RoomID         int64
	UserID         int64
	AuthorName     string
	AuthorProvider string
	// AuthorAdmin is whether the author is an admin, for the badge.
	AuthorAdmin bool
	Text        string
	CreatedAt   time.Time
}

// Identity is what an OAuth provider tells us about the person signing in.
type Identity struct {
	Provider       string
	ProviderUserID string
	DisplayName    string
	Email          string
	AvatarURL      string
}

// OAuthPending is what the server keeps between sending a person to an
// OAuth provider and their return to the callback.
type OAuthPending struct {
	Provider string
	// Verifier is the PKCE code verifier; empty when the provider does not
	// use PKCE.
	Verifier string
	// Session is the provider's own marshalled session (goth.Session).
	Session string
}

// Store is everything Parley keeps. The SQLite adapter (one process) and
// the PostgreSQL adapter (several instances) implement it alike; the
// contract tests in app/storetest hold both to it.
type Store interface {
	// CreateUser adds a local account. It returns ErrUsernameTaken when the
	// name is in use in any letter case.
	CreateUser(ctx context.Context, username string, passwordHash []byte) (User, error)
	// UserByUsername finds a local account by name, in any letter case, and
	// returns its password hash.
	UserByUsername(ctx context.Context, username string) (User, []byte, error)
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

	// CreateSession stores a session for the user under the hash of its
	// secret ID, valid until expires. It returns ErrBanned, and stores
	// nothing, when the user is banned: no sign-in path can get past a ban.
	CreateSession(ctx context.Context, idHash []byte, userID int64, expires time.Time) error
	// SessionUser returns the user of an unexpired session.
	SessionUser(ctx context.Context, idHash []byte) (User, error)
	// DeleteSession revokes a session; deleting a missing one is not an error.
	DeleteSession(ctx context.Context, idHash []byte) error

	// CreateRoom adds a room. It returns ErrRoomNameTaken when the name
	// is in use.
	CreateRoom(ctx context.Context, name string, createdBy int64) (Room, error)
	// RoomByName finds a room by its exact name, or returns ErrNotFound.
	RoomByName(ctx context.Context, name string) (Room, error)
	// Rooms returns every room, sorted by name.
	Rooms(ctx context.Context) ([]Room, error)

	// CreateMessage stores a message in a room and returns it with its ID
	// and time. An unknown room or user is ErrNotFound.
	CreateMessage(ctx context.Context, roomID, userID int64, text string) (Message, error)
	// MessagesBefore returns the newest limit messages of a room whose IDs
	// are below before (0: no bound), oldest first.
	MessagesBefore(ctx context.Context, roomID, before int64, limit int) ([]Message, error)

	// MessageByID returns one stored message with its author, or
	// ErrNotFound (also for a deleted one).
	MessageByID(ctx context.Context, id int64) (Message, error)
	// DeleteMessage removes a message for good, so that no read path
	// shows it again, and records the deletion (with the message's text)
	// as actorID's action in the same transaction. It returns the removed
	// message, or ErrNotFound when there is none of that ID. Who may
	// delete is the caller's decision (CanDelete).
	DeleteMessage(ctx context.Context, actorID, messageID int64) (Message, error)

	// UserByName finds an account by the name moderators use: provider ""
	// means a local account by username, in any letter case; otherwise the
	// account created through that provider whose display name is name, in
	// any letter case. It returns ErrNotFound, or ErrAmbiguousName when
	// several provider accounts share the display name.
	UserByName(ctx context.Context, provider, name string) (User, error)
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

	// SaveOAuthState keeps a pending OAuth sign-in under the hash of its
	// state until expires.
	SaveOAuthState(ctx context.Context, stateHash []byte, pending OAuthPending, expires time.Time) error
	// TakeOAuthState returns and deletes a pending, unexpired OAuth sign-in,
	// so that each state is used at most once. It returns ErrNotFound for an
	// unknown, used or expired state.
	TakeOAuthState(ctx context.Context, stateHash []byte) (OAuthPending, error)
	// DeleteExpired removes expired sessions and OAuth states, which
	// lookups ignore anyway, to keep the store small.
	DeleteExpired(ctx context.Context) error

	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close flushes and closes the database.
	Close() error
}
