package ratelimit_test

import (
	"testing"
	"time"

	"github.com/parleychat/parley/app/ratelimit"
)

func TestLimiterAllowsBurstThenRefuses(t *testing.T) {
	l := ratelimit.New[string](3, time.Minute)
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("attempt %d refused, want allowed within the burst", i+1)
		}
	}
	if l.Allow("a") {
		t.Errorf("4th attempt allowed, want refused")
	}
	if !l.Allow("b") {
		t.Errorf("another key refused, want each key limited on its own")
	}
}

func TestLimiterRefills(t *testing.T) {
	l := ratelimit.New[int64](2, 100*time.Millisecond)
	l.Allow(1)
	l.Allow(1)
	if l.Allow(1) {
		t.Fatalf("3rd attempt allowed, want refused")
	}
	time.Sleep(60 * time.Millisecond)
	if !l.Allow(1) {
		t.Errorf("attempt after refill refused, want allowed")
	}
}

func TestLimiterZeroIsOff(t *testing.T) {
	l := ratelimit.New[string](0, time.Minute)
	for i := range 1000 {
		if !l.Allow("a") {
			t.Fatalf("attempt %d refused with limit 0, want the limit off", i+1)
		}
	}
}
