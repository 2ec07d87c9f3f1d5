package oauth

import (
	"errors"
	"net"
	"net/url"
)

// ValidateConfig checks the configuration without using the network: every
// provider's variables come in complete sets, the OIDC issuer is an https URL
// (http only for localhost) and BASE_URL is usable for callbacks. Its error
// names the environment variable at fault.
func ValidateConfig(cfg Config) error {
	for _, check := range []error{
		checkPair("GITHUB", cfg.GitHub),
		checkPair("GOOGLE", cfg.Google),
		checkPair("GITLAB", cfg.GitLab),
		checkOIDC(cfg.OIDC),
		checkBaseURL(cfg),
	} {
		if check != nil {
			return check
		}
	}
	return nil
}

// checkPair reports a half-set client ID and secret of one provider.
func checkPair(prefix string, c Credentials) error {
	id, secret := prefix+"_CLIENT_ID", prefix+"_CLIENT_SECRET"
	switch {
	case c.ClientID != "" && c.ClientSecret == "":
		return configError(secret + " is required when " + id + " is set")
	case c.ClientID == "" && c.ClientSecret != "":
		return configError(id + " is required when " + secret + " is set")
	}
	return nil
}

// envVar is one environment variable and its value.
type envVar struct{ name, value string }

// checkOIDC reports an incomplete OIDC configuration or a bad issuer URL:
// once any OIDC variable is set, the issuer, client ID and secret must be.
func checkOIDC(c OIDCConfig) error {
	vars := []envVar{
		{"OIDC_ISSUER", c.Issuer},
		{"OIDC_CLIENT_ID", c.ClientID},
		{"OIDC_CLIENT_SECRET", c.ClientSecret},
		{"OIDC_NAME", c.Name},
	}
	given := firstSet(vars)
	if given == "" {
		return nil
	}
	for _, v := range vars[:3] {
		if v.value == "" {
			return configError(v.name + " is required when " + given + " is set")
		}
	}
	return checkIssuer(c.Issuer)
}

// firstSet names the first variable that has a value, or returns "".
func firstSet(vars []envVar) string {
	for _, v := range vars {
		if v.value != "" {
			return v.name
		}
	}
	return ""
}

// checkIssuer requires an https URL without query or fragment, or http for a
// loopback host.
func checkIssuer(issuer string) error {
	bad := configError("OIDC_ISSUER must be an https URL (http allowed only for localhost)")
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return bad
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return bad
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkBaseURL requires an absolute http(s) BASE_URL once any provider is on.
func checkBaseURL(cfg Config) error {
	if !cfg.GitHub.set() && !cfg.Google.set() && !cfg.GitLab.set() && !cfg.OIDC.set() {
		return nil
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return configError("BASE_URL must be an http or https URL for OAuth callbacks")
	}
	return nil
}

// configError prefixes a configuration message.
func configError(msg string) error { return errors.New("oauth: " + msg) }
