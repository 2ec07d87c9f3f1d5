// Command floor serves the bare websocket broadcaster that Parley's load
// tests measure as their floor (see bench/README.md).
//
//	go run ./bench/floor -addr 127.0.0.1:9090
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/parleychat/parley/bench/internal/floor"
)

// Server timing.
const (
	readHeaderTimeout = 10 * time.Second
	shutdownTimeout   = 10 * time.Second
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9090", "listen address")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, *addr); err != nil {
		log.Fatalf("floor: %v", err)
	}
}

// serve runs the floor on addr until ctx ends, then shuts it down.
func serve(ctx context.Context, addr string) error {
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	broadcaster := floor.New()
	server := &http.Server{Handler: broadcaster.Handler(), ReadHeaderTimeout: readHeaderTimeout}
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	log.Printf("floor: serving on http://%s (pid %d)", listener.Addr(), os.Getpid())

	select {
	case err := <-served:
		broadcaster.Close()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Printf("floor: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err = server.Shutdown(shutdownCtx) // stops accepting; hijacked sockets are ours to close
	broadcaster.Close()
	<-served
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
