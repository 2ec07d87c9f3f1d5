package oauth

import (
	"errors"
	"fmt"
	"strconv"
)

// kind is the class of a failed sign-in; the exported Err* values are kinds.
type kind string

// Error returns the kind's text with the package prefix.
func (k kind) Error() string { return "oauth: " + string(k) }

// Kinds of failure, to be tested with errors.Is on any error that Begin or
// Complete returns.
var (
	// ErrUnknownProvider means no provider of that name is configured (404).
	ErrUnknownProvider error = kind("unknown provider")
	// ErrDenied means the person cancelled at the provider (access_denied).
	ErrDenied error = kind("sign-in was cancelled")
	// ErrProviderError means the provider sent the browser back with an
	// error other than access_denied.
	ErrProviderError error = kind("provider returned an error")
	// ErrMissingCode means the callback carried neither a code nor an error.
	ErrMissingCode error = kind("callback has no authorization code")
	// ErrPending means the pending sign-in does not fit the callback: another
	// provider's, no PKCE verifier or an unreadable session.
	ErrPending error = kind("pending sign-in does not match the callback")
	// ErrExchange means the token endpoint refused the code or failed.
	ErrExchange error = kind("token exchange failed")
	// ErrIDToken means the OpenID Connect ID token is missing or invalid
	// (signature, issuer, audience, expiry or nonce).
	ErrIDToken error = kind("invalid ID token")
	// ErrProfile means the user's profile could not be fetched or has no ID.
	ErrProfile error = kind("cannot get the user's profile")
	// ErrNoDisplayName means the profile has no nickname, name or email.
	ErrNoDisplayName error = kind("profile has no usable name")
)

// Error is a failed sign-in with one provider. Its Error text is for logs;
// Message is for the person signing in.
type Error struct {
	// Provider is the provider's name ("github") and Label its button label.
	Provider, Label string
	// Kind is one of the Err* values.
	Kind error
	// Err is the underlying cause, or nil.
	Err error
}

// Error describes the failure for a log, with its cause.
func (e *Error) Error() string {
	msg := fmt.Sprintf("oauth: %s: %s", safeName(e.Provider), kindText(e.Kind))
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// safeName returns a provider name as is when it is plain lower-case ASCII,
// else quoted (also when empty): unknown names come from the request path and end up in logs.
func safeName(name string) string {
	if name == "" {
		return `""`
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return strconv.Quote(name)
		}
	}
	return name
}

// kindText is a kind's text without the package prefix.
func kindText(k error) string {
	switch k := k.(type) {
	case kind:
		return string(k)
	case nil:
		return "sign-in failed"
	}
	return k.Error()
}

// Unwrap exposes both the kind and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Message is a sentence for the person signing in, naming the provider but
// never repeating what the provider or the network said.
func (e *Error) Message() string {
	switch e.Kind {
	case ErrUnknownProvider:
		return "This sign-in provider is not available."
	case ErrDenied:
		return e.Label + " sign-in was cancelled."
	case ErrProviderError, ErrMissingCode:
		return e.Label + " did not complete the sign-in. Please try again."
	case ErrPending:
		return "This sign-in attempt is no longer valid. Please try again."
	case ErrNoDisplayName:
		return "Your " + e.Label + " account has no name or email address that Parley can show."
	}
	return "Signing in with " + e.Label + " failed. Please try again."
}

// UserMessage returns the sentence to show the person for any error from
// Begin or Complete.
func UserMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message()
	}
	return "Sign-in failed. Please try again."
}

// fail builds the Error of one provider.
func (p Provider) fail(k error, cause error) error {
	return &Error{Provider: p.Name, Label: p.Label, Kind: k, Err: cause}
}
