package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/parleychat/parley/app/metrics"
)

// metricsServer serves /metrics on METRICS_ADDR, a listener of its own:
// the public port never shows them.
type metricsServer struct {
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
}

func startMetrics(addr string, m *metrics.Metrics, log *slog.Logger) (*metricsServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("app: METRICS_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	ms := &metricsServer{
		ln:   ln,
		srv:  &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		done: make(chan struct{}),
	}
	go func() {
		defer close(ms.done)
		if err := ms.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("app: metrics listener stopped", "addr", addr, "err", err)
		}
	}()
	return ms, nil
}

// url is where the metrics are, e.g. "http://127.0.0.1:9090/metrics".
func (ms *metricsServer) url() string { return "http://" + ms.ln.Addr().String() + "/metrics" }

func (ms *metricsServer) shutdown(ctx context.Context) error {
	err := ms.srv.Shutdown(ctx)
	<-ms.done
	if err != nil {
		return fmt.Errorf("app: metrics shutdown: %w", err)
	}
	return nil
}
