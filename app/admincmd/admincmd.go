// Package admincmd is `parley admin`: it marks accounts as admins, takes
// the mark away and lists who has it, in the store the server uses, while
// the server runs or not. Each change is recorded in the moderation log as
// done by the command line.
package admincmd

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/parleychat/parley/app/parley"
)

// Usage is the one line that says how to call the command.
const Usage = "usage: parley admin [-database-url URL] grant NAME | revoke NAME | list"

// commandLine is the actor ID of actions taken from the command line.
const commandLine = 0

// Store is the part of the store the command calls: one method of
// parley.UserStore and two of parley.ModerationStore.
type Store interface {
	// UserByName finds the account NAME names (parley.UserStore).
	UserByName(ctx context.Context, provider, name string) (parley.User, error)
	// SetAdmin grants or revokes the admin flag and records the action
	// (parley.ModerationStore).
	SetAdmin(ctx context.Context, actorID, userID int64, admin bool) error
	// Admins returns every admin (parley.ModerationStore).
	Admins(ctx context.Context) ([]parley.User, error)
}

// Command is one parsed `parley admin` call.
type Command struct {
	// Verb is "grant", "revoke" or "list".
	Verb string
	// Provider and Name are the account to grant or revoke, as
	// parley.ParseAccountName reads NAME.
	Provider, Name string
	raw            string
}

// Parse reads the arguments after `parley admin` (flags already taken
// out). It checks everything that can be checked without the store, so
// that a mistyped call opens no database.
func Parse(args []string) (Command, error) {
	if len(args) == 0 {
		return Command{}, errors.New("admin: no subcommand; " + Usage)
	}
	verb, rest := args[0], args[1:]
	switch verb {
	case "list":
		if len(rest) != 0 {
			return Command{}, fmt.Errorf("admin: list takes no NAME; %s", Usage)
		}
		return Command{Verb: verb}, nil
	case "grant", "revoke":
		if len(rest) != 1 {
			return Command{}, fmt.Errorf("admin: %s takes one NAME (a username or provider:name); %s", verb, Usage)
		}
		provider, name, err := parley.ParseAccountName(rest[0])
		if err != nil {
			return Command{}, fmt.Errorf("admin: %q is not an account name: %v", rest[0], err)
		}
		return Command{Verb: verb, Provider: provider, Name: name, raw: rest[0]}, nil
	}
	return Command{}, fmt.Errorf("admin: unknown subcommand %q; %s", verb, Usage)
}

// Run carries the command out against the store and writes what it did,
// one line, or the admins one per line, to out.
func (c Command) Run(ctx context.Context, store Store, out io.Writer) error {
	if c.Verb == "list" {
		return list(ctx, store, out)
	}
	user, err := store.UserByName(ctx, c.Provider, c.Name)
	switch {
	case errors.Is(err, parley.ErrNotFound):
		return fmt.Errorf("admin: no account named %q", c.raw)
	case errors.Is(err, parley.ErrAmbiguousName):
		return fmt.Errorf("admin: several accounts are named %q; none was changed", c.raw)
	case err != nil:
		return fmt.Errorf("admin: %w", err)
	}
	grant := c.Verb == "grant"
	name := user.AccountName()
	err = store.SetAdmin(ctx, commandLine, user.ID, grant)
	switch {
	case errors.Is(err, parley.ErrNoChange) && grant:
		_, err = fmt.Fprintf(out, "%s is already an admin.\n", name)
	case errors.Is(err, parley.ErrNoChange):
		_, err = fmt.Fprintf(out, "%s is not an admin.\n", name)
	case err != nil:
		return fmt.Errorf("admin: %w", err)
	case grant:
		_, err = fmt.Fprintf(out, "%s is now an admin.\n", name)
	default:
		_, err = fmt.Fprintf(out, "%s is no longer an admin.\n", name)
	}
	return err
}

// list writes every admin's account name, one a line.
func list(ctx context.Context, store Store, out io.Writer) error {
	admins, err := store.Admins(ctx)
	if err != nil {
		return fmt.Errorf("admin: %w", err)
	}
	for _, u := range admins {
		if _, err := fmt.Fprintln(out, u.AccountName()); err != nil {
			return err
		}
	}
	return nil
}
