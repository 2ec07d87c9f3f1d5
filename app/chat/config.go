package chat

import (
	"time"

	"github.com/parleychat/parley/app/chat/outbox"
)

// Config holds the chat's timing and size limits. DefaultConfig gives the
// production values; tests shorten the timings.
type Config struct {
	// WriteWait bounds each write to a socket; a peer that does not take a
	// frame in this time is dropped.
	WriteWait time.Duration
	// PongWait is how long a socket may stay silent (no frame, no pong)
	// before it counts as gone.
	PongWait time.Duration
	// PingInterval is how often the server pings; it must be shorter than
	// PongWait.
	PingInterval time.Duration
	// PresenceQuiet is how long presence must stay unchanged before the
	// count and the join and leave notices go out.
	PresenceQuiet time.Duration
	// PresenceMaxDelay caps how long a burst of changes can hold the count
	// back: under constant churn it still goes out this often.
	PresenceMaxDelay time.Duration
	// WritesPerSecond paces busy rooms: a room's frames go out at most
	// once every (its sockets / WritesPerSecond), and never less often
	// than every MaxFanOutGap; those that come in between go together, as
	// one write to each socket, so that a room costs about this many
	// writes a second at most however busy it is. A big room also waits
	// for most of its sockets to write its last fan-out, at most until
	// MaxFanOutGap after it. 0 sends every frame at once.
	WritesPerSecond int
	MaxFanOutGap    time.Duration
	// SendQueueSize is how many fan-outs may wait for a socket's writer
	// (each a message, or a busy room's batch of them); a socket this far
	// behind is too slow and is dropped.
	SendQueueSize int
	// MaxFrameBytes is the largest frame a client may send.
	MaxFrameBytes int64
	// MessageRateLimit is how many messages a user may send per
	// MessageRateWindow; 0 turns the limit off.
	MessageRateLimit  int
	MessageRateWindow time.Duration
	// HistoryIdle is how long a room's last messages stay in memory once
	// it has no socket open and no page asked for them.
	HistoryIdle time.Duration
	// Observer is told about sockets, frames and presence, for metrics;
	// nil means NopObserver.
	Observer Observer
}

// DefaultConfig returns the production settings.
func DefaultConfig() Config {
	return Config{
		WriteWait:         10 * time.Second,
		PongWait:          60 * time.Second,
		PingInterval:      50 * time.Second,
		PresenceQuiet:     50 * time.Millisecond,
		PresenceMaxDelay:  time.Second,
		WritesPerSecond:   100_000,
		MaxFanOutGap:      250 * time.Millisecond,
		SendQueueSize:     32,
		MaxFrameBytes:     8 << 10,
		MessageRateLimit:  20,
		MessageRateWindow: 10 * time.Second,
		HistoryIdle:       5 * time.Minute,
	}
}

// writerConfig is what each socket's writer needs of the config.
func (c *Config) writerConfig() outbox.Config {
	return outbox.Config{WriteWait: c.WriteWait, PingInterval: c.PingInterval, Observer: c.Observer}
}
