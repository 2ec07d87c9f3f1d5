// Command parley serves Parley, a real-time chat room: run it with
// `go run .` and open http://localhost:8080. SPEC.md and
// docs/configuration.md describe its configuration. `parley admin
// grant|revoke|list` manages admins in the same database.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/parleychat/parley/app"
)

// shutdownTimeout bounds a graceful stop on SIGINT or SIGTERM.
const shutdownTimeout = 5 * time.Second

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "parley:", err)
		os.Exit(1)
	}
}

// run dispatches: no command or `serve` runs the server, `admin` manages
// admins.
func run(args []string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "serve":
			return serve(args[1:])
		case "admin":
			return app.RunAdmin(context.Background(), args[1:], os.Getenv, os.Stdout)
		}
		return fmt.Errorf("unknown command %q: want serve (the default) or admin", args[0])
	}
	return serve(args)
}

func serve(args []string) error {
	cfg, err := app.LoadConfig(args, os.Getenv)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.Start(ctx, cfg)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case err := <-a.Done():
		return err
	}
	stop() // a second signal now ends the process at once
	a.Drain(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	return a.Shutdown(ctx)
}
