package parley_test

import (
	"errors"
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
	}
	for _, tt := range tests {
		got, err := parley.NormalizeMessage(tt.text)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("NormalizeMessage(%.20q…): got %.20q, %v; want %.20q, %v", tt.text, got, err, tt.want, tt.err)
		}
	}
}

func FuzzNormalizeMessage(f *testing.F) {
	for _, seed := range []string{"hello", "  ", "\xff", strings.Repeat("é", 1001), "<script>"} {
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
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > parley.MaxMessageLength || got != strings.TrimSpace(got) {
			t.Errorf("NormalizeMessage(%q) = %q: not trimmed valid text of at most 1000 characters", text, got)
		}
	})
}
