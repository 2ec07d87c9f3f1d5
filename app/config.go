// Package app assembles Parley: it reads the configuration, opens the
// store, starts the chat room and the web server, and shuts them down in
// order. main.go and the tests start Parley through Start.
package app

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parleychat/parley/app/chat"
	"github.com/parleychat/parley/app/oauth"
	"github.com/parleychat/parley/app/postgres"
)

// Config is Parley's whole configuration, read once at start.
type Config struct {
	// Addr is the listen address, e.g. ":8080" or "127.0.0.1:0".
	Addr string
	// BaseURL is the public URL (scheme://host[:port]). Empty means
	// "http://" plus the address Parley listens on, which suits tests.
	BaseURL          string
	DatabaseURL      string
	OAuth            oauth.Config
	RegistrationOpen bool
	// RoomCreationAdminsOnly is ROOM_CREATION=admins: only admins create rooms.
	RoomCreationAdminsOnly bool
	BcryptCost             int
	AuthRateLimit          int
	// TrustedProxies (TRUSTED_PROXIES) are the proxies whose
	// X-Forwarded-For the sign-in rate limit believes.
	TrustedProxies []netip.Prefix
	LogLevel       slog.Level
	// LogFormat is "text" or "json" (LOG_FORMAT).
	LogFormat string
	// MetricsAddr, when set, serves /metrics (Prometheus) there
	// (METRICS_ADDR); never on the public address.
	MetricsAddr string
	// DrainDelay is how long, after SIGTERM, /readyz answers 503 while
	// Parley keeps serving, before sockets are closed (DRAIN_DELAY).
	DrainDelay time.Duration
	// PprofAddr, when set, serves Go's profiles there (PPROF_ADDR).
	PprofAddr string
	// NATSURL, when set, links this instance to the others through NATS
	// (NATS_URL): one or more nats:// or tls:// URLs, comma-separated.
	NATSURL string
	// NATSSubjectPrefix is the first token of the NATS subjects; empty
	// means "parley". Tests that share a NATS server each use their own.
	NATSSubjectPrefix string
	// Cluster holds the timings of the presence instances share.
	Cluster chat.ClusterConfig
	// Chat holds the room's timings and limits, MESSAGE_RATE_LIMIT among
	// them; tests shorten the timings.
	Chat chat.Config
	// Logger, when set, is used instead of a text logger on stderr.
	Logger *slog.Logger
}

// DefaultConfig returns the defaults SPEC.md gives, with an empty BaseURL.
func DefaultConfig() Config {
	return Config{
		Addr:             ":8080",
		DatabaseURL:      "file:parley.db",
		RegistrationOpen: true,
		BcryptCost:       12,
		AuthRateLimit:    20,
		LogLevel:         slog.LevelInfo,
		LogFormat:        "text",
		Chat:             chat.DefaultConfig(),
		Cluster:          chat.DefaultClusterConfig(),
	}
}

