package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/parleychat/parley/app"
)

// scrape reads the app's /metrics from its METRICS_ADDR listener.
func scrape(t *testing.T, a *app.App) map[string]*dto.MetricFamily {
	t.Helper()
	if a.MetricsURL() == "" {
		t.Fatal("MetricsURL is empty with METRICS_ADDR set")
	}
	resp, err := http.Get(a.MetricsURL())
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: status %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse scrape: %v", err)
	}
	return fams
}

// sample returns the value of the series of family name whose labels
// include want (a counter's or gauge's value, a histogram's count), and
// whether there is one.
func sample(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func TestMetricsMoveWithTraffic(t *testing.T) {
	cfg := testConfig(t)
	cfg.MetricsAddr = "127.0.0.1:0"
	a := startApp(t, cfg)

	// Never on the public port.
	if status, _, _ := newBrowser(t, a.URL()).get("/metrics"); status != http.StatusNotFound {
		t.Errorf("GET /metrics on the public port: got %d, want 404", status)
	}

	alice := newBrowser(t, a.URL())
	alice.register("alice", "password-alice")
	if status, _, _ := newBrowser(t, a.URL()).post("/login", url.Values{"username": {"alice"}, "password": {"wrong-password"}}); status != http.StatusUnauthorized {
		t.Fatalf("wrong password: got %d, want 401", status)
	}
	if status, _, _ := newBrowser(t, a.URL()).post("/login", url.Values{"username": {"alice"}, "password": {"password-alice"}}); status != http.StatusSeeOther {
		t.Fatalf("sign in: got %d, want 303", status)
	}
	alice.chatPage()
	ws := alice.dial("?room=general")
	ws.waitCount(1)
	ws.send("hello metrics")
	ws.waitText("hello metrics")

	// Refused upgrades: no session, a foreign origin, an unknown room.
	if _, resp, err := dialSocket(t, a.URL(), "", a.URL(), ""); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("dial without a session: %v, want 401", err)
	}
	if _, resp, err := dialSocket(t, a.URL(), alice.cookie(), "https://evil.example", ""); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("dial from a foreign origin: %v, want 403", err)
	}
	if _, resp, err := dialSocket(t, a.URL(), alice.cookie(), a.URL(), "?room=nowhere"); err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("dial to an unknown room: %v, want 404", err)
	}

	fams := scrape(t, a)
	exactly := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"parley_sockets_open", nil, 1},
		{"parley_people_online", nil, 1},
		{"parley_messages_stored_total", nil, 1},
		{"parley_websocket_upgrades_refused_total", map[string]string{"reason": "no_session"}, 1},
		{"parley_websocket_upgrades_refused_total", map[string]string{"reason": "origin"}, 1},
		{"parley_websocket_upgrades_refused_total", map[string]string{"reason": "unknown_room"}, 1},
		{"parley_signins_total", map[string]string{"method": "register", "result": "ok"}, 1},
		{"parley_signins_total", map[string]string{"method": "password", "result": "invalid"}, 1},
		{"parley_signins_total", map[string]string{"method": "password", "result": "ok"}, 1},
		{"parley_http_requests_total", map[string]string{"method": "POST", "route": "/register", "status": "303"}, 1},
		{"parley_http_requests_total", map[string]string{"method": "POST", "route": "/login", "status": "401"}, 1},
		{"parley_http_requests_total", map[string]string{"method": "GET", "route": "/r/:room", "status": "200"}, 1},
		{"parley_http_requests_total", map[string]string{"method": "GET", "route": "unmatched", "status": "404"}, 1},
		{"parley_http_request_duration_seconds", map[string]string{"method": "GET", "route": "/r/:room"}, 1},
		{"parley_store_query_duration_seconds", map[string]string{"op": "create_message", "outcome": "ok"}, 1},
		{"parley_websocket_dropped_slow_total", nil, 0},
	}
	for _, c := range exactly {
		if got, ok := sample(fams, c.name, c.labels); !ok || got != c.want {
			t.Errorf("%s%v: got %v (present %v), want %v; the scrape has %v", c.name, c.labels, got, ok, c.want, fams[c.name].GetMetric())
		}
	}
	atLeast := []struct {
		name   string
		labels map[string]string
		min    float64
	}{
		// The count and the message, at least.
		{"parley_websocket_frames_sent_total", nil, 2},
		{"parley_websocket_sent_bytes_total", nil, float64(len("hello metrics"))},
		{"parley_presence_flush_duration_seconds", nil, 1},
		{"parley_store_query_duration_seconds", map[string]string{"op": "session_user", "outcome": "ok"}, 1},
		{"go_goroutines", nil, 1},
		{"process_resident_memory_bytes", nil, 1},
	}
	for _, c := range atLeast {
		if got, ok := sample(fams, c.name, c.labels); !ok || got < c.min {
			t.Errorf("%s%v: got %v (present %v), want at least %v", c.name, c.labels, got, ok, c.min)
		}
	}
	// Routes are patterns: no raw path becomes a label.
	for _, m := range fams["parley_http_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "route" && (strings.Contains(l.GetValue(), "general") || strings.Contains(l.GetValue(), "nowhere")) {
				t.Errorf("route label %q holds a raw path", l.GetValue())
			}
		}
	}

	t.Run("dashboard queries only exposed metrics", func(t *testing.T) {
		checkDashboard(t, fams)
	})

	// The socket gone, the gauges fall back.
	ws.close()
	deadline := time.Now().Add(waitTimeout)
	for {
		fams := scrape(t, a)
		open, _ := sample(fams, "parley_sockets_open", nil)
		people, _ := sample(fams, "parley_people_online", nil)
		if open == 0 && people == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the socket closed: sockets_open %v, people_online %v, want 0 and 0", open, people)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// metricName finds the metric names a PromQL expression uses.
var metricName = regexp.MustCompile(`\b(?:parley|go|process)_[a-z0-9_]+`)

// checkDashboard checks that deploy/grafana-dashboard.json is valid JSON
// and that every metric its panels query is in the scrape.
func checkDashboard(t *testing.T, fams map[string]*dto.MetricFamily) {
	t.Helper()
	raw, err := os.ReadFile("../deploy/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string `json:"title"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("dashboard is not valid JSON: %v", err)
	}
	if dash.Title == "" || len(dash.Panels) == 0 {
		t.Fatalf("dashboard has no title or no panels")
	}
	used := 0
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			for _, name := range metricName.FindAllString(tg.Expr, -1) {
				used++
				family := name
				for _, suffix := range []string{"_bucket", "_count", "_sum"} {
					if base, ok := strings.CutSuffix(name, suffix); ok && fams[base] != nil && fams[base].GetType() == dto.MetricType_HISTOGRAM {
						family = base
					}
				}
				if fams[family] == nil {
					t.Errorf("panel %q queries %s, which the scrape does not have", p.Title, name)
				}
			}
		}
	}
	if used == 0 {
		t.Errorf("dashboard queries no metric")
	}
}

