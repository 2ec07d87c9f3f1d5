package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/static"
)

// TestPagesAllowNoInlineScript needs no browser. It fetches every kind of
// page Parley serves, and collects every kind of fragment its websocket
// pushes, and fails on anything the Content-Security-Policy would block or
// that would need more than the vendored htmx and ws extension: an inline
// <script>, a script from anywhere else, an on*= handler, hx-on (eval),
// inline styles, javascript: URLs. Every page must carry the policy of
// issue 4, and pages that load htmx must configure it to need neither
// eval nor inline styles.
func TestPagesAllowNoInlineScript(t *testing.T) {
	srv := startParley(t, "")
	htmx, ws := static.Path("vendor/htmx.min.js"), static.Path("vendor/ws.js")

	anon := newHTTPUser(t, srv.URL())
	alice := newHTTPUser(t, srv.URL())
	alice.register("Alice")
	bob := newHTTPUser(t, srv.URL())
	bob.register("Bob")

	// Hostile messages first, so that the chat page renders them.
	aliceWS := dialChat(t, srv.URL(), srv.URL(), alice.cookieHeader(), 0)
	hostile := []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`"><a href="javascript:alert(1)" onclick="alert(1)" style="color:red" hx-on:click="alert(1)">x</a>`,
	}
	for _, m := range hostile {
		aliceWS.send(m)
		aliceWS.readUntil(html.EscapeString(m))
	}
	// Then enough messages that the hostile ones are among the older ones
	// too, behind #load-earlier, and once more among the latest.
	for i := range parley.HistorySize {
		text := fmt.Sprintf("Filler %02d", i)
		aliceWS.send(text)
		aliceWS.readUntil(">" + text + "<")
	}
	for _, m := range hostile {
		aliceWS.send(m)
		aliceWS.readUntil(html.EscapeString(m))
	}
	// The pages of older messages, as the chat page links them.
	olderPage, olderFragment := loadEarlierLink(t, alice.do(http.MethodGet, "/r/general", nil).body)

	pages := []struct {
		name, method, path string
		form               url.Values
		user               *httpUser
		status             int
		scripts            []string // exactly these, in this order
	}{
		{"sign-in page", http.MethodGet, "/login", nil, anon, 200, nil},
		{"registration page", http.MethodGet, "/register", nil, anon, 200, nil},
		{"failed sign-in", http.MethodPost, "/login", url.Values{"username": {"Alice"}, "password": {"wrong password"}}, anon, 401, nil},
		{"refused registration", http.MethodPost, "/register", url.Values{"username": {"<b>x"}, "password": {password}}, anon, 422, nil},
		{"name taken", http.MethodPost, "/register", url.Values{"username": {"alice"}, "password": {password}}, anon, 409, nil},
		{"chat page", http.MethodGet, "/r/general", nil, alice, 200, []string{htmx, ws}},
		{"page of older messages", http.MethodGet, olderPage, nil, alice, 200, nil},
		{"older messages (fragment)", http.MethodGet, olderFragment, nil, alice, 200, nil},
		{"room directory", http.MethodGet, "/rooms", nil, alice, 200, nil},
		{"room created", http.MethodPost, "/rooms", url.Values{"name": {"team"}}, alice, 303, nil},
		{"another room's page", http.MethodGet, "/r/team", nil, bob, 200, []string{htmx, ws}},
		{"room name refused", http.MethodPost, "/rooms", url.Values{"name": {"<b>x"}}, alice, 422, nil},
		{"room name taken", http.MethodPost, "/rooms", url.Values{"name": {"team"}}, bob, 409, nil},
		{"unknown room", http.MethodGet, "/r/no-such-room", nil, alice, 404, nil},
		{"home (redirect)", http.MethodGet, "/", nil, alice, 303, nil},
		{"404 page", http.MethodGet, "/no/such/page", nil, alice, 404, nil},
		{"websocket address without upgrade", http.MethodGet, "/ws", nil, alice, 426, nil},
	}
	for _, pg := range pages {
		res := pg.user.do(pg.method, pg.path, pg.form)
		where := fmt.Sprintf("%s (%s %s)", pg.name, pg.method, pg.path)
		if res.status != pg.status {
			t.Errorf("%s: status %d, want %d", where, res.status, pg.status)
		}
		if got := res.header.Get("Content-Security-Policy"); got != wantCSP {
			t.Errorf("%s: Content-Security-Policy\n%q\nwant\n%q", where, got, wantCSP)
		}
		if res.body == "" {
			continue
		}
		if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q, want text/html", where, ct)
		}
		scan := scanHTML(res.body)
		for _, p := range scan.problems {
			t.Errorf("%s: %s", where, p)
		}
		if !slices.Equal(scan.scripts, pg.scripts) {
			t.Errorf("%s loads scripts %q, want %q", where, scan.scripts, pg.scripts)
		}
		if len(scan.scripts) > 0 {
			checkHTMXConfig(t, where, scan.htmxConfig)
		}
	}
	// The hostile messages are among what each of these shows.
	for _, path := range []string{"/r/general", olderPage, olderFragment} {
		body := alice.do(http.MethodGet, path, nil).body
		if s := scanHTML(body); len(s.problems) != 0 {
			continue // reported above
		}
		for _, m := range hostile {
			if !strings.Contains(body, html.EscapeString(m)) {
				t.Errorf("GET %s does not show %q as escaped text", path, m)
			}
		}
	}

	// The vendored scripts themselves are served.
	for _, src := range []string{htmx, ws} {
		if res := anon.do(http.MethodGet, src, nil); res.status != 200 || !strings.Contains(res.header.Get("Content-Type"), "javascript") {
			t.Errorf("GET %s: status %d, Content-Type %q", src, res.status, res.header.Get("Content-Type"))
		}
	}

	// Every kind of fragment the socket pushes: the count, the history, a
	// message, a fresh form, an error, join and leave notices, signed out.
	history := dialChat(t, srv.URL(), srv.URL(), alice.cookieHeader(), -1)
	history.readUntil(`id="messages"`)
	aliceWS.send(strings.Repeat("x", 1001))
	aliceWS.readUntil("too long")
	bobWS := dialChat(t, srv.URL(), srv.URL(), bob.cookieHeader(), 0)
	aliceWS.readUntil("Bob joined the chat")
	bobWS.close()
	aliceWS.readUntil("Bob left the chat")
	alice.do(http.MethodPost, "/logout", nil)
	aliceWS.readUntil("signed out")
	frames := slices.Concat(aliceWS.frames, history.frames, bobWS.frames)
	t.Logf("%d websocket fragments checked", len(frames))
	for _, f := range frames {
		scan := scanHTML(f)
		for _, p := range scan.problems {
			t.Errorf("websocket fragment %s: %s", tail(f, 200), p)
		}
		if len(scan.scripts) > 0 {
			t.Errorf("websocket fragment loads scripts %q: %s", scan.scripts, f)
		}
	}
}

