package parley_test

import (
	"errors"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

func TestParseMuteMinutes(t *testing.T) {
	tests := []struct {
		raw  string
		want time.Duration
		err  error
	}{
		{"1", time.Minute, nil},
		{" 30 ", 30 * time.Minute, nil},
		{"10080", 7 * 24 * time.Hour, nil},
		{"0", 0, parley.ErrMuteMinutes},
		{"-5", 0, parley.ErrMuteMinutes},
		{"10081", 0, parley.ErrMuteMinutes},
		{"1.5", 0, parley.ErrMuteMinutes},
		{"ten", 0, parley.ErrMuteMinutes},
		{"", 0, parley.ErrMuteMinutes},
		{"99999999999999999999", 0, parley.ErrMuteMinutes},
	}
	for _, tt := range tests {
		got, err := parley.ParseMuteMinutes(tt.raw)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ParseMuteMinutes(%q) = %v, %v; want %v, %v", tt.raw, got, err, tt.want, tt.err)
		}
	}
}

func TestParseAccountName(t *testing.T) {
	tests := []struct {
		in             string
		provider, name string
		err            error
	}{
		{"alice", "", "alice", nil},
		{" Alice ", "", "Alice", nil},
		{"github:octocat", "github", "octocat", nil},
		{"GitHub:The Octocat", "github", "The Octocat", nil},
		{"oidc:ana", "oidc", "ana", nil},
		{"twitter:bob", "", "", parley.ErrAccountName},
		{"github:", "", "", parley.ErrAccountName},
		{":bob", "", "", parley.ErrAccountName},
		{"al", "", "", parley.ErrAccountName},
		{"bad name", "", "", parley.ErrAccountName},
		{"", "", "", parley.ErrAccountName},
	}
	for _, tt := range tests {
		p, n, err := parley.ParseAccountName(tt.in)
		if p != tt.provider || n != tt.name || !errors.Is(err, tt.err) {
			t.Errorf("ParseAccountName(%q) = %q, %q, %v; want %q, %q, %v", tt.in, p, n, err, tt.provider, tt.name, tt.err)
		}
	}
}

func TestAccountNameReadsBack(t *testing.T) {
	for _, u := range []parley.User{
		{Username: "alice", DisplayName: "alice"},
		{DisplayName: "octocat", Provider: "github"},
	} {
		p, n, err := parley.ParseAccountName(u.AccountName())
		if err != nil || p != u.Provider || (p == "" && n != u.Username) || (p != "" && n != u.DisplayName) {
			t.Errorf("ParseAccountName(%q) = %q, %q, %v; want %+v back", u.AccountName(), p, n, err, u)
		}
	}
}

func TestWhoMayDeleteAMessage(t *testing.T) {
	room := parley.Room{ID: 1, Name: "general"}
	m := parley.Message{ID: 7, RoomID: room.ID, UserID: 1}
	tests := []struct {
		who  string
		user parley.User
		want bool
	}{
		{"author", parley.User{ID: 1}, true},
		{"admin", parley.User{ID: 2, Admin: true}, true},
		{"someone else", parley.User{ID: 3}, false},
		{"nobody", parley.User{}, false},
	}
	for _, tt := range tests {
		if got := parley.AccessTo(tt.user, room, true).MayDelete(tt.user, m); got != tt.want {
			t.Errorf("%s: MayDelete = %v, want %v", tt.who, got, tt.want)
		}
	}
}
