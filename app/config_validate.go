package app

// This file validates: the checks on values Parley keeps as they are given
// (the listen and metrics addresses, DATABASE_URL's form, NATS_URL,
// NATS_SUBJECT_PREFIX), and the checks across fields (each sign-in
// provider complete, its callbacks on BASE_URL). Every message names the
// variable at fault. LoadConfig calls each check as it reads the variable,
// so that with several at fault the error names the first it reads.

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/parleychat/parley/app/oauth"
	"github.com/parleychat/parley/app/postgres"
)

// validate runs the checks across fields, once every variable is read:
// each sign-in provider's variables come in complete sets, OIDC_ISSUER is
// an https URL (http only for localhost), and BASE_URL suits the OAuth
// callbacks once any provider is on.
func (c *Config) validate() error {
	if err := oauth.ValidateConfig(c.OAuth); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// validateListenAddr checks ADDR: host:port or :port.
func validateListenAddr(addr string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("config: ADDR must be host:port or :port, got %q", addr)
	}
	return nil
}

// validateMetricsAddr checks METRICS_ADDR: empty (no metrics) or
// host:port.
func validateMetricsAddr(addr string) error {
	if addr == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("config: METRICS_ADDR must be host:port such as 127.0.0.1:9090, got %q", addr)
	}
	return nil
}

// validateDatabaseURL checks DATABASE_URL's form: a postgres:// or
// postgresql:// URL that pgx can read, or what the SQLite store opens
// (file:PATH, sqlite:PATH, a plain path). Errors never repeat a password.
func validateDatabaseURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("config: DATABASE_URL must not be empty (default %s)", DefaultConfig().DatabaseURL)
	}
	if postgres.IsURL(raw) {
		if err := postgres.ParseURL(raw); err != nil {
			return fmt.Errorf("config: DATABASE_URL: %w", err)
		}
		return nil
	}
	if scheme, _, ok := strings.Cut(raw, "://"); ok {
		switch strings.ToLower(scheme) {
		case "file", "sqlite", "sqlite3":
		default:
			return fmt.Errorf("config: DATABASE_URL must be postgres://..., postgresql://..., file:PATH, sqlite:PATH or a file path, got a %q URL", scheme)
		}
	}
	return nil
}

// validateNATSURL checks NATS_URL: empty, or comma-separated nats:// or
// tls:// URLs with a host. Errors hide any password in the value.
func validateNATSURL(raw string) error {
	if raw == "" {
		return nil
	}
	for _, part := range strings.Split(raw, ",") {
		part = strings.TrimSpace(part)
		u, err := url.Parse(part)
		if err != nil {
			return fmt.Errorf("config: NATS_URL must be nats://host:port or tls://host:port (comma-separated for several servers), got a value that is no URL")
		}
		if (u.Scheme != "nats" && u.Scheme != "tls") || u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return fmt.Errorf("config: NATS_URL must be nats://host:port or tls://host:port (comma-separated for several servers), got %q", u.Redacted())
		}
	}
	return nil
}

// validateNATSSubjectPrefix checks NATS_SUBJECT_PREFIX: empty (the
// default, "parley"), or dot-separated tokens of letters, digits, '-' and
// '_', so that the subjects built on it stay plain NATS subjects without
// wildcards.
func validateNATSSubjectPrefix(v string) error {
	if v == "" {
		return nil
	}
	for _, token := range strings.Split(v, ".") {
		if token == "" || strings.TrimFunc(token, isSubjectRune) != "" {
			return fmt.Errorf("config: NATS_SUBJECT_PREFIX must be dot-separated words of letters, digits, '-' and '_' (such as parley or staging.parley), got %q", v)
		}
	}
	return nil
}

// isSubjectRune reports whether r may appear in a token of
// NATS_SUBJECT_PREFIX: an ASCII letter or digit, '-' or '_'.
func isSubjectRune(r rune) bool {
	return r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}
