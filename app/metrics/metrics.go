// Package metrics is Parley's Prometheus adapter: it implements the
// observers of app/chat and app/web and times the store, on a registry of
// its own (never the global one, so that several Parleys in one process,
// as in tests, do not collide). app serves Handler on METRICS_ADDR only.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/parleychat/parley/app/chat"
	"github.com/parleychat/parley/app/natsbus"
	"github.com/parleychat/parley/app/web"
)

// Metrics holds Parley's metrics. Create it with New.
type Metrics struct {
	reg *prometheus.Registry

	socketsOpen     prometheus.Gauge
	peopleOnline    prometheus.Gauge
	framesSent      prometheus.Counter
	bytesSent       prometheus.Counter
	socketsDropped  prometheus.Counter
	messagesStored  prometheus.Counter
	presenceFlushes prometheus.Histogram

	upgradesRefused *prometheus.CounterVec
	signIns         *prometheus.CounterVec
	httpRequests    *prometheus.CounterVec
	httpDuration    *prometheus.HistogramVec

	storeDuration *prometheus.HistogramVec

	// NATS (fan-out between instances), with NATS_URL only.
	natsConnected prometheus.Gauge
	natsMessages  *prometheus.CounterVec
}

var (
	_ chat.Observer    = (*Metrics)(nil)
	_ web.Observer     = (*Metrics)(nil)
	_ natsbus.Observer = (*Metrics)(nil)
)

// New registers Parley's metrics and Go's runtime and process collectors
// on a new registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		socketsOpen: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "parley_sockets_open", Help: "Websockets open now.",
		}),
		peopleOnline: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "parley_people_online", Help: "Distinct people with a websocket open, in any room.",
		}),
		framesSent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_websocket_frames_sent_total", Help: "Frames written to websockets.",
		}),
		bytesSent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_websocket_sent_bytes_total", Help: "Bytes written on websocket connections, framing included.",
		}),
		socketsDropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_websocket_dropped_slow_total", Help: "Websockets closed (1013) because they fell too far behind.",
		}),
		messagesStored: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_messages_stored_total", Help: "Chat messages sent to this instance and stored.",
		}),
		presenceFlushes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "parley_presence_flush_duration_seconds",
			Help:    "Time to render and queue one room's presence (count, online list, notices); the count is the number of flushes.",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1},
		}),
		upgradesRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_websocket_upgrades_refused_total", Help: "Websocket upgrades refused before the upgrade, by reason.",
		}, []string{"reason"}),
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_signins_total", Help: "Sign-in and sign-up attempts, by method (password, register, provider) and result.",
		}, []string{"method", "result"}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_http_requests_total", Help: "HTTP requests, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "parley_http_request_duration_seconds", Help: "HTTP request latency, by method and route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
		storeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "parley_store_query_duration_seconds", Help: "Store call latency, by operation and outcome.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"op", "outcome"}),
		natsConnected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "parley_nats_connected", Help: "1 while this instance is connected to NATS, 0 while it is not (0 without NATS_URL).",
		}),
		natsMessages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_nats_messages_total", Help: "Messages published to the other instances (out) and received from them (in), through NATS.",
		}, []string{"direction"}),
	}
	// Both directions show from the start, at 0.
	m.natsMessages.WithLabelValues("in")
	m.natsMessages.WithLabelValues("out")
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.socketsOpen, m.peopleOnline, m.framesSent, m.bytesSent, m.socketsDropped,
		m.messagesStored, m.presenceFlushes, m.upgradesRefused, m.signIns,
		m.httpRequests, m.httpDuration, m.storeDuration,
		m.natsConnected, m.natsMessages,
	)
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// The chat's events (chat.Observer).

func (m *Metrics) SocketOpened()      { m.socketsOpen.Inc() }
func (m *Metrics) SocketClosed()      { m.socketsOpen.Dec() }
func (m *Metrics) PeopleOnline(n int) { m.peopleOnline.Set(float64(n)) }
func (m *Metrics) FrameWritten()      { m.framesSent.Inc() }
func (m *Metrics) SocketDropped()     { m.socketsDropped.Inc() }
func (m *Metrics) MessageStored()     { m.messagesStored.Inc() }
func (m *Metrics) PresenceFlushed(d time.Duration) {
	m.presenceFlushes.Observe(d.Seconds())
}

// The bus's events (natsbus.Observer).

func (m *Metrics) NATSConnected(up bool) {
	if up {
		m.natsConnected.Set(1)
	} else {
		m.natsConnected.Set(0)
	}
}
func (m *Metrics) NATSMessageSent()     { m.natsMessages.WithLabelValues("out").Inc() }
func (m *Metrics) NATSMessageReceived() { m.natsMessages.WithLabelValues("in").Inc() }

// The web layer's events (web.Observer).

func (m *Metrics) Request(method, route string, status int, d time.Duration) {
	m.httpRequests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(method, route).Observe(d.Seconds())
}
func (m *Metrics) UpgradeRefused(reason string) { m.upgradesRefused.WithLabelValues(reason).Inc() }
func (m *Metrics) SignIn(method, result string) { m.signIns.WithLabelValues(method, result).Inc() }
func (m *Metrics) SocketBytesWritten(n int)     { m.bytesSent.Add(float64(n)) }
