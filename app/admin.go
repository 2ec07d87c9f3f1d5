package app

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/parleychat/parley/app/admincmd"
)

// RunAdmin runs `parley admin ARGS`: it reads -database-url or
// DATABASE_URL as the server does, opens that store as the server does
// (SQLite, or PostgreSQL for a postgres:// URL; beside a running server or
// not), and grants, revokes or lists admins. Every error is one line.
func RunAdmin(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("parley admin", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dbURL := databaseURLFlag(fs, envOr(getenv))
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("admin: %w; %s", err, admincmd.Usage)
	}
	cmd, err := admincmd.Parse(fs.Args())
	if err != nil {
		return err
	}
	store, err := openStore(ctx, *dbURL)
	if err != nil {
		return fmt.Errorf("admin: DATABASE_URL: %w", err)
	}
	defer store.Close()
	return cmd.Run(ctx, store, out)
}
