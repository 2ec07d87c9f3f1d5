package app

// This file parses: it reads flags and environment variables into a
// Config, turning each text into the type of its field. Every error names
// the variable at fault. The checks on values kept as given, and those
// across fields, are in config_validate.go.

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parleychat/parley/app/oauth"
)

// LoadConfig reads the configuration from flags (args) and environment
// variables (getenv); a flag wins over its variable. Each error names the
// variable at fault.
func LoadConfig(args []string, getenv func(string) string) (Config, error) {
	cfg := DefaultConfig()
	env := envOr(getenv)
	fl, err := parseFlags(args, env)
	if err != nil {
		return cfg, err
	}
	// The variables are read in this order; with several at fault, the
	// error names the first.
	if err := cfg.parseServer(fl, env); err != nil {
		return cfg, err
	}
	if err := cfg.parseOperations(fl.logLevel, env); err != nil {
		return cfg, err
	}
	if err := cfg.parseAccess(env); err != nil {
		return cfg, err
	}
	cfg.OAuth = oauthConfig(env, cfg.BaseURL)
	if err := cfg.validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// envFunc reads a variable: its value, trimmed, or def when it is unset or
// blank.
type envFunc func(name, def string) string

// envOr makes an envFunc of getenv.
func envOr(getenv func(string) string) envFunc {
	return func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
}

// flagValues are the values of the flags, each its variable's value (or
// default) unless the flag was given.
type flagValues struct {
	addr, port, baseURL, databaseURL, logLevel string
}

// parseFlags reads -addr, -port, -base-url, -database-url and -log-level
// from args, each defaulting to its variable.
func parseFlags(args []string, env envFunc) (flagValues, error) {
	fs := flag.NewFlagSet("parley", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", env("ADDR", ""), "listen address (ADDR); overrides -port")
	port := fs.String("port", env("PORT", defaultPort), "listen port (PORT)")
	baseURL := fs.String("base-url", env("BASE_URL", ""), "public URL (BASE_URL)")
	dbURL := databaseURLFlag(fs, env)
	logLevel := fs.String("log-level", env("LOG_LEVEL", defaultLogLevel), "debug, info, warn or error (LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return flagValues{}, fmt.Errorf("config: %w (flags: -addr, -port, -base-url, -database-url, -log-level)", err)
	}
	return flagValues{addr: *addr, port: *port, baseURL: *baseURL, databaseURL: *dbURL, logLevel: *logLevel}, nil
}

// databaseURLFlag defines -database-url on fs: DATABASE_URL, or the
// default database. The server and `parley admin` read it the same way.
func databaseURLFlag(fs *flag.FlagSet, env envFunc) *string {
	return fs.String("database-url", env("DATABASE_URL", DefaultConfig().DatabaseURL), "database (DATABASE_URL)")
}

// parseServer reads where Parley listens and what it connects to: ADDR or
// PORT, BASE_URL, DATABASE_URL, PPROF_ADDR, NATS_URL and
// NATS_SUBJECT_PREFIX.
func (c *Config) parseServer(fl flagValues, env envFunc) error {
	var err error
	if c.Addr, err = listenAddr(fl.addr, fl.port); err != nil {
		return err
	}
	if c.BaseURL, err = publicURL(fl.baseURL, c.Addr); err != nil {
		return err
	}
	if c.DatabaseURL, err = databaseURL(fl.databaseURL); err != nil {
		return err
	}
	c.PprofAddr = env("PPROF_ADDR", "")
	c.NATSURL = env("NATS_URL", "")
	if err := validateNATSURL(c.NATSURL); err != nil {
		return err
	}
	c.NATSSubjectPrefix = env("NATS_SUBJECT_PREFIX", "")
	return validateNATSSubjectPrefix(c.NATSSubjectPrefix)
}

// parseOperations reads how Parley logs, reports and stops: LOG_LEVEL
// (level, from its flag or variable), LOG_FORMAT, METRICS_ADDR and
// DRAIN_DELAY.
func (c *Config) parseOperations(level string, env envFunc) error {
	if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil {
		return fmt.Errorf("config: LOG_LEVEL must be debug, info, warn or error, got %q", level)
	}
	var err error
	if c.LogFormat, err = logFormat(env("LOG_FORMAT", c.LogFormat)); err != nil {
		return err
	}
	c.MetricsAddr = env("METRICS_ADDR", "")
	if err := validateMetricsAddr(c.MetricsAddr); err != nil {
		return err
	}
	c.DrainDelay, err = drainDelay(env("DRAIN_DELAY", defaultDrainDelay))
	return err
}

// parseAccess reads who may do what, and how often: TRUSTED_PROXIES,
// REGISTRATION, ROOM_CREATION, BCRYPT_COST, AUTH_RATE_LIMIT and
// MESSAGE_RATE_LIMIT.
func (c *Config) parseAccess(env envFunc) error {
	var err error
	if c.TrustedProxies, err = trustedProxies(env("TRUSTED_PROXIES", "")); err != nil {
		return err
	}
	if c.RegistrationOpen, err = registration(env("REGISTRATION", defaultRegistration)); err != nil {
		return err
	}
	if c.RoomCreationAdminsOnly, err = roomCreation(env("ROOM_CREATION", defaultRoomCreation)); err != nil {
		return err
	}
	ints := []struct {
		name     string
		dst      *int
		min, max int
	}{
		{"BCRYPT_COST", &c.BcryptCost, 4, 31},
		{"AUTH_RATE_LIMIT", &c.AuthRateLimit, 0, 1_000_000},
		{"MESSAGE_RATE_LIMIT", &c.Chat.MessageRateLimit, 0, 1_000_000},
	}
	for _, v := range ints {
		if *v.dst, err = intInRange(v.name, env(v.name, strconv.Itoa(*v.dst)), v.min, v.max); err != nil {
			return err
		}
	}
	return nil
}

// listenAddr returns ADDR when it is set, else ":" and PORT.
func listenAddr(addr, port string) (string, error) {
	if addr != "" {
		if err := validateListenAddr(addr); err != nil {
			return "", err
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

// databaseURL returns DATABASE_URL trimmed, once its form is checked.
func databaseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if err := validateDatabaseURL(raw); err != nil {
		return "", err
	}
	return raw, nil
}

// logFormat parses LOG_FORMAT, text or json in any case.
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

// registration parses REGISTRATION: open (true) or closed (false).
func registration(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "open":
		return true, nil
	case "closed":
		return false, nil
	}
	return false, fmt.Errorf("config: REGISTRATION must be open or closed, got %q", v)
}

// roomCreation parses ROOM_CREATION: open (false) or admins (true).
func roomCreation(v string) (adminsOnly bool, err error) {
	switch strings.ToLower(v) {
	case "open":
		return false, nil
	case "admins":
		return true, nil
	}
	return false, fmt.Errorf("config: ROOM_CREATION must be open or admins, got %q", v)
}

// intInRange parses the variable name's value raw, a whole number from
// min to max.
func intInRange(name, raw string, min, max int) (int, error) {
	n, err := strconv.Atoi(raw)
	if err != nil || n < min || n > max {
		return 0, fmt.Errorf("config: %s must be a whole number from %d to %d, got %q", name, min, max, raw)
	}
	return n, nil
}

// oauthConfig reads the providers' variables: a client ID and secret each
// for GitHub, Google and GitLab, and OIDC_ISSUER, OIDC_CLIENT_ID,
// OIDC_CLIENT_SECRET and OIDC_NAME.
func oauthConfig(env envFunc, baseURL string) oauth.Config {
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
