// Package app assembles Parley: it reads the configuration, opens the
// store, starts the chat room and the web server, and shuts them down in
// order. main.go and the tests start Parley through Start.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/parleychat/parley/app/chat"
	"github.com/parleychat/parley/app/metrics"
	"github.com/parleychat/parley/app/moderation"
	"github.com/parleychat/parley/app/natsbus"
	"github.com/parleychat/parley/app/oauth"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/postgres"
	"github.com/parleychat/parley/app/sqlite"
	"github.com/parleychat/parley/app/web"
)

// sweepInterval is how often expired sessions and OAuth states are deleted.
const sweepInterval = time.Hour

// App is a running Parley.
type App struct {
	cfg   Config
	log   *slog.Logger
	store parley.Store
	chat  *chat.Rooms
	// bus links the instances when NATS_URL is set; nil otherwise.
	bus    *natsbus.Bus
	server *web.Server
	ln     net.Listener
	url    string

	served       chan error
	stopSweeping chan struct{}
	sweeperDone  chan struct{}
	stopPprof    func(context.Context) error
	metrics      *metricsServer
	shutdownOnce sync.Once
	shutdownErr  error
}

// Start opens the store, starts the chat room and serves HTTP on cfg.Addr.
// It returns once Parley accepts connections; Shutdown stops it.
func Start(ctx context.Context, cfg Config) (_ *App, err error) {
	log := cfg.Logger
	if log == nil {
		log = newLogger(os.Stderr, cfg.LogFormat, cfg.LogLevel)
	}
	a := &App{cfg: cfg, log: log, served: make(chan error, 1)}
	defer func() {
		if err != nil {
			a.closeParts()
		}
	}()
	if a.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, fmt.Errorf("app: listen on %s (ADDR/PORT): %w", cfg.Addr, err)
	}
	if a.url = cfg.BaseURL; a.url == "" {
		a.url = "http://" + a.ln.Addr().String()
	}
	base, err := url.Parse(a.url)
	if err != nil {
		return nil, fmt.Errorf("app: BASE_URL: %w", err)
	}
	if a.store, err = openStore(ctx, cfg.DatabaseURL); err != nil {
		return nil, fmt.Errorf("app: DATABASE_URL: %w", err)
	}
	oauthCfg := cfg.OAuth
	oauthCfg.BaseURL = a.url
	providers, err := oauth.New(ctx, oauthCfg)
	if err != nil {
		return nil, err
	}
	// The domain reports to observers; with METRICS_ADDR they are
	// Prometheus metrics, and the store is timed.
	var store parley.Store = a.store
	chatCfg := cfg.Chat
	var webObs web.Observer
	var natsObs natsbus.Observer // a nil *metrics.Metrics would be a non-nil Observer
	if cfg.MetricsAddr != "" {
		m := metrics.New()
		store, chatCfg.Observer, webObs, natsObs = m.Store(store), m, m, m
		if a.metrics, err = startMetrics(cfg.MetricsAddr, m, log); err != nil {
			return nil, err
		}
	}
	if a.chat, err = chat.New(chatCfg, store, web.Fragments{}, log); err != nil {
		return nil, err
	}
	if cfg.NATSURL != "" {
		if err = a.joinCluster(ctx, natsObs); err != nil {
			return nil, err
		}
	}
	var link web.Pinger // a nil *natsbus.Bus would be a non-nil Pinger
	if a.bus != nil {
		link = a.bus
	}
	a.server = web.New(web.Options{
		Link:                   link,
		Observer:               webObs,
		Users:                  store,
		Sessions:               store,
		Rooms:                  store,
		Members:                store,
		Messages:               store,
		Moderation:             store,
		OAuthStates:            store,
		Database:               store,
		Chat:                   a.chat,
		Moderator:              moderation.New(store, a.chat),
		Providers:              providers,
		BaseURL:                base,
		RegistrationOpen:       cfg.RegistrationOpen,
		RoomCreationAdminsOnly: cfg.RoomCreationAdminsOnly,
		BcryptCost:             cfg.BcryptCost,
		AuthRateLimit:          cfg.AuthRateLimit,
		TrustedProxies:         cfg.TrustedProxies,
		Log:                    log,
	})
	if cfg.PprofAddr != "" {
		if a.stopPprof, err = startPprof(cfg.PprofAddr); err != nil {
			return nil, err
		}
	}
	go func() { a.served <- a.server.Serve(a.ln) }()
	a.startSweeper()
	log.Info("parley: serving", "addr", a.ln.Addr().String(), "url", a.url)
	return a, nil
}

