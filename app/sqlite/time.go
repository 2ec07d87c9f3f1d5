package sqlite

import "time"

// Times are stored as UTC unix milliseconds (INTEGER columns).

// utcNow is the store's clock.
func utcNow() time.Time {
	return time.Now().UTC()
}

// toMillis is how a time is stored.
func toMillis(t time.Time) int64 {
	return t.UnixMilli()
}

// fromMillis turns a stored time back into a time.Time in UTC.
func fromMillis(ms int64) time.Time {
	return time.UnixMilli(ms).UTC()
}

// stored rounds t down to what the database keeps, so that a value the
// store returns equals the value it would read back.
func stored(t time.Time) time.Time {
	return fromMillis(toMillis(t))
}
