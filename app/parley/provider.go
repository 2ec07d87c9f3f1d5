package parley

// ProviderLabel is how a sign-in provider is named to people ("GitHub");
// empty for local accounts.
func ProviderLabel(provider string) string {
	switch provider {
	case "github":
		return "GitHub"
	case "google":
		return "Google"
	case "gitlab":
		return "GitLab"
	case "oidc":
		return "SSO"
	}
	return provider
}

// NoticeName is how plain-text notices name a person: an OAuth user's
// display name carries the provider ("alice (GitHub)"), so that it cannot
// pass for the local account "alice" where no badge can be shown.
func (u User) NoticeName() string {
	if u.Provider == "" {
		return u.DisplayName
	}
	return u.DisplayName + " (" + ProviderLabel(u.Provider) + ")"
}