// loadEarlierLink returns where the #load-earlier link of a chat page
// leads: its href (a page of older messages) and its hx-get (the same
// messages as a fragment).
func loadEarlierLink(t *testing.T, page string) (href, hxGet string) {
	t.Helper()
	root, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	for n := range root.Descendants() {
		if id, _ := attr(n, "id"); n.Type == html.ElementNode && id == "load-earlier" {
			href, _ = attr(n, "href")
			hxGet, _ = attr(n, "hx-get")
			if href == "" || hxGet == "" {
				t.Fatalf("#load-earlier: got href %q and hx-get %q, want both", href, hxGet)
			}
			return href, hxGet
		}
	}
	t.Fatalf("chat page has no #load-earlier, want one: the room has older messages\n%s", page)
	return "", ""
}

// scanned is what scanHTML found in one document or fragment.
type scanned struct {
	problems   []string
	scripts    []string // src of each <script>, in order
	htmxConfig string   // content of <meta name="htmx-config">
}

// scanHTML lists what in doc breaks the policy or needs eval.
func scanHTML(doc string) scanned {
	var s scanned
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		s.problems = append(s.problems, "does not parse: "+err.Error())
		return s
	}
	allowed := map[string]bool{static.Path("vendor/htmx.min.js"): true, static.Path("vendor/ws.js"): true}
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "script":
			src, ok := attr(n, "src")
			switch {
			case !ok || strings.TrimSpace(src) == "":
				s.problems = append(s.problems, "inline <script>")
			case !allowed[src]:
				s.problems = append(s.problems, fmt.Sprintf("<script src=%q>: not the vendored htmx or ws extension", src))
			}
			if ok {
				s.scripts = append(s.scripts, src)
			}
		case "style":
			s.problems = append(s.problems, "inline <style> (style-src 'self')")
		case "meta":
			if name, _ := attr(n, "name"); name == "htmx-config" {
				s.htmxConfig, _ = attr(n, "content")
			}
		}
		for _, a := range n.Attr {
			key, val := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
			switch {
			case key == "hx-on" || strings.HasPrefix(key, "hx-on:") || strings.HasPrefix(key, "hx-on-") ||
				strings.HasPrefix(key, "data-hx-on"):
				s.problems = append(s.problems, fmt.Sprintf("<%s %s>: hx-on needs eval", n.Data, a.Key))
			case strings.HasPrefix(key, "on"):
				s.problems = append(s.problems, fmt.Sprintf("<%s %s=…>: inline event handler", n.Data, a.Key))
			case key == "style":
				s.problems = append(s.problems, fmt.Sprintf("<%s style=…>: inline style (style-src 'self')", n.Data))
			case strings.HasPrefix(val, "javascript:"):
				s.problems = append(s.problems, fmt.Sprintf("<%s %s=%q>: javascript: URL", n.Data, a.Key, a.Val))
			case (key == "hx-vals" || key == "hx-vars" || key == "data-hx-vals") && strings.HasPrefix(val, "js:"),
				key == "hx-vars":
				s.problems = append(s.problems, fmt.Sprintf("<%s %s>: evaluated by htmx (needs eval)", n.Data, a.Key))
			case (key == "hx-trigger" || key == "data-hx-trigger") && strings.Contains(val, "["):
				s.problems = append(s.problems, fmt.Sprintf("<%s %s=%q>: trigger filters need eval", n.Data, a.Key, a.Val))
			}
		}
	}
	return s
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val, true
		}
	}
	return "", false
}

