// Package parley holds Parley's domain types: users, sessions and chat
// messages, the rules they follow, and the storage interface the adapters
// implement. It knows nothing of HTTP, websockets, SQL or templates.
package parley

import (
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
	// CreatedBy is the user who created the room; 0 for general and for
	// direct conversations.
	CreatedBy int64
	// Kind is who may read the room: everyone signed in (public, the zero
	// value, as every room made before kinds existed), its members
	// (private) or its fixed people (direct). The people of a room are
	// not carried here but asked of the store (MembershipStore.Members).
	Kind      RoomKind
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