func TestMetricsOffWithoutMetricsAddr(t *testing.T) {
	a := startApp(t, testConfig(t))
	if a.MetricsURL() != "" {
		t.Errorf("MetricsURL: got %q without METRICS_ADDR, want empty", a.MetricsURL())
	}
	if status, _, _ := newBrowser(t, a.URL()).get("/metrics"); status != http.StatusNotFound {
		t.Errorf("GET /metrics: got %d, want 404", status)
	}
}

func TestReadyzFollowsTheStoreAndDraining(t *testing.T) {
	t.Run("store", func(t *testing.T) {
		a := startApp(t, testConfig(t))
		b := newBrowser(t, a.URL())
		if status, body, _ := b.get("/readyz"); status != http.StatusOK {
			t.Fatalf("GET /readyz: got %d %q, want 200", status, body)
		}
		if err := app.CloseStore(a); err != nil {
			t.Fatal(err)
		}
		status, body, _ := b.get("/readyz")
		if status != http.StatusServiceUnavailable || !strings.Contains(body, "database") {
			t.Errorf("GET /readyz with the database closed: got %d %q, want 503 naming the database", status, body)
		}
		if status, _, _ := b.get("/healthz"); status != http.StatusOK {
			t.Errorf("GET /healthz with the database closed: got %d, want 200 (liveness)", status)
		}
	})
	t.Run("draining", func(t *testing.T) {
		a := startApp(t, testConfig(t)) // DrainDelay 0: Drain returns at once
		b := signedUp(t, a, "alice")
		a.Drain(t.Context())
		status, body, _ := b.get("/readyz")
		if status != http.StatusServiceUnavailable || !strings.Contains(body, "draining") {
			t.Errorf("GET /readyz while draining: got %d %q, want 503 draining", status, body)
		}
		if status, _, _ := b.get("/r/general"); status != http.StatusOK {
			t.Errorf("GET /r/general while draining: got %d, want 200", status)
		}
	})
}

