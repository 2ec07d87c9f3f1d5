package app_test

import (
	"strings"
	"testing"

	"github.com/parleychat/parley/app"
)

func TestLoadConfigReadsNATSSubjectPrefix(t *testing.T) {
	for _, raw := range []string{"", "parley", "staging.parley", "parley_test-1f3a"} {
		cfg, err := app.LoadConfig(nil, getenv(map[string]string{"NATS_SUBJECT_PREFIX": raw}))
		if err != nil {
			t.Errorf("NATS_SUBJECT_PREFIX=%q: %v", raw, err)
			continue
		}
		if cfg.NATSSubjectPrefix != raw {
			t.Errorf("NATS_SUBJECT_PREFIX=%q: got %q", raw, cfg.NATSSubjectPrefix)
		}
	}
}

func TestLoadConfigRefusesBadNATSSubjectPrefix(t *testing.T) {
	for _, raw := range []string{
		"parley.>",     // a wildcard would subscribe to others' subjects
		"parley.*",     // likewise
		"par ley",      // NATS subjects have no spaces
		"parley.",      // an empty token
		".parley",      // likewise
		"parley..room", // likewise
	} {
		t.Run(raw, func(t *testing.T) {
			_, err := app.LoadConfig(nil, getenv(map[string]string{"NATS_SUBJECT_PREFIX": raw}))
			if err == nil {
				t.Fatalf("NATS_SUBJECT_PREFIX=%q accepted, want an error", raw)
			}
			if msg := err.Error(); !strings.Contains(msg, "NATS_SUBJECT_PREFIX") || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming NATS_SUBJECT_PREFIX", msg)
			}
		})
	}
}
