package i18n_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleychat/parley/app/i18n"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		header string
		want   i18n.Lang
	}{
		{"", i18n.English},
		{"es", i18n.Spanish},
		{"es-MX,es;q=0.9,en;q=0.8", i18n.Spanish},
		{"es-419", i18n.Spanish},
		{"en-GB,en;q=0.9,es;q=0.5", i18n.English},
		{"fr-FR,fr;q=0.9", i18n.English},
		{"fr-FR,fr;q=0.9,es;q=0.5", i18n.Spanish},
		{"de;q=0.9,en;q=0.2", i18n.English},
		{";;;not a header", i18n.English},
	}
	for _, tt := range tests {
		if got := i18n.Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestParseLang(t *testing.T) {
	for tag, ok := range map[string]bool{"en": true, "es": true, "": false, "fr": false, "ES": false, "es-MX": false} {
		if l, got := i18n.ParseLang(tag); got != ok || (ok && l.String() != tag) {
			t.Errorf("ParseLang(%q) = %q, %v; want %v", tag, l, got, ok)
		}
	}
}

func TestPlurals(t *testing.T) {
	en, es := i18n.Locale{Lang: i18n.English}, i18n.Locale{Lang: i18n.Spanish}
	tests := []struct {
		loc  i18n.Locale
		n    int
		want string
	}{
		{en, 0, "0 users online"}, {en, 1, "1 user online"}, {en, 2, "2 users online"}, {en, 1000, "1000 users online"},
		{es, 0, "0 usuarios en línea"}, {es, 1, "1 usuario en línea"}, {es, 3, "3 usuarios en línea"}, {es, 21, "21 usuarios en línea"},
	}
	for _, tt := range tests {
		if got := tt.loc.Plural(tt.n, "%d user online", "%d users online"); got != tt.want {
			t.Errorf("%s Plural(%d) = %q, want %q", tt.loc.Lang, tt.n, got, tt.want)
		}
	}
}

func TestJoined(t *testing.T) {
	en, es := i18n.Locale{Lang: i18n.English}, i18n.Locale{Lang: i18n.Spanish}
	tests := []struct {
		loc    i18n.Locale
		joined bool
		names  []string
		others int
		want   string
	}{
		{en, true, []string{"Ana"}, 0, "Ana joined the chat"},
		{en, false, []string{"Ana", "Bo"}, 0, "Ana and Bo left the chat"},
		{en, true, []string{"Ana", "Bo", "Cy"}, 1, "Ana, Bo, Cy and 1 other joined the chat"},
		{en, true, []string{"Ana", "Bo", "Cy"}, 97, "Ana, Bo, Cy and 97 others joined the chat"},
		{es, true, []string{"Ana"}, 0, "Ana se unió al chat"},
		{es, true, []string{"Ana", "Bo"}, 0, "Ana y Bo se unieron al chat"},
		{es, false, []string{"Ana"}, 0, "Ana salió del chat"},
		{es, false, []string{"Ana", "Bo", "Cy"}, 2, "Ana, Bo, Cy y 2 más salieron del chat"},
		{es, true, []string{"Ana", "Bo", "Cy"}, 1, "Ana, Bo, Cy y 1 más se unieron al chat"},
		{es, true, nil, 0, ""},
	}
	for _, tt := range tests {
		if got := tt.loc.Joined(tt.joined, tt.names, tt.others); got != tt.want {
			t.Errorf("%s Joined(%v, %q, %d) = %q, want %q", tt.loc.Lang, tt.joined, tt.names, tt.others, got, tt.want)
		}
	}
}

func TestTimesInTheReadersZone(t *testing.T) {
	at := time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC)
	tests := []struct {
		loc          i18n.Locale
		clock, stamp string
	}{
		{i18n.Default, "22:30", "1 Jul 2026 22:30 UTC"},
		{i18n.Locale{Lang: i18n.Spanish, Zone: "Europe/Madrid"}, "00:30", "2 jul 2026 00:30 CEST"},
		{i18n.Locale{Lang: i18n.English, Zone: "America/Los_Angeles"}, "15:30", "1 Jul 2026 15:30 PDT"},
		{i18n.Locale{Lang: i18n.English, Zone: "Asia/Kolkata"}, "04:00", "2 Jul 2026 04:00 IST"},
		// A zone that is not on the list shows UTC, never the server's own.
		{i18n.Locale{Lang: i18n.English, Zone: "Local"}, "22:30", "1 Jul 2026 22:30 UTC"},
		{i18n.Locale{Lang: i18n.English, Zone: "Mars/Olympus"}, "22:30", "1 Jul 2026 22:30 UTC"},
	}
	for _, tt := range tests {
		if got := tt.loc.Clock(at); got != tt.clock {
			t.Errorf("%+v Clock = %q, want %q", tt.loc, got, tt.clock)
		}
		if got := tt.loc.Stamp(at); got != tt.stamp {
			t.Errorf("%+v Stamp = %q, want %q", tt.loc, got, tt.stamp)
		}
	}
	if got := i18n.UTC(at.In(time.FixedZone("X", 3600))); got != "2026-07-01T22:30:00Z" {
		t.Errorf("UTC = %q, want 2026-07-01T22:30:00Z", got)
	}
}

func TestValidZone(t *testing.T) {
	for name, want := range map[string]bool{
		"": true, "UTC": true, "Europe/Madrid": true, "America/Argentina/Buenos_Aires": true, "Europe/Amsterdam": true,
		"Local": false, "europe/madrid": false, "Mars/Olympus": false, "../../etc/passwd": false, "Europe/Madrid ": false,
	} {
		if got := i18n.ValidZone(name); got != want {
			t.Errorf("ValidZone(%q) = %v, want %v", name, got, want)
		}
	}
	for _, name := range i18n.ZoneNames() {
		if _, err := time.LoadLocation(name); err != nil {
			t.Errorf("offered zone %q does not load: %v", name, err)
		}
		if !i18n.ValidZone(name) {
			t.Errorf("offered zone %q is refused by ValidZone", name)
		}
	}
}

func TestContextCarriesTheLocale(t *testing.T) {
	if got := i18n.T(context.Background(), "Send"); got != "Send" {
		t.Errorf("T without a Locale = %q, want Send", got)
	}
	ctx := i18n.With(context.Background(), i18n.Locale{Lang: i18n.Spanish})
	if got := i18n.T(ctx, "Send"); got != "Enviar" {
		t.Errorf("T in Spanish = %q, want Enviar", got)
	}
	if got := i18n.T(ctx, "There is already a room called %s.", "go"); got != "Ya hay una sala llamada go." {
		t.Errorf("T with an argument = %q", got)
	}
}
