package app_test

import (
	"strings"
	"testing"

	"github.com/parleychat/parley/app"
)

func TestLoadConfigReadsNATSURL(t *testing.T) {
	for _, raw := range []string{"nats://127.0.0.1:4222", "tls://nats.example.com:4222", "nats://a:4222, nats://b:4222", "nats://user:pass@nats.internal"} {
		cfg, err := app.LoadConfig(nil, getenv(map[string]string{"NATS_URL": raw}))
		if err != nil {
			t.Errorf("NATS_URL=%q: %v", raw, err)
			continue
		}
		if cfg.NATSURL != raw {
			t.Errorf("NATS_URL=%q: got %q", raw, cfg.NATSURL)
		}
	}
	cfg, err := app.LoadConfig(nil, getenv(nil))
	if err != nil || cfg.NATSURL != "" {
		t.Errorf("without NATS_URL: got %q, %v; want no NATS (one process)", cfg.NATSURL, err)
	}
}

func TestLoadConfigRefusesBadNATSURL(t *testing.T) {
	for _, raw := range []string{
		"127.0.0.1:4222",                    // no scheme
		"http://127.0.0.1:4222",             // not NATS
		"nats://",                           // no host
		"nats://127.0.0.1:4222/parley",      // a path means nothing to NATS
		"nats://a:4222,redis://b:6379",      // one bad server among several
		"nats://user:secret@host:4222/path", // the error must not show the password
		"nats://[::1",                       // no URL at all
	} {
		t.Run(raw, func(t *testing.T) {
			_, err := app.LoadConfig(nil, getenv(map[string]string{"NATS_URL": raw}))
			if err == nil {
				t.Fatalf("NATS_URL=%q accepted, want an error", raw)
			}
			msg := err.Error()
			if !strings.Contains(msg, "NATS_URL") || strings.Contains(msg, "\n") || strings.Contains(msg, "secret") {
				t.Errorf("error %q: want one line naming NATS_URL, without any password", msg)
			}
		})
	}
}
