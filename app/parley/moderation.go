package parley

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// ActionKind names what a moderation action did.
type ActionKind string

// The moderation actions the log records.
const (
	ActionDelete ActionKind = "delete"
	ActionMute   ActionKind = "mute"
	ActionUnmute ActionKind = "unmute"
	ActionBan    ActionKind = "ban"
	ActionUnban  ActionKind = "unban"
	ActionGrant  ActionKind = "grant admin"
	ActionRevoke ActionKind = "revoke admin"
)

// Action is one entry of the moderation log: who did what to whom, and
// when.
type Action struct {
	ID   int64
	Kind ActionKind
	// Actor is who acted; its ID is 0 when the action came from the
	// command line (`parley admin grant`).
	Actor User
	// Target is the person acted on: the author, for a deletion.
	Target User
	// MessageID and MessageText are the deleted message, for deletions.
	MessageID   int64
	MessageText string
	// Until is when a mute ends, for mutes.
	Until     time.Time
	CreatedAt time.Time
}

// Mute is a person who may read but not send, until a time.
type Mute struct {
	User  User
	Until time.Time
}

// Ban is a person who may not sign in.
type Ban struct {
	User  User
	Since time.Time
}

// AdminLogSize is how many of the latest moderation actions /admin shows.
const AdminLogSize = 100

// Limits of a mute, in minutes: one minute to one week.
const (
	MinMuteMinutes = 1
	MaxMuteMinutes = 7 * 24 * 60
)

// Moderation errors, worded for the admin who filled in the form.
var (
	ErrMuteMinutes = errors.New("Minutes must be a whole number from 1 to 10080 (one week).")
	ErrAccountName = errors.New("Give a username, or provider:name for an account that signs in with a provider (for example github:octocat).")
)

// ParseMuteMinutes reads how long a mute lasts: a whole number of minutes
// from MinMuteMinutes to MaxMuteMinutes.
func ParseMuteMinutes(raw string) (time.Duration, error) {
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || n < MinMuteMinutes || n > MaxMuteMinutes {
		return 0, ErrMuteMinutes
	}
	return time.Duration(n) * time.Minute, nil
}

// providers are the provider names an account name may start with.
var providers = []string{"github", "google", "gitlab", "oidc"}

// ParseAccountName splits the name moderators give for a person: a local
// username ("alice", any case), or provider:name for an account that signs
// in with a provider ("github:octocat"). Usernames cannot hold a colon, so
// the two never clash.
func ParseAccountName(s string) (provider, name string, err error) {
	s = strings.TrimSpace(s)
	p, n, found := strings.Cut(s, ":")
	if !found {
		if ValidateUsername(s) != nil {
			return "", "", ErrAccountName
		}
		return "", s, nil
	}
	p = strings.ToLower(p)
	n = strings.TrimSpace(n)
	for _, known := range providers {
		if p == known && n != "" {
			return p, n, nil
		}
	}
	return "", "", ErrAccountName
}

// AccountName is the name ParseAccountName reads back to u: the username
// of a local account, provider:display name for any other.
func (u User) AccountName() string {
	if u.Provider == "" {
		return u.Username
	}
	return u.Provider + ":" + u.DisplayName
}
