package oauth

import (
	"errors"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/markbates/goth"
	"github.com/parleychat/parley/app/parley"
)

// MaxDisplayNameLength caps, in characters, the display name taken from a
// provider.
const MaxDisplayNameLength = 64

// identity maps goth's user to Parley's Identity: the display name is the
// nickname, else the name, else the email's local part.
func (b *backend) identity(u goth.User) (parley.Identity, error) {
	id := strings.TrimSpace(u.UserID)
	if id == "" || (b.numericID && id == "0") {
		return parley.Identity{}, b.fail(ErrProfile, errors.New("profile has no user ID"))
	}
	email := strings.TrimSpace(u.Email)
	name := displayName(u.NickName, u.Name, emailLocalPart(email))
	if name == "" {
		return parley.Identity{}, b.fail(ErrNoDisplayName, nil)
	}
	return parley.Identity{
		Provider:       b.Name,
		ProviderUserID: id,
		DisplayName:    name,
		Email:          email,
		AvatarURL:      avatarURL(u.AvatarURL),
	}, nil
}

// displayName returns the first candidate that is not empty once cleaned.
func displayName(candidates ...string) string {
	for _, c := range candidates {
		if name := cleanName(c); name != "" {
			return name
		}
	}
	return ""
}

// cleanName makes provider text fit for a display name: valid UTF-8, no
// control or bidirectional-override characters, single spaces, trimmed and
// at most MaxDisplayNameLength characters.
func cleanName(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r):
			return ' '
		case unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > MaxDisplayNameLength {
		s = strings.TrimSpace(string([]rune(s)[:MaxDisplayNameLength]))
	}
	return s
}

// emailLocalPart returns what comes before the last "@", or "".
func emailLocalPart(email string) string {
	i := strings.LastIndex(email, "@")
	if i <= 0 {
		return ""
	}
	return email[:i]
}

// avatarURL keeps only absolute http(s) URLs.
func avatarURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return raw
}
