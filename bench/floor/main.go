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
	"net/http/pprof"
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
	pprofAddr := flag.String("pprof", "", "serve /debug/pprof/ on this address too, e.g. 127.0.0.1:6060")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, *addr, *pprofAddr); err != nil {
		log.Fatalf("floor: %v", err)
	}
}

// serve runs the floor on addr, and pprof on pprofAddr unless it is
// empty, until ctx ends; then it shuts them down.
func serve(ctx context.Context, addr, pprofAddr string) error {
	if pprofAddr != "" {
		stopProfiler, err := serveProfiler(pprofAddr)
		if err != nil {
			return err
		}
		defer stopProfiler()
	}
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

// serveProfiler serves net/http/pprof on addr; the returned function stops
// it and waits for it.
func serveProfiler(addr string) (stop func(), err error) {
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for pprof on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	server := &http.Server{Handler: mux, ReadHeaderTimeout: readHeaderTimeout}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = server.Serve(listener)
	}()
	log.Printf("floor: pprof on http://%s/debug/pprof/", listener.Addr())
	return func() {
		_ = server.Close()
		<-done
	}, nil
}
