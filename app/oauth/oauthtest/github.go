package oauthtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleychat/parley/app/oauth"
)

// GitHubUser is the profile the fake GitHub returns from /user. A zero ID is
// left out of the answer; an empty Name or Email is null, as on GitHub.
type GitHubUser struct {
	ID        int64
	Login     string
	Name      string
	Email     string // the public email; empty sends the client to /user/emails
	AvatarURL string
	Emails    []GitHubEmail // what /user/emails lists
}

// GitHubEmail is one entry of /user/emails.
type GitHubEmail struct {
	Email    string `json:"email"`
	Primary  bool   `json:"primary"`
	Verified bool   `json:"verified"`
}

// DefaultGitHubUser is the profile a new fake GitHub returns.
func DefaultGitHubUser() GitHubUser {
	return GitHubUser{
		ID:        4242,
		Login:     "octocat",
		Name:      "The Octocat",
		AvatarURL: "https://avatars.example.test/u/4242",
		Emails: []GitHubEmail{
			{Email: "old@example.test", Verified: true},
			{Email: "octocat@example.test", Primary: true, Verified: true},
		},
	}
}

// GitHub is a fake github.com: /login/oauth/authorize,
// /login/oauth/access_token, /user and /user/emails.
type GitHub struct {
	core
	user GitHubUser
}

// NewGitHub starts a fake GitHub on loopback for the length of the test.
func NewGitHub(t testing.TB) *GitHub {
	g := &GitHub{user: DefaultGitHubUser()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/oauth/authorize", g.authorize)
	mux.HandleFunc("POST /login/oauth/access_token", g.accessToken)
	mux.HandleFunc("GET /user", g.profile)
	mux.HandleFunc("GET /user/emails", g.emails)
	g.start(t, mux)
	return g
}

// Endpoints are the fake's URLs, for oauth.Config.GitHubEndpoints.
func (g *GitHub) Endpoints() *oauth.GitHubEndpoints {
	return &oauth.GitHubEndpoints{
		AuthURL:    g.URL() + "/login/oauth/authorize",
		TokenURL:   g.URL() + "/login/oauth/access_token",
		ProfileURL: g.URL() + "/user",
		EmailURL:   g.URL() + "/user/emails",
	}
}

// Credentials are the client ID and secret the fake accepts.
func (g *GitHub) Credentials() oauth.Credentials {
	return oauth.Credentials{ClientID: ClientID, ClientSecret: ClientSecret}
}

// SetUser changes the profile the fake returns.
func (g *GitHub) SetUser(u GitHubUser) { g.set(func() { g.user = u }) }

// githubErrors are GitHub's names for the token endpoint's errors.
var githubErrors = map[string]string{
	"invalid_client": "incorrect_client_credentials",
	"invalid_grant":  "bad_verification_code",
}

// accessToken answers like GitHub: errors come with status 200, and the body
// is JSON only when the client asks for it, else a form.
func (g *GitHub) accessToken(w http.ResponseWriter, r *http.Request) {
	if g.failingToken() {
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	answer := url.Values{}
	if _, terr := g.redeem(r); terr != nil {
		code := terr.code
		if name, ok := githubErrors[code]; ok {
			code = name
		}
		answer.Set("error", code)
		answer.Set("error_description", terr.description)
	} else {
		answer.Set("access_token", g.issueToken())
		answer.Set("token_type", "bearer")
		answer.Set("scope", "user:email")
	}
	writeGitHubAnswer(w, r, answer)
}

// writeGitHubAnswer writes a token answer as JSON or as a form.
func writeGitHubAnswer(w http.ResponseWriter, r *http.Request, answer url.Values) {
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		flat := map[string]string{}
		for k := range answer {
			flat[k] = answer.Get(k)
		}
		writeJSON(w, http.StatusOK, flat)
		return
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	_, _ = w.Write([]byte(answer.Encode()))
}

// profile serves /user.
func (g *GitHub) profile(w http.ResponseWriter, r *http.Request) {
	if !g.authorized(r) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return
	}
	g.mu.Lock()
	u := g.user
	g.mu.Unlock()
	body := map[string]any{
		"login": u.Login, "avatar_url": u.AvatarURL,
		"name": nullable(u.Name), "email": nullable(u.Email),
		"bio": nil, "location": nil,
	}
	if u.ID != 0 {
		body["id"] = u.ID
	}
	writeJSON(w, http.StatusOK, body)
}

// emails serves /user/emails.
func (g *GitHub) emails(w http.ResponseWriter, r *http.Request) {
	if !g.authorized(r) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return
	}
	g.mu.Lock()
	list := append([]GitHubEmail{}, g.user.Emails...)
	g.mu.Unlock()
	writeJSON(w, http.StatusOK, list)
}

// nullable turns "" into JSON null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// writeJSON writes v as a JSON answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