// checkHTMXConfig insists on the settings that let htmx run under the
// policy: no indicator styles injected, no eval, no scripts from swaps.
func checkHTMXConfig(t *testing.T, where, content string) {
	t.Helper()
	if content == "" {
		t.Errorf("%s loads htmx without <meta name=\"htmx-config\">", where)
		return
	}
	var cfg map[string]any
	if err := json.Unmarshal([]byte(content), &cfg); err != nil {
		t.Errorf("%s: htmx-config %q: %v", where, content, err)
		return
	}
	for key, want := range map[string]bool{"includeIndicatorStyles": false, "allowEval": false, "allowScriptTags": false} {
		if got, ok := cfg[key].(bool); !ok || got != want {
			t.Errorf("%s: htmx-config %s is %v, want %v", where, key, cfg[key], want)
		}
	}
}

// TestScanHTMLFindsProblems keeps the scanner honest: each of these must
// be reported.
func TestScanHTMLFindsProblems(t *testing.T) {
	for _, doc := range []string{
		`<script>alert(1)</script>`,
		`<script src="https://cdn.example/htmx.js"></script>`,
		`<script src="/static/vendor/htmx.min.js"></script>`, // no content hash: not what the layout links
		`<img src=x onerror=alert(1)>`,
		`<body onload="go()">`,
		`<button hx-on:click="alert(1)">`,
		`<div hx-on="click: alert(1)">`,
		`<div data-hx-on:click="alert(1)">`,
		`<p style="color: red">`,
		`<style>p{}</style>`,
		`<a href=" JavaScript:alert(1)">`,
		`<div hx-vals='js:{a: 1}'>`,
		`<div hx-trigger="click[ctrlKey]">`,
	} {
		if s := scanHTML(doc); len(s.problems) == 0 {
			t.Errorf("scanHTML(%q) found nothing", doc)
		}
	}
	ok := `<div id="chat-form" hx-swap-oob="true"><form ws-send><input name="message" autofocus></form></div>` +
		`<script src="` + static.Path("vendor/ws.js") + `" defer></script><p class="notice">Ann joined the chat</p>`
	if s := scanHTML(ok); len(s.problems) != 0 {
		t.Errorf("scanHTML(%q) = %q, want no problems", ok, s.problems)
	}
}
