package parley

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Limits of the product, as SPEC.md states them.
const (
	MinUsernameLength = 3
	MaxUsernameLength = 32
	MinPasswordLength = 8
	// MaxPasswordBytes is bcrypt's limit: it ignores anything longer.
	MaxPasswordBytes = 72
	// MaxMessageLength counts characters (runes), not bytes.
	MaxMessageLength = 1000
	// HistorySize is how many stored messages the chat page shows, and how
	// many each "Load earlier messages" adds.
	HistorySize = 50
	// OnlineListSize is how many people the online list names; the rest
	// are summed up ("and 12 more").
	OnlineListSize    = 100
	MinRoomNameLength = 2
	MaxRoomNameLength = 32
	// DefaultRoom always exists: everyone lands there.
	DefaultRoom = "general"
)

// Validation errors, worded for the person who filled in the form.
var (
	ErrUsernameLength  = errors.New("Username must be 3 to 32 characters long.")
	ErrUsernameChars   = errors.New("Username may contain only letters, digits, _, - and .")
	ErrPasswordShort   = errors.New("Password must be at least 8 characters long.")
	ErrPasswordLong    = errors.New("Password must be at most 72 bytes long.")
	ErrMessageTooLong  = errors.New("Message is too long: at most 1000 characters.")
	ErrMessageEncoding = errors.New("Message is not valid UTF-8 text.")
	ErrRoomNameLength  = errors.New("Room name must be 2 to 32 characters long.")
	ErrRoomNameChars   = errors.New("Room name may contain only a-z, 0-9 and -, and must start with a letter or digit.")
)

// ValidateUsername checks a local account name: 3 to 32 ASCII letters,
// digits, '_', '-' or '.'.
func ValidateUsername(name string) error {
	if len(name) < MinUsernameLength || len(name) > MaxUsernameLength {
		return ErrUsernameLength
	}
	for _, r := range name {
		if !isUsernameRune(r) {
			return ErrUsernameChars
		}
	}
	return nil
}

func isUsernameRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	case r == '_', r == '-', r == '.':
		return true
	}
	return false
}

// ValidatePassword checks a new password's length.
func ValidatePassword(password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return ErrPasswordShort
	}
	if len(password) > MaxPasswordBytes {
		return ErrPasswordLong
	}
	return nil
}

// NormalizeMessage trims the text of a chat message and checks it. An empty
// result with a nil error means there is nothing to send. A NUL character
// is refused as invalid text: no person types one, and PostgreSQL cannot
// store it in text, so refusing it here keeps both stores alike.
func NormalizeMessage(text string) (string, error) {
	if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
		return "", ErrMessageEncoding
	}
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) > MaxMessageLength {
		return "", ErrMessageTooLong
	}
	return text, nil
}

// NormalizeRoomName trims a room name typed into a form and lowercases it,
// so "Random " names the room random; ValidateRoomName then checks it.
func NormalizeRoomName(name string) string {
	return strings.ToLower(strings.TrimSpace(name))
}

// ValidateRoomName checks a room name: 2 to 32 of a-z, 0-9 and '-',
// starting with a letter or digit, so that it is safe in a URL as it is.
func ValidateRoomName(name string) error {
	if len(name) < MinRoomNameLength || len(name) > MaxRoomNameLength {
		return ErrRoomNameLength
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case r == '-' && i > 0:
		default:
			return ErrRoomNameChars
		}
	}
	return nil
}