// LoadConfig reads the configuration from flags (args) and environment
// variables (getenv); a flag wins over its variable. Each error names the
// variable at fault.
func LoadConfig(args []string, getenv func(string) string) (Config, error) {
	cfg := DefaultConfig()
	env := envOr(getenv)
	fs := flag.NewFlagSet("parley", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", env("ADDR", ""), "listen address (ADDR); overrides -port")
	port := fs.String("port", env("PORT", "8080"), "listen port (PORT)")
	baseURL := fs.String("base-url", env("BASE_URL", ""), "public URL (BASE_URL)")
	dbURL := databaseURLFlag(fs, env)
	logLevel := fs.String("log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return cfg, fmt.Errorf("config: %w (flags: -addr, -port, -base-url, -database-url, -log-level)", err)
	}
	var err error
	if cfg.Addr, err = listenAddr(*addr, *port); err != nil {
		return cfg, err
	}
	if cfg.BaseURL, err = publicURL(*baseURL, cfg.Addr); err != nil {
		return cfg, err
	}
	if cfg.DatabaseURL, err = databaseURL(*dbURL); err != nil {
		return cfg, err
	}
	cfg.PprofAddr = env("PPROF_ADDR", "")
	if cfg.NATSURL, err = natsURL(env("NATS_URL", "")); err != nil {
		return cfg, err
	}
	if cfg.NATSSubjectPrefix, err = natsSubjectPrefix(env("NATS_SUBJECT_PREFIX", "")); err != nil {
		return cfg, err
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(*logLevel)); err != nil {
		return cfg, fmt.Errorf("config: LOG_LEVEL must be debug, info, warn or error, got %q", *logLevel)
	}
	if cfg.LogFormat, err = logFormat(env("LOG_FORMAT", cfg.LogFormat)); err != nil {
		return cfg, err
	}
	if cfg.MetricsAddr = env("METRICS_ADDR", ""); cfg.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(cfg.MetricsAddr); err != nil {
			return cfg, fmt.Errorf("config: METRICS_ADDR must be host:port such as 127.0.0.1:9090, got %q", cfg.MetricsAddr)
		}
	}
	if cfg.DrainDelay, err = drainDelay(env("DRAIN_DELAY", "0s")); err != nil {
		return cfg, err
	}
	if cfg.TrustedProxies, err = trustedProxies(env("TRUSTED_PROXIES", "")); err != nil {
		return cfg, err
	}
	if cfg.RegistrationOpen, err = registration(env("REGISTRATION", "open")); err != nil {
		return cfg, err
	}
	if cfg.RoomCreationAdminsOnly, err = roomCreation(env("ROOM_CREATION", "open")); err != nil {
		return cfg, err
	}
	ints := []struct {
		name     string
		dst      *int
		min, max int
	}{
		{"BCRYPT_COST", &cfg.BcryptCost, 4, 31},
		{"AUTH_RATE_LIMIT", &cfg.AuthRateLimit, 0, 1_000_000},
		{"MESSAGE_RATE_LIMIT", &cfg.Chat.MessageRateLimit, 0, 1_000_000},
	}
	for _, v := range ints {
		if *v.dst, err = intInRange(v.name, env(v.name, strconv.Itoa(*v.dst)), v.min, v.max); err != nil {
			return cfg, err
		}
	}
	cfg.OAuth = oauthConfig(env, cfg.BaseURL)
	if err := oauth.ValidateConfig(cfg.OAuth); err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

// envOr reads a variable through getenv, trimmed, or def when it is unset
// or blank.
func envOr(getenv func(string) string) func(name, def string) string {
	return func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
}

// databaseURLFlag defines -database-url on fs: DATABASE_URL, or the
// default database. The server and `parley admin` read it the same way.
func databaseURLFlag(fs *flag.FlagSet, env func(name, def string) string) *string {
	return fs.String("database-url", env("DATABASE_URL", DefaultConfig().DatabaseURL), "database (DATABASE_URL)")
}

func listenAddr(addr, port string) (string, error) {
	if addr != "" {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return "", fmt.Errorf("config: ADDR must be host:port or :port, got %q", addr)
		}
		return addr, nil
	}
	if _, err := intInRange("PORT", port, 1, 65535); err != nil {
		return "", err
	}
	return ":" + port, nil
}

// publicURL checks BASE_URL, or derives it from the listen address.
func publicURL(raw, addr string) (string, error) {
	if raw == "" {
		_, port, _ := net.SplitHostPort(addr)
		return "http://localhost:" + port, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("config: BASE_URL must be an absolute http or https URL such as https://chat.example.com, got %q", raw)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("config: BASE_URL must be scheme://host[:port] without path, query or user, got %q", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

func logFormat(v string) (string, error) {
	switch f := strings.ToLower(v); f {
	case "text", "json":
		return f, nil
	}
	return "", fmt.Errorf("config: LOG_FORMAT must be text or json, got %q", v)
}

// drainDelay parses DRAIN_DELAY, a Go duration of zero or more.
func drainDelay(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("config: DRAIN_DELAY must be a duration of 0 or more such as 10s, got %q", v)
	}
	return d, nil
}

// databaseURL checks DATABASE_URL's form: a postgres:// or postgresql://
// URL that pgx can read, or what the SQLite store opens (file:PATH,
// sqlite:PATH, a plain path). Errors never repeat a password.
func databaseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", fmt.Errorf("config: DATABASE_URL must not be empty (default %s)", DefaultConfig().DatabaseURL)
	}
	if postgres.IsURL(raw) {
		if err := postgres.ParseURL(raw); err != nil {
			return "", fmt.Errorf("config: DATABASE_URL: %w", err)
		}
		return raw, nil
	}
	if scheme, _, ok := strings.Cut(raw, "://"); ok {
		switch strings.ToLower(scheme) {
		case "file", "sqlite", "sqlite3":
		default:
			return "", fmt.Errorf("config: DATABASE_URL must be postgres://..., postgresql://..., file:PATH, sqlite:PATH or a file path, got a %q URL", scheme)
		}
	}
	return raw, nil
}

