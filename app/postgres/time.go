package postgres

import "time"

// Times are stored as timestamptz, which keeps microseconds.

// utcNow is the store's clock, rounded down to what the database keeps,
// so that a time the store returns equals the time it reads back.
func utcNow() time.Time {
	return time.Now().UTC().Truncate(time.Microsecond)
}