func TestRequestIDs(t *testing.T) {
	a := startApp(t, testConfig(t))
	get := func(id string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, a.URL()+"/login", nil)
		if id != "" {
			req.Header.Set("X-Request-ID", id)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("X-Request-ID")
	}
	generated := regexp.MustCompile(`^[0-9a-f]{32}$`)
	tests := []struct {
		name, incoming string
		kept           bool
	}{
		{"none", "", false},
		{"safe", "lb-7f3a.42_x", true},
		{"too long", strings.Repeat("a", 65), false},
		{"unsafe characters", "id with spaces;<script>", false},
		{"header injection attempt", "abc%0d%0aSet-Cookie:x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := get(tt.incoming)
			if tt.kept && got != tt.incoming {
				t.Errorf("X-Request-ID: got %q, want the incoming %q", got, tt.incoming)
			}
			if !tt.kept && !generated.MatchString(got) {
				t.Errorf("X-Request-ID: got %q for incoming %q, want 32 new hex digits", got, tt.incoming)
			}
		})
	}
	if a, b := get(""), get(""); a == b {
		t.Errorf("two requests got the same ID %q", a)
	}
}

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func TestLogsKeepSecretsOut(t *testing.T) {
	cfg := testConfig(t)
	fakes := withFakeProviders(t, &cfg)
	logs := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := startApp(t, cfg)

	var secrets []string
	// Register, then password sign-ins: a right and a wrong password.
	const password, wrong = "correct-horse-battery", "wrong-horse-battery"
	reg := newBrowser(t, a.URL())
	reg.register("alice", password)
	secrets = append(secrets, password, strings.TrimPrefix(reg.cookie(), "parley_session="))
	login := newBrowser(t, a.URL())
	if status, _, _ := login.post("/login", url.Values{"username": {"alice"}, "password": {wrong}}); status != http.StatusUnauthorized {
		t.Fatalf("wrong password: got %d, want 401", status)
	}
	if status, _, _ := login.post("/login", url.Values{"username": {"alice"}, "password": {password}}); status != http.StatusSeeOther {
		t.Fatalf("sign in: got %d, want 303", status)
	}
	secrets = append(secrets, wrong, strings.TrimPrefix(login.cookie(), "parley_session="))

	// GitHub and OpenID Connect, through the fakes: the callback's code
	// and state, the state cookie, the session.
	for _, provider := range []string{"github", "oidc"} {
		b := newBrowser(t, a.URL())
		callback := b.oauthConsent(provider)
		q := callback.Query()
		secrets = append(secrets, q.Get("code"), q.Get("state"))
		if status, body, _ := b.open(callback); status != http.StatusSeeOther {
			t.Fatalf("%s callback: got %d; body %.300s", provider, status, body)
		}
		secrets = append(secrets, strings.TrimPrefix(b.cookie(), "parley_session="))
		// A replay of the same callback fails, and is logged as refused.
		if status, _, _ := b.open(callback); status == http.StatusSeeOther {
			t.Fatalf("%s replayed callback signed in", provider)
		}
		// A socket opens and closes (logged at debug).
		ws := b.dial("")
		ws.waitCount(1)
		ws.close()
		b.post("/logout", nil)
	}
	secrets = append(secrets, fakes.github.IssuedTokens()...)
	secrets = append(secrets, fakes.oidc.IssuedTokens()...)

	out := logs.String()
	// The log did record these paths, so the test can see a leak.
	for _, want := range []string{`"route":"/auth/:provider/callback"`, `"route":"/login"`, `"route":"/register"`,
		`"msg":"web: websocket connected"`, `"msg":"chat: socket closed"`, `"msg":"web: oauth sign-in refused"`, `"request_id":"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s", want)
		}
	}
	for _, s := range secrets {
		if len(s) < 8 {
			t.Fatalf("secret %q too short to look for: the test lost track of it", s)
		}
		if strings.Contains(out, s) {
			t.Errorf("log contains a secret %q", s)
		}
	}
	// Every line is one JSON object.
	for line := range strings.Lines(out) {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Errorf("log line is not JSON: %q", line)
		}
	}
}

// A server stopped at once after it started, before it got to accept a
// connection, must still stop: its address freed, nothing left running
// (goleak checks the last part after the package's tests).
func TestShutdownRightAfterStart(t *testing.T) {
	for range 20 {
		cfg := testConfig(t)
		a, err := app.Start(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = a.Shutdown(ctx)
		cancel()
		if err != nil {
			t.Fatalf("shut down right after start: %v", err)
		}
		if conn, err := net.DialTimeout("tcp", a.Addr(), time.Second); err == nil {
			conn.Close()
			t.Fatalf("%s still accepts connections after Shutdown", a.Addr())
		}
	}
}