// natsURL checks NATS_URL: empty, or comma-separated nats:// or tls://
// URLs with a host. Errors hide any password in the value.
func natsURL(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	for _, part := range strings.Split(raw, ",") {
		part = strings.TrimSpace(part)
		u, err := url.Parse(part)
		if err != nil {
			return "", fmt.Errorf("config: NATS_URL must be nats://host:port or tls://host:port (comma-separated for several servers), got a value that is no URL")
		}
		if (u.Scheme != "nats" && u.Scheme != "tls") || u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return "", fmt.Errorf("config: NATS_URL must be nats://host:port or tls://host:port (comma-separated for several servers), got %q", u.Redacted())
		}
	}
	return raw, nil
}

// natsSubjectPrefix checks NATS_SUBJECT_PREFIX: empty (the default,
// "parley"), or dot-separated tokens of letters, digits, '-' and '_', so
// that the subjects built on it stay plain NATS subjects without wildcards.
func natsSubjectPrefix(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	for _, token := range strings.Split(v, ".") {
		if token == "" || strings.TrimFunc(token, func(r rune) bool {
			return r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		}) != "" {
			return "", fmt.Errorf("config: NATS_SUBJECT_PREFIX must be dot-separated words of letters, digits, '-' and '_' (such as parley or staging.parley), got %q", v)
		}
	}
	return v, nil
}

// trustedProxies parses TRUSTED_PROXIES: addresses or CIDR prefixes,
// separated by commas.
func trustedProxies(v string) ([]netip.Prefix, error) {
	var prefixes []netip.Prefix
	for _, field := range strings.Split(v, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		p, err := netip.ParsePrefix(field)
		if err != nil {
			addr, addrErr := netip.ParseAddr(field)
			if addrErr != nil {
				return nil, fmt.Errorf("config: TRUSTED_PROXIES must be addresses or CIDR prefixes separated by commas, such as 127.0.0.1,10.0.0.0/8; %q is neither", field)
			}
			p = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		prefixes = append(prefixes, p.Masked())
	}
	return prefixes, nil
}

func registration(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "open":
		return true, nil
	case "closed":
		return false, nil
	}
	return false, fmt.Errorf("config: REGISTRATION must be open or closed, got %q", v)
}

func roomCreation(v string) (adminsOnly bool, err error) {
	switch strings.ToLower(v) {
	case "open":
		return false, nil
	case "admins":
		return true, nil
	}
	return false, fmt.Errorf("config: ROOM_CREATION must be open or admins, got %q", v)
}

func intInRange(name, raw string, min, max int) (int, error) {
	n, err := strconv.Atoi(raw)
	if err != nil || n < min || n > max {
		return 0, fmt.Errorf("config: %s must be a whole number from %d to %d, got %q", name, min, max, raw)
	}
	return n, nil
}

func oauthConfig(env func(name, def string) string, baseURL string) oauth.Config {
	pair := func(prefix string) oauth.Credentials {
		return oauth.Credentials{ClientID: env(prefix+"_CLIENT_ID", ""), ClientSecret: env(prefix+"_CLIENT_SECRET", "")}
	}
	return oauth.Config{
		BaseURL: baseURL,
		GitHub:  pair("GITHUB"),
		Google:  pair("GOOGLE"),
		GitLab:  pair("GITLAB"),
		OIDC: oauth.OIDCConfig{
			Issuer:       env("OIDC_ISSUER", ""),
			ClientID:     env("OIDC_CLIENT_ID", ""),
			ClientSecret: env("OIDC_CLIENT_SECRET", ""),
			Name:         env("OIDC_NAME", ""),
		},
	}
}
