// Package ratelimit limits how often each key (a client address, a user)
// may act, with one token bucket per key.
package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// sweepEvery is how many calls pass between sweeps of idle buckets.
const sweepEvery = 1024

// Limiter allows each key at most Limit events per Window, in bursts of up
// to Limit. The zero Limit allows everything. It is safe for concurrent use.
type Limiter[K comparable] struct {
	limit  int
	window time.Duration

	mu      sync.Mutex
	buckets map[K]*bucket
	calls   int
}

type bucket struct {
	limiter  *rate.Limiter
	lastSeen time.Time
}

// New returns a limiter of limit events per window; limit 0 turns it off.
func New[K comparable](limit int, window time.Duration) *Limiter[K] {
	return &Limiter[K]{limit: limit, window: window, buckets: make(map[K]*bucket)}
}

// Allow reports whether key may act now, and counts the attempt.
func (l *Limiter[K]) Allow(key K) bool {
	if l.limit <= 0 {
		return true
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	if l.calls%sweepEvery == 0 {
		l.sweep(now)
	}
	b, ok := l.buckets[key]
	if !ok {
		every := rate.Every(l.window / time.Duration(l.limit))
		b = &bucket{limiter: rate.NewLimiter(every, l.limit)}
		l.buckets[key] = b
	}
	b.lastSeen = now
	return b.limiter.AllowN(now, 1)
}

// sweep forgets buckets idle for a whole window: they are full again, so a
// new bucket behaves the same.
func (l *Limiter[K]) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.lastSeen) > l.window {
			delete(l.buckets, k)
		}
	}
}
