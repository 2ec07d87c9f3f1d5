package app

// This file holds the options: Config, what each field means, and the
// defaults. config_parse.go reads flags and environment variables into a
// Config; config_validate.go holds the checks whose messages name the
// variable at fault.

import (
	"log/slog"
	"net/netip"
	"time"

	"github.com/parleychat/parley/app/chat"
	"github.com/parleychat/parley/app/oauth"
)

// Config is Parley's whole configuration, read once at start.
type Config struct {
	// Addr is the listen address, e.g. ":8080" or "127.0.0.1:0".
	Addr string
	// BaseURL is the public URL (scheme://host[:port]). Empty means
	// "http://" plus the address Parley listens on, which suits tests.
	BaseURL string
	// DatabaseURL (DATABASE_URL) is a postgres:// or postgresql:// URL for
	// PostgreSQL; anything else is a SQLite database (file:PATH,
	// sqlite:PATH or a plain path).
	DatabaseURL string
	// OAuth holds the sign-in providers' credentials (GITHUB_*, GOOGLE_*,
	// GITLAB_*, OIDC_*) and the BaseURL their callbacks use.
	OAuth oauth.Config
	// RegistrationOpen is REGISTRATION=open: local sign-up is offered.
	RegistrationOpen bool
	// RoomCreationAdminsOnly is ROOM_CREATION=admins: only admins create rooms.
	RoomCreationAdminsOnly bool
	// BcryptCost (BCRYPT_COST) is the password hashing cost, 4 to 31.
	BcryptCost int
	// AuthRateLimit (AUTH_RATE_LIMIT) is the sign-in and sign-up attempts
	// allowed per minute per client address; 0 turns the limit off.
	AuthRateLimit int
	// TrustedProxies (TRUSTED_PROXIES) are the proxies whose
	// X-Forwarded-For the sign-in rate limit believes.
	TrustedProxies []netip.Prefix
	// LogLevel (LOG_LEVEL) is the least severe level logged.
	LogLevel slog.Level
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
// LoadConfig starts from it, and tests start from it to build a Config by
// hand.
func DefaultConfig() Config {
	return Config{
		Addr:             ":" + defaultPort,
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

// The defaults of the variables that are read as text before they become
// a field of Config: PORT gives Addr, LOG_LEVEL gives LogLevel, and so on.
const (
	defaultPort         = "8080"
	defaultLogLevel     = "info"
	defaultDrainDelay   = "0s"
	defaultRegistration = "open"
	defaultRoomCreation = "open"
)
