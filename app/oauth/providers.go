package oauth

import (
	"context"
	"net/http"
	"time"

	"github.com/markbates/goth"
	"golang.org/x/oauth2"
)

// Provider is one enabled sign-in provider: Name is its path segment
// ("github"), Label the text of its button ("GitHub").
type Provider struct{ Name, Label string }

// Providers are the enabled providers. They are safe for concurrent use; a
// nil *Providers has none.
type Providers struct {
	list   []*backend
	byName map[string]*backend
}

// backend is everything needed to run one provider's flow.
type backend struct {
	Provider
	goth   goth.Provider
	oauth  *oauth2.Config // token exchange with the PKCE verifier
	client *http.Client
	// numericID marks providers whose goth user ID is a number, where goth
	// turns a missing ID into "0".
	numericID bool
	// oidc verifies the ID token; nil for plain OAuth providers.
	oidc *idTokenCheck
}

// defaultTimeout bounds every request to a provider when Config has no client.
const defaultTimeout = 15 * time.Second

// New validates cfg and sets up each provider whose variables are set, in the
// order github, google, gitlab, oidc. The OIDC provider is discovered from its
// issuer with ctx; errors name the environment variable at fault.
func New(ctx context.Context, cfg Config) (*Providers, error) {
	if err := ValidateConfig(cfg); err != nil {
		return nil, err
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: defaultTimeout}
	}
	p := &Providers{byName: map[string]*backend{}}
	if cfg.GitHub.set() {
		p.add(newGitHub(cfg, client))
	}
	if cfg.Google.set() {
		p.add(newGoogle(cfg, client))
	}
	if cfg.GitLab.set() {
		p.add(newGitLab(cfg, client))
	}
	if cfg.OIDC.set() {
		b, err := newOIDC(ctx, cfg, client)
		if err != nil {
			return nil, err
		}
		p.add(b)
	}
	return p, nil
}

// add enables one provider.
func (p *Providers) add(b *backend) {
	p.list = append(p.list, b)
	p.byName[b.Name] = b
}

// List returns the enabled providers in a stable order: github, google,
// gitlab, oidc.
func (p *Providers) List() []Provider {
	if p == nil {
		return nil
	}
	out := make([]Provider, 0, len(p.list))
	for _, b := range p.list {
		out = append(out, b.Provider)
	}
	return out
}

// Lookup returns the enabled provider of that name.
func (p *Providers) Lookup(name string) (Provider, bool) {
	b, err := p.backend(name)
	if err != nil {
		return Provider{}, false
	}
	return b.Provider, true
}

// backend returns the enabled provider of that name or ErrUnknownProvider.
// A nil *Providers has no provider.
func (p *Providers) backend(name string) (*backend, error) {
	var b *backend
	if p != nil {
		b = p.byName[name]
	}
	if b == nil {
		return nil, &Error{Provider: name, Kind: ErrUnknownProvider}
	}
	return b, nil
}
