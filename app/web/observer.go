package web

import "time"

// Observer is told what the web layer does, so that an adapter
// (app/metrics) can count it. Its methods are called from request
// goroutines: they must be safe for concurrent use and must not block.
type Observer interface {
	// Request is one HTTP request served: route is the pattern that
	// matched (for example "/r/:room"), never the raw path.
	Request(method, route string, status int, d time.Duration)
	// UpgradeRefused is a websocket upgrade refused before it happened;
	// reason is one of the Refused* constants.
	UpgradeRefused(reason string)
	// SignIn is one attempt to sign in or sign up: method is "password",
	// "register" or a provider name, result one of the Result* constants.
	SignIn(method, result string)
	// SocketBytesWritten is n bytes written on upgraded websocket
	// connections, framing included.
	SocketBytesWritten(n int)
}

// Reasons a websocket upgrade is refused.
const (
	RefusedNotWebsocket = "not_websocket"
	RefusedOrigin       = "origin"
	RefusedNoSession    = "no_session"
	RefusedUnknownRoom  = "unknown_room"
)

// Results of a sign-in or sign-up attempt.
const (
	ResultOK          = "ok"
	ResultInvalid     = "invalid"
	ResultTaken       = "taken"
	ResultRateLimited = "rate_limited"
	ResultFailed      = "failed"
	ResultBanned      = "banned"
)

// NopObserver ignores everything; it is the Observer of Options without one.
type NopObserver struct{}

func (NopObserver) Request(string, string, int, time.Duration) {}
func (NopObserver) UpgradeRefused(string)                      {}
func (NopObserver) SignIn(string, string)                      {}
func (NopObserver) SocketBytesWritten(int)                     {}