// newLogger writes logs to w as text or, for LOG_FORMAT=json, one JSON
// object a line.
func newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore opens the store DATABASE_URL names: PostgreSQL for a
// postgres:// or postgresql:// URL, else SQLite (file:PATH, sqlite:PATH or
// a plain path).
func openStore(ctx context.Context, databaseURL string) (parley.Store, error) {
	// Each branch returns a nil interface on error, never a nil *Store in
	// one, which closeParts would try to close.
	if postgres.IsURL(databaseURL) {
		s, err := postgres.Open(ctx, databaseURL)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	s, err := sqlite.Open(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// URL is the public URL, e.g. "http://127.0.0.1:43121" in tests.
func (a *App) URL() string { return a.url }

// Addr is the address Parley listens on.
func (a *App) Addr() string { return a.ln.Addr().String() }

// MetricsURL is where /metrics is served, e.g.
// "http://127.0.0.1:9090/metrics"; empty without METRICS_ADDR.
func (a *App) MetricsURL() string {
	if a.metrics == nil {
		return ""
	}
	return a.metrics.url()
}

// Drain prepares a stop: /readyz answers 503 at once, so that a load
// balancer takes this instance out, while everything else (pages, sockets)
// goes on serving for DRAIN_DELAY. It returns when the delay is over or ctx
// ends; Shutdown then closes the sockets with 1012.
func (a *App) Drain(ctx context.Context) {
	a.server.Drain()
	a.log.Info("parley: draining", "drain_delay", a.cfg.DrainDelay.String())
	t := time.NewTimer(a.cfg.DrainDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Done delivers the server's error should it stop serving by itself.
func (a *App) Done() <-chan error { return a.served }

// Shutdown stops accepting connections, closes every socket with 1012 so
// that pages reconnect to the next instance, and closes the database.
func (a *App) Shutdown(ctx context.Context) error {
	a.shutdownOnce.Do(func() {
		// Sockets get their 1012 at once, while the web server stops
		// accepting and lets requests in flight finish.
		roomClosed := make(chan error, 1)
		go func() { roomClosed <- a.chat.Close(ctx) }()
		var errs []error
		if err := a.server.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
		if err := <-roomClosed; err != nil {
			errs = append(errs, err)
		}
		if a.metrics != nil {
			if err := a.metrics.shutdown(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		if a.stopPprof != nil {
			if err := a.stopPprof(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		a.closeParts()
		a.shutdownErr = errors.Join(errs...)
	})
	return a.shutdownErr
}

// closeParts stops the sweeper and closes the store and listener.
func (a *App) closeParts() {
	if a.stopSweeping != nil {
		close(a.stopSweeping)
		<-a.sweeperDone
	}
	if a.bus != nil {
		a.bus.Close()
	}
	if a.store != nil {
		if err := a.store.Close(); err != nil {
			a.log.Error("app: close store", "err", err)
		}
	}
	if a.server == nil && a.ln != nil {
		a.ln.Close()
	}
	if a.server == nil && a.metrics != nil {
		_ = a.metrics.shutdown(context.Background())
	}
}

// startSweeper deletes expired sessions and OAuth states every hour.
func (a *App) startSweeper() {
	a.stopSweeping, a.sweeperDone = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(a.sweeperDone)
		tick := time.NewTicker(sweepInterval)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				if err := a.store.DeleteExpired(ctx); err != nil {
					a.log.Error("app: delete expired sessions", "err", err)
				}
				cancel()
			case <-a.stopSweeping:
				return
			}
		}
	}()
}
