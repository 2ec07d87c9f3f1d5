package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestConsoleWatchSeesCSPViolations proves that the browser tests would
// notice a broken page: under Parley's policy, an inline script, an inline
// handler and a style attribute must each show up as a problem.
func TestConsoleWatchSeesCSPViolations(t *testing.T) {
	b := newBrowser(t, "A")
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", wantCSP)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!DOCTYPE html><title>bad</title>` +
			`<script>document.title = "ran"</script>` +
			`<p style="color: red">styled</p>` +
			`<button onclick="alert(1)" id="b">click</button>`))
	}))
	t.Cleanup(ts.Close)
	p := b.open("bad page", ts.URL, "/")
	p.click("click")

	var got []string
	deadline := time.Now().Add(waitLive)
	for time.Now().Before(deadline) && len(got) < 3 {
		if _, err := p.state(); err != nil { // lets every event before it arrive
			t.Fatal(err)
		}
		got = append(got, p.watch.drain()...)
		if len(got) < 3 {
			time.Sleep(pollInterval)
		}
	}
	t.Logf("problems seen:\n%s", strings.Join(got, "\n"))
	for _, want := range []string{"script-src", "style-src", "script-src"} {
		found := false
		for i, g := range got {
			if strings.Contains(g, "Content Security Policy") && strings.Contains(g, want) {
				got = append(got[:i], got[i+1:]...)
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no CSP violation for %s reported", want)
		}
	}
}
