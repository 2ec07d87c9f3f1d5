package app_test

import (
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/app"
)

func getenv(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := app.LoadConfig(nil, getenv(nil))
	if err != nil {
		t.Fatalf("LoadConfig with no variables: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Addr", cfg.Addr, ":8080"},
		{"BaseURL", cfg.BaseURL, "http://localhost:8080"},
		{"DatabaseURL", cfg.DatabaseURL, "file:parley.db"},
		{"RegistrationOpen", cfg.RegistrationOpen, true},
		{"RoomCreationAdminsOnly", cfg.RoomCreationAdminsOnly, false},
		{"BcryptCost", cfg.BcryptCost, 12},
		{"AuthRateLimit", cfg.AuthRateLimit, 20},
		{"MessageRateLimit", cfg.Chat.MessageRateLimit, 20},
		{"LogLevel", cfg.LogLevel, slog.LevelInfo},
		{"LogFormat", cfg.LogFormat, "text"},
		{"MetricsAddr", cfg.MetricsAddr, ""},
		{"DrainDelay", cfg.DrainDelay, time.Duration(0)},
		{"TrustedProxies", len(cfg.TrustedProxies), 0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoadConfigReadsVariablesAndFlags(t *testing.T) {
	cfg, err := app.LoadConfig([]string{"-database-url", "file:/tmp/flag.db"}, getenv(map[string]string{
		"PORT":               "9000",
		"DATABASE_URL":       "file:/tmp/env.db",
		"REGISTRATION":       "closed",
		"ROOM_CREATION":      "admins",
		"BCRYPT_COST":        "4",
		"AUTH_RATE_LIMIT":    "0",
		"MESSAGE_RATE_LIMIT": "5",
		"LOG_LEVEL":          "debug",
		"LOG_FORMAT":         "json",
		"METRICS_ADDR":       "127.0.0.1:9090",
		"DRAIN_DELAY":        "1m30s",
		"TRUSTED_PROXIES":    " 127.0.0.1, 10.0.0.0/8 ,::1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(cfg.TrustedProxies), "[127.0.0.1/32 10.0.0.0/8 ::1/128]"; got != want {
		t.Errorf("TrustedProxies: got %s, want %s", got, want)
	}
	if cfg.LogFormat != "json" || cfg.MetricsAddr != "127.0.0.1:9090" || cfg.DrainDelay != 90*time.Second {
		t.Errorf("got LogFormat %q MetricsAddr %q DrainDelay %v, want json, 127.0.0.1:9090, 1m30s", cfg.LogFormat, cfg.MetricsAddr, cfg.DrainDelay)
	}
	if cfg.Addr != ":9000" || cfg.BaseURL != "http://localhost:9000" {
		t.Errorf("PORT=9000: got Addr %q BaseURL %q, want :9000 and http://localhost:9000", cfg.Addr, cfg.BaseURL)
	}
	if cfg.DatabaseURL != "file:/tmp/flag.db" {
		t.Errorf("DatabaseURL: got %q, want the flag's value over the variable's", cfg.DatabaseURL)
	}
	if cfg.RegistrationOpen || !cfg.RoomCreationAdminsOnly || cfg.BcryptCost != 4 || cfg.AuthRateLimit != 0 || cfg.Chat.MessageRateLimit != 5 || cfg.LogLevel != slog.LevelDebug {
		t.Errorf("got %+v, want the variables' values", cfg)
	}

	cfg, err = app.LoadConfig(nil, getenv(map[string]string{"ADDR": "127.0.0.1:7000", "PORT": "9000", "BASE_URL": "https://chat.example.com/"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:7000" || cfg.BaseURL != "https://chat.example.com" {
		t.Errorf("ADDR and BASE_URL: got %q %q", cfg.Addr, cfg.BaseURL)
	}
}

func TestLoadConfigRefusesBadValues(t *testing.T) {
	tests := []struct {
		vars    map[string]string
		wantVar string
	}{
		{map[string]string{"PORT": "http"}, "PORT"},
		{map[string]string{"PORT": "70000"}, "PORT"},
		{map[string]string{"ADDR": "8080"}, "ADDR"},
		{map[string]string{"BASE_URL": "localhost:8080"}, "BASE_URL"},
		{map[string]string{"BASE_URL": "ftp://example.com"}, "BASE_URL"},
		{map[string]string{"BASE_URL": "https://example.com/chat"}, "BASE_URL"},
		{map[string]string{"BCRYPT_COST": "3"}, "BCRYPT_COST"},
		{map[string]string{"BCRYPT_COST": "32"}, "BCRYPT_COST"},
		{map[string]string{"BCRYPT_COST": "twelve"}, "BCRYPT_COST"},
		{map[string]string{"AUTH_RATE_LIMIT": "-1"}, "AUTH_RATE_LIMIT"},
		{map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33"}, "TRUSTED_PROXIES"},
		{map[string]string{"TRUSTED_PROXIES": "127.0.0.1,proxy.internal"}, "TRUSTED_PROXIES"},
		{map[string]string{"MESSAGE_RATE_LIMIT": "1.5"}, "MESSAGE_RATE_LIMIT"},
		{map[string]string{"REGISTRATION": "maybe"}, "REGISTRATION"},
		{map[string]string{"ROOM_CREATION": "everyone"}, "ROOM_CREATION"},
		{map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		{map[string]string{"LOG_FORMAT": "logfmt"}, "LOG_FORMAT"},
		{map[string]string{"METRICS_ADDR": "9090"}, "METRICS_ADDR"},
		{map[string]string{"METRICS_ADDR": "localhost"}, "METRICS_ADDR"},
		{map[string]string{"DRAIN_DELAY": "10"}, "DRAIN_DELAY"},
		{map[string]string{"DRAIN_DELAY": "-5s"}, "DRAIN_DELAY"},
		{map[string]string{"DRAIN_DELAY": "soon"}, "DRAIN_DELAY"},
		{map[string]string{"GITHUB_CLIENT_ID": "id"}, "GITHUB_CLIENT_SECRET"},
		{map[string]string{"GOOGLE_CLIENT_SECRET": "secret"}, "GOOGLE_CLIENT_ID"},
		{map[string]string{"OIDC_ISSUER": "not a url", "OIDC_CLIENT_ID": "id", "OIDC_CLIENT_SECRET": "s"}, "OIDC_ISSUER"},
	}
	for _, tt := range tests {
		t.Run(tt.wantVar, func(t *testing.T) {
			_, err := app.LoadConfig(nil, getenv(tt.vars))
			if err == nil {
				t.Fatalf("LoadConfig(%v) succeeded, want an error", tt.vars)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.wantVar) || strings.Contains(msg, "\n") {
				t.Errorf("error %q does not name %s on one line", msg, tt.wantVar)
			}
		})
	}
	if _, err := app.LoadConfig([]string{"-no-such-flag"}, getenv(nil)); err == nil {
		t.Errorf("unknown flag accepted")
	}
}

func TestStartRefusesUnsupportedDatabase(t *testing.T) {
	cfg := testConfig(t)
	cfg.DatabaseURL = "mysql://user:secret@db.example/parley"
	a, err := app.Start(t.Context(), cfg)
	if err == nil {
		a.Shutdown(t.Context())
		t.Fatalf("Start with a MySQL URL succeeded, want an error naming DATABASE_URL")
	}
	if msg := err.Error(); !strings.Contains(msg, "DATABASE_URL") || strings.Contains(msg, "secret") {
		t.Errorf("error %q: want DATABASE_URL named and the password left out", msg)
	}
}

// TestStartRefusesUnreachablePostgres points DATABASE_URL at a port where
// no PostgreSQL listens: Start fails at once, naming the variable, and
// leaves nothing listening.
func TestStartRefusesUnreachablePostgres(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	cfg := testConfig(t)
	cfg.Addr = freeAddr(t)
	cfg.DatabaseURL = "postgres://parley:secret@" + closed + "/parley?sslmode=disable"
	a, err := app.Start(t.Context(), cfg)
	if err == nil {
		a.Shutdown(t.Context())
		t.Fatal("Start with an unreachable PostgreSQL succeeded, want an error naming DATABASE_URL")
	}
	msg := err.Error()
	if !strings.Contains(msg, "DATABASE_URL") || !strings.Contains(msg, "postgres") || strings.Contains(msg, "secret") {
		t.Errorf("error %q: want DATABASE_URL and postgres named and the password left out", msg)
	}
	// The listen address is free again: a failed start holds nothing.
	again, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		t.Errorf("listen on %s after the failed start: %v", cfg.Addr, err)
	} else {
		again.Close()
	}
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestLoadConfigDatabaseURL(t *testing.T) {
	for _, url := range []string{
		"file:parley.db",
		"parley.db",
		"/var/lib/parley/parley.db",
		"sqlite:parley.db",
		"sqlite:///var/lib/parley.db",
		"file:///var/lib/parley.db",
		"postgres://parley:secret@db.example:5432/parley?sslmode=require",
		"postgresql://db.example/parley",
		"postgres:///parley?host=/var/run/postgresql",
	} {
		cfg, err := app.LoadConfig(nil, getenv(map[string]string{"DATABASE_URL": url}))
		if err != nil {
			t.Errorf("DATABASE_URL=%s: %v", url, err)
			continue
		}
		if cfg.DatabaseURL != url {
			t.Errorf("DATABASE_URL=%s: DatabaseURL = %q", url, cfg.DatabaseURL)
		}
	}
	for _, url := range []string{
		"mysql://root:secret@db.example/parley",
		"https://user:secret@example.com/parley.db",
		"postgres://parley:secret@db.example:port/parley",
		"postgres://parley:secret@db.example/parley?sslmode=sometimes",
	} {
		_, err := app.LoadConfig(nil, getenv(map[string]string{"DATABASE_URL": url}))
		if err == nil {
			t.Errorf("DATABASE_URL=%s accepted, want an error", url)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "config: DATABASE_URL") || strings.Contains(msg, "secret") || strings.Contains(msg, "\n") {
			t.Errorf("DATABASE_URL=%s: error %q, want one line starting with config: DATABASE_URL, without the password", url, msg)
		}
	}
	if _, err := app.LoadConfig([]string{"-database-url="}, getenv(nil)); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("empty -database-url: error %v, want one naming DATABASE_URL", err)
	}
}
