package components

import "github.com/parleychat/parley/app/parley"

// Time formats for messages. Pages render in UTC: without script the
// server cannot know the reader's time zone, so the full time says "UTC".
const (
	rfc3339   = "2006-01-02T15:04:05Z07:00"
	shortTime = "15:04"
	longTime  = "2 Jan 2006 15:04 UTC"
)

// ProviderLabel is how a provider's name is shown.
func ProviderLabel(provider string) string { return parley.ProviderLabel(provider) }
