package parley_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parleychat/parley/app/parley"
)

func TestValidateUsername(t *testing.T) {
	tests := []struct {
		name string
		want error
	}{
		{"bob", nil},
		{"Ada.Lovelace_1815-x", nil},
		{strings.Repeat("a", 32), nil},
		{"ab", parley.ErrUsernameLength},
		{strings.Repeat("a", 33), parley.ErrUsernameLength},
		{"", parley.ErrUsernameLength},
		{"bob smith", parley.ErrUsernameChars},
		{"bøb", parley.ErrUsernameChars},
		{"<b>x</b>", parley.ErrUsernameChars},
		{"bob\x00", parley.ErrUsernameChars},
		{"алиса", parley.ErrUsernameChars}, // 10 bytes, letters, but not ASCII: look-alikes of Latin names
	}
	for _, tt := range tests {
		if got := parley.ValidateUsername(tt.name); !errors.Is(got, tt.want) {
			t.Errorf("ValidateUsername(%q): got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		password string
		want     error
	}{
		{"12345678", nil},
		{"ééééééé", parley.ErrPasswordShort}, // 7 characters, 14 bytes
		{"éééééééé", nil},
		{"short", parley.ErrPasswordShort},
		{strings.Repeat("p", 72), nil},
		{strings.Repeat("p", 73), parley.ErrPasswordLong}, // bcrypt would ignore the rest
	}
	for _, tt := range tests {
		if got := parley.ValidatePassword(tt.password); !errors.Is(got, tt.want) {
			t.Errorf("ValidatePassword(%q): got %v, want %v", tt.password, got, tt.want)
		}
	}
}

func TestNormalizeMessage(t *testing.T) {
	tests := []struct {
		text, want string
		err        error
	}{
		{"  hello \n", "hello", nil},
		{"   ", "", nil},
		{"", "", nil},
		{strings.Repeat("é", 1000), strings.Repeat("é", 1000), nil},
		{strings.Repeat("é", 1001), "", parley.ErrMessageTooLong},
		{" " + strings.Repeat("x", 1000) + " ", strings.Repeat("x", 1000), nil}, // trimmed before counting
		{"bad \xff byte", "", parley.ErrMessageEncoding},
		{"nul \x00 byte", "", parley.ErrMessageEncoding},
		{"\x00", "", parley.ErrMessageEncoding},
	}
	for _, tt := range tests {
		got, err := parley.NormalizeMessage(tt.text)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("NormalizeMessage(%.20q…): got %.20q, %v; want %.20q, %v", tt.text, got, err, tt.want, tt.err)
		}
	}
}

func FuzzNormalizeMessage(f *testing.F) {
	for _, seed := range []string{"hello", "  ", "\xff", "a\x00b", strings.Repeat("é", 1001), "<script>"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, err := parley.NormalizeMessage(text)
		if err != nil {
			if got != "" {
				t.Errorf("error %v with text %q, want no text", err, got)
			}
			return
		}
		if !utf8.ValidString(got) || strings.ContainsRune(got, 0) || utf8.RuneCountInString(got) > parley.MaxMessageLength || got != strings.TrimSpace(got) {
			t.Errorf("NormalizeMessage(%q) = %q: not trimmed valid text of at most 1000 characters", text, got)
		}
	})
}

func TestValidateRoomName(t *testing.T) {
	tests := []struct {
		name string
		want error
	}{
		{"general", nil},
		{"go-nuts", nil},
		{"a1", nil},
		{strings.Repeat("a", 32), nil},
		{"2024-plans", nil},
		{"x-", nil},
		{"", parley.ErrRoomNameLength},
		{"a", parley.ErrRoomNameLength},
		{strings.Repeat("a", 33), parley.ErrRoomNameLength},
		{"-x", parley.ErrRoomNameChars},
		{"Go", parley.ErrRoomNameChars},
		{"go nuts", parley.ErrRoomNameChars},
		{"go_nuts", parley.ErrRoomNameChars},
		{"café", parley.ErrRoomNameChars},
		{"ro/om", parley.ErrRoomNameChars},
		{"x\x00", parley.ErrRoomNameChars},
	}
	for _, tt := range tests {
		if got := parley.ValidateRoomName(tt.name); !errors.Is(got, tt.want) {
			t.Errorf("ValidateRoomName(%q): got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNormalizeRoomName(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"  Random ", "random"},
		{"general", "general"},
		{"\tGo-Nuts\n", "go-nuts"},
		{"   ", ""},
		{"go nuts", "go nuts"}, // inner spaces stay, for ValidateRoomName to refuse
	}
	for _, tt := range tests {
		if got := parley.NormalizeRoomName(tt.name); got != tt.want {
			t.Errorf("NormalizeRoomName(%q): got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestNoticeName(t *testing.T) {
	tests := []struct {
		user parley.User
		want string
	}{
		{parley.User{Username: "alice", DisplayName: "alice"}, "alice"},
		{parley.User{DisplayName: "alice", Provider: "github"}, "alice (GitHub)"},
		{parley.User{DisplayName: "Bob Smith", Provider: "google"}, "Bob Smith (Google)"},
		{parley.User{DisplayName: "carol", Provider: "gitlab"}, "carol (GitLab)"},
		{parley.User{DisplayName: "dave", Provider: "oidc"}, "dave (SSO)"},
	}
	for _, tt := range tests {
		if got := tt.user.NoticeName(); got != tt.want {
			t.Errorf("User{DisplayName: %q, Provider: %q}.NoticeName(): got %q, want %q",
				tt.user.DisplayName, tt.user.Provider, got, tt.want)
		}
	}
}

// roomNamePattern is SPEC.md's rule for room names: 2 to 32 of a-z, 0-9
// and -, starting with a letter or digit.
var roomNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)

func FuzzValidateRoomName(f *testing.F) {
	for _, seed := range []string{"general", "go-nuts", "a1", "-x", "Go", "a", "", "café", "x\x00", "ro/om", strings.Repeat("a", 33)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := parley.ValidateRoomName(name)
		if err == nil && !roomNamePattern.MatchString(name) {
			t.Errorf("ValidateRoomName(%q) accepted a name that does not match %s", name, roomNamePattern)
		}
		if err != nil && roomNamePattern.MatchString(name) {
			t.Errorf("ValidateRoomName(%q) = %v for a name that matches %s", name, err, roomNamePattern)
		}
		if err != nil && !errors.Is(err, parley.ErrRoomNameLength) && !errors.Is(err, parley.ErrRoomNameChars) {
			t.Errorf("ValidateRoomName(%q) = %v, want ErrRoomNameLength or ErrRoomNameChars", name, err)
		}
	})
}
