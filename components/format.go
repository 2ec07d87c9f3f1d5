package components

import "github.com/parleychat/parley/app/parley"

// ProviderLabel is how a provider's name is shown.
func ProviderLabel(provider string) string { return parley.ProviderLabel(provider) }
