package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Window size of every browser: a laptop screen.
const (
	windowWidth  = 1100
	windowHeight = 760
)

// Waits. Every wait polls the page until a condition holds, and fails at
// the deadline; no test sleeps instead of checking.
const (
	// waitLive bounds anything the server pushes over a live socket.
	waitLive = 10 * time.Second
	// waitReconnect bounds a page's own reconnect. The ws extension waits a
	// random 0 to 1 s, 2 s, 4 s ... (full jitter) before each attempt, so a
	// page whose first attempts fail can take several seconds.
	waitReconnect = 25 * time.Second
	pollInterval  = 50 * time.Millisecond
	// actionTimeout bounds one browser action (navigate, click, evaluate).
	actionTimeout = 15 * time.Second
)

// browser is one Chromium process with its own fresh profile: one person's
// browser. Its first tab stays on about:blank and keeps the process alive
// while the tabs that show Parley come and go.
type browser struct {
	t    *testing.T
	name string
	ctx  context.Context
}

// newBrowser starts Chromium headless with a fresh user data directory. It
// is closed when the test ends.
func newBrowser(t *testing.T, name string) *browser {
	t.Helper()
	needBrowser(t)
	dir := t.TempDir() // removed after the browser has exited (cleanups run last in, first out)
	out, err := os.Create(filepath.Join(dir, "chromium.log"))
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath()),
		chromedp.Headless,
		// Chromium refuses to run as root with its sandbox, and containers
		// often lack the namespaces it needs; the pages are our own.
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(windowWidth, windowHeight),
		chromedp.CombinedOutput(out),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc() // waits for Chromium to exit
		out.Close()
		if t.Failed() {
			if b, err := os.ReadFile(out.Name()); err == nil && len(b) > 0 {
				t.Logf("browser %s output (tail):\n%s", name, tail(string(b), 2000))
			}
		}
	})
	// The first action starts the browser; it lives until the cleanup.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", chromiumPath(), err)
	}
	return &browser{t: t, name: name, ctx: ctx}
}

// page is one tab showing Parley.
type page struct {
	t      *testing.T
	name   string
	base   string
	ctx    context.Context
	cancel context.CancelFunc
	watch  *consoleWatch
}

// open opens a new tab on base+path. Every message the tab logs from its
// first moment is watched: an error or exception fails the test.
func (b *browser) open(name, base, path string) *page {
	b.t.Helper()
	w := &consoleWatch{page: name}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithListener(w.listen))
	p := &page{t: b.t, name: name, base: base, ctx: ctx, cancel: cancel, watch: w}
	// Runs before the browser's cleanup: report, then stop listening.
	b.t.Cleanup(func() {
		for _, msg := range w.finish() {
			b.t.Errorf("%s: %s", name, msg)
		}
		cancel()
	})
	// The first action opens the tab and ties its life to ctx: it must not
	// run under a deadline, or the tab would end with it.
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("%s: open a tab: %v", name, err)
	}
	p.navigate(path)
	return p
}

// navigate loads base+path and waits for the load event.
func (p *page) navigate(path string) {
	p.t.Helper()
	p.do("navigate to "+path, chromedp.Navigate(p.base+path))
}

// navigateToMissing loads base+path, which answers 404, and waits for the
// load event.
func (p *page) navigateToMissing(path string) {
	p.t.Helper()
	p.watch.expectMissing(p.base + path)
	p.navigate(path)
}

// close closes the tab, as a person closing it would.
func (p *page) close() {
	p.t.Helper()
	if err := chromedp.Cancel(p.ctx); err != nil {
		p.t.Fatalf("%s: close tab: %v", p.name, err)
	}
}

// do runs browser actions with a deadline.
func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %s: %v", p.name, what, err)
	}
}

// byLabel selects the input a <label> with this text is for.
func byLabel(label string) string {
	return fmt.Sprintf(`//input[@id=//label[normalize-space()=%q]/@for]`, label)
}

// button selects a button by its text.
func button(text string) string {
	return fmt.Sprintf(`//button[normalize-space()=%q]`, text)
}

// link selects a link by its text.
func link(text string) string {
	return fmt.Sprintf(`//a[normalize-space()=%q]`, text)
}

// fill types text into the input labelled label.
func (p *page) fill(label, text string) {
	p.t.Helper()
	p.do("type into "+label, chromedp.SendKeys(byLabel(label), text))
}

// click clicks the button with this text.
func (p *page) click(text string) {
	p.t.Helper()
	p.do("click "+text, chromedp.Click(button(text)))
}

// follow clicks the link with this text.
func (p *page) follow(text string) {
	p.t.Helper()
	p.do("click the link "+text, chromedp.Click(link(text)))
}

// register creates an account on /register and waits for the chat page.
func (p *page) register(name string) pageState {
	p.t.Helper()
	p.navigate("/register")
	p.fill("Username", name)
	p.fill("Password", password)
	p.click("Create account")
	return p.waitFor("reach /r/general after registering", waitLive, func(s pageState) bool {
		return s.Path == "/r/general" && s.Users != ""
	})
}

// createRoom creates a room through the form on /rooms, as a person
// would, and waits for the new room's page.
func (p *page) createRoom(name string) pageState {
	p.t.Helper()
	p.navigate("/rooms")
	p.fill("Room name", name)
	p.click("Create room")
	return p.waitFor("reach /r/"+name+" after creating it", waitLive, func(s pageState) bool {
		return s.Path == "/r/"+name && s.Users != ""
	})
}

// say types text into the message box and presses Enter.
func (p *page) say(text string) {
	p.t.Helper()
	p.do("type a message", chromedp.SendKeys(byLabel("Message"), text+kb.Enter))
}

// sayAndWait says text and waits until the page shows it and has a fresh,
// empty form.
func (p *page) sayAndWait(text string) pageState {
	p.t.Helper()
	p.say(text)
	return p.waitFor(fmt.Sprintf("show %q and an empty input", text), waitLive, func(s pageState) bool {
		return s.has(text) && s.Input != nil && *s.Input == ""
	})
}

// pageState is what a test reads from the page, in one evaluation.
type pageState struct {
	Path string `json:"path"`
	// Search is the query string, with its "?".
	Search string `json:"search"`
	// Document is performance.timeOrigin: it changes when the page reloads.
	Document float64        `json:"document"`
	Users    string         `json:"users"`
	Messages []shownMessage `json:"messages"`
	Notices  []string       `json:"notices"`
	// Elements counts the elements inside message texts: there must be none.
	Elements int `json:"elements"`
	// Input is the message box's value; nil without a message box.
	Input     *string `json:"input"`
	Focused   string  `json:"focused"`
	ChatError string  `json:"chatError"`
	// Online is the list of who is in the room, #online-users, in order.
	Online []onlinePerson `json:"online"`
	// Rooms are the links of #rooms, in order.
	Rooms []shownLink `json:"rooms"`
	// LoadEarlier is the #load-earlier link, nil without one.
	LoadEarlier *loadEarlier `json:"loadEarlier"`
	// LoadEarlierCount counts elements with id load-earlier: never more
	// than one.
	LoadEarlierCount int `json:"loadEarlierCount"`
	// Links are every link on the page.
	Links []shownLink `json:"links"`
}

// onlinePerson is one entry of the online list: a person's name and
// provider badge, or Text alone for the "and N more" line.
type onlinePerson struct {
	Name  string `json:"name"`
	Badge string `json:"badge"`
	Text  string `json:"text"`
}

// shownLink is a link as the page shows it.
type shownLink struct {
	Text string `json:"text"`
	Href string `json:"href"`
	// Current is whether it has aria-current="page".
	Current bool `json:"current"`
}

// loadEarlier is the link to older messages.
type loadEarlier struct {
	Href  string `json:"href"`
	HXGet string `json:"hxGet"`
	// First is whether it is the first child of #messages.
	First bool `json:"first"`
}

type shownMessage struct {
	ID     string `json:"id"`
	Author string `json:"author"`
	Text   string `json:"text"`
	Time   string `json:"time"`
}

func (s pageState) String() string {
	b, _ := json.MarshalIndent(s, "", "  ")
	return string(b)
}

// input describes the message box's value for a failure message.
func (s pageState) input() string {
	if s.Input == nil {
		return "no message box"
	}
	return fmt.Sprintf("value %q", *s.Input)
}

// texts lists the messages as "Author: text", in page order.
func (s pageState) texts() []string {
	out := make([]string, len(s.Messages))
	for i, m := range s.Messages {
		out[i] = m.Author + ": " + m.Text
	}
	return out
}

// online lists the online list's lines: each person's name followed by
// their badge if any ("Bob", "Ann GitHub"), or the "and N more" line.
func (s pageState) online() []string {
	out := make([]string, len(s.Online))
	for i, p := range s.Online {
		switch {
		case p.Name == "":
			out[i] = p.Text
		case p.Badge != "":
			out[i] = p.Name + " " + p.Badge
		default:
			out[i] = p.Name
		}
	}
	return out
}

// roomLinks lists the texts of the links to rooms in #rooms, and the text
// of the one marked aria-current="page" ("" when none is, and all of them
// joined by "|" when more than one is).
func (s pageState) roomLinks() (rooms []string, current string) {
	var marked []string
	for _, l := range s.Rooms {
		if !strings.HasPrefix(l.Href, "/r/") {
			continue // the heading's link to the directory
		}
		rooms = append(rooms, l.Text)
		if l.Current {
			marked = append(marked, l.Text)
		}
	}
	return rooms, strings.Join(marked, "|")
}

// link returns the first link with this text.
func (s pageState) link(text string) (shownLink, bool) {
	for _, l := range s.Links {
		if l.Text == text {
			return l, true
		}
	}
	return shownLink{}, false
}

// ids returns the messages' IDs (from id="msg-N") in page order; an
// element id that is not of that form is -1.
func (s pageState) ids() []int64 {
	out := make([]int64, len(s.Messages))
	for i, m := range s.Messages {
		n, err := strconv.ParseInt(strings.TrimPrefix(m.ID, "msg-"), 10, 64)
		if err != nil || !strings.HasPrefix(m.ID, "msg-") {
			n = -1
		}
		out[i] = n
	}
	return out
}

// textsOnly lists the messages' texts in page order.
func (s pageState) textsOnly() []string {
	out := make([]string, len(s.Messages))
	for i, m := range s.Messages {
		out[i] = m.Text
	}
	return out
}

// has reports whether some message's text is text.
func (s pageState) has(text string) bool {
	for _, m := range s.Messages {
		if m.Text == text {
			return true
		}
	}
	return false
}

const stateJS = `(() => {
	const one = (sel, root = document) => root.querySelector(sel);
	const text = el => el ? el.textContent.trim() : "";
	const input = one("#chat-form input[name=message]");
	const messages = one("#messages");
	const earlier = one("#load-earlier");
	const link = a => ({
		text: text(a),
		href: a.getAttribute("href") || "",
		current: a.getAttribute("aria-current") === "page",
	});
	return {
		path: location.pathname,
		document: performance.timeOrigin,
		users: text(one("#num-users")),
		messages: [...document.querySelectorAll("#messages article.message")].map(a => ({
			id: a.id,
			author: text(one(".author", a)),
			text: one(".text", a) ? one(".text", a).textContent : "",
			time: one("time", a) ? one("time", a).getAttribute("datetime") : "",
		})),
		notices: [...document.querySelectorAll("#messages p.notice")].map(text),
		elements: document.querySelectorAll("#messages .text *").length,
		input: input ? input.value : null,
		focused: document.activeElement ? document.activeElement.id : "",
		chatError: text(one("#chat-error")),
		search: location.search,
		online: [...document.querySelectorAll("#online-users > li:not([hidden])")].map(li => ({
			name: li.id === "online-more" || !li.firstChild ? "" : li.firstChild.textContent.trim(),
			badge: text(one(".badge", li)),
			text: text(li),
		})),
		rooms: [...document.querySelectorAll("#rooms a")].map(link),
		loadEarlier: earlier ? {
			href: earlier.getAttribute("href"),
			hxGet: earlier.getAttribute("hx-get"),
			first: !!messages && messages.firstElementChild === earlier,
		} : null,
		loadEarlierCount: document.querySelectorAll("[id=load-earlier]").length,
		links: [...document.querySelectorAll("a")].map(link),
	};
})()`

// state reads the page.
func (p *page) state() (pageState, error) {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[pageState](stateJS))
}

// waitFor polls the page until ok holds, and fails the test at the deadline
// with the page as it last was.
func (p *page) waitFor(what string, timeout time.Duration, ok func(pageState) bool) pageState {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s, err := p.state()
		if err == nil && ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: did not %s within %v\nlast state: %s\nlast error: %v", p.name, what, timeout, s, err)
		}
		time.Sleep(pollInterval)
	}
}

// waitUsers waits until the page shows "N users online".
func (p *page) waitUsers(want string, timeout time.Duration) pageState {
	p.t.Helper()
	return p.waitFor("show "+want, timeout, func(s pageState) bool { return s.Users == want })
}

// consoleWatch records what one tab logs. Any console error, uncaught
// exception, browser log error (CSP violations are among them: "Refused to
// ... because it violates the following Content Security Policy
// directive") or dialog is a problem that fails the test, unless a
// deliberate outage is on and the message is one a failed reconnect logs.
// The target calls listen in the order the browser sent the events, before
// it handles the next message, so by the time a check of the page returns,
// every message logged before it has been recorded.
type consoleWatch struct {
	page string

	mu        sync.Mutex
	done      bool
	outage    bool
	problems  []string
	tolerated []string
	// missing are the addresses the test loads to see a 404 page.
	missing map[string]bool
	// attempts counts websockets the page created; sockets those whose
	// handshake succeeded (status 101).
	attempts, sockets int
}

func (w *consoleWatch) listen(ev any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return
	}
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		w.report(consoleMessage{kind: "console." + string(ev.Type), text: argsText(ev.Args), url: stackURL(ev.StackTrace)})
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil {
			text += " " + d.Exception.Description
		}
		w.report(consoleMessage{kind: "exception", text: text, url: d.URL})
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level != cdplog.EntryLevelError {
			return
		}
		w.report(consoleMessage{kind: "log." + string(ev.Entry.Source), text: ev.Entry.Text, url: ev.Entry.URL})
	case *cdppage.EventJavascriptDialogOpening:
		w.report(consoleMessage{kind: "dialog." + string(ev.Type), text: ev.Message, url: ev.URL})
	case *network.EventWebSocketCreated:
		w.attempts++
	case *network.EventWebSocketHandshakeResponseReceived:
		if ev.Response != nil && ev.Response.Status == 101 {
			w.sockets++
		}
	}
}

// consoleMessage is one error-level message of a tab.
type consoleMessage struct{ kind, text, url string }

func (m consoleMessage) String() string {
	s := m.kind + ": " + m.text
	if m.url != "" {
		s += " (" + m.url + ")"
	}
	return s
}

func (w *consoleWatch) report(m consoleMessage) {
	if w.outage && reconnectFailure(m) || m.kind == "log.network" && m.text == notFoundLog && w.missing[m.url] {
		w.tolerated = append(w.tolerated, m.String())
		return
	}
	w.problems = append(w.problems, m.String())
}

// A websocket that cannot connect (the server is down) makes Chromium log
// "WebSocket connection to 'ws://…/ws?room=R&shown=N' failed: …" (source network,
// initiator ws.js), and the ws extension reports its error event through
// htmx's logError, which is console.error(String(event)): "[object Event]"
// from htmx.min.js. A page cannot avoid either: the browser logs the first,
// and the second is htmx's own handling of htmx:wsError. While the test itself keeps the server away, every attempt
// the extension makes to reconnect logs this pair. Nothing else is
// tolerated, not even then.
var (
	socketFailedRE = regexp.MustCompile(`^WebSocket connection to 'ws://127\.0\.0\.1:\d+/ws\?room=[a-z0-9-]+&shown=\d+' failed`)
	htmxScriptRE   = regexp.MustCompile(`/static/vendor/htmx\.min\.js(\?|$)`)
	wsScriptRE     = regexp.MustCompile(`/static/vendor/ws\.js(\?|$)`)
)

func reconnectFailure(m consoleMessage) bool {
	switch m.kind {
	case "log.network":
		return socketFailedRE.MatchString(m.text) && wsScriptRE.MatchString(m.url)
	case "console.error":
		return m.text == "[object Event]" && htmxScriptRE.MatchString(m.url)
	}
	return false
}

// notFoundLog is what Chromium logs for any page that answers 404, even
// one the test loads on purpose.
const notFoundLog = "Failed to load resource: the server responded with a status of 404 (Not Found)"

// expectMissing excuses the 404 that Chromium logs for url, and nothing else.
func (w *consoleWatch) expectMissing(url string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.missing == nil {
		w.missing = make(map[string]bool)
	}
	w.missing[url] = true
}

// outage turns the tolerance for failed reconnects on or off.
func (w *consoleWatch) setOutage(on bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.outage = on
}

// socketCounts returns how many websockets the tab has tried to open so
// far, and how many of them opened.
func (w *consoleWatch) socketCounts() (attempts, opened int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.attempts, w.sockets
}

// drain returns the problems recorded so far and forgets them.
func (w *consoleWatch) drain() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.problems
	w.problems = nil
	return p
}

// toleratedSoFar returns the messages the outage excused.
func (w *consoleWatch) toleratedSoFar() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.tolerated...)
}

// finish stops recording and returns the problems.
func (w *consoleWatch) finish() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
	return w.problems
}

// argsText renders console arguments roughly as DevTools does.
func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		switch {
		case a.Type == runtime.RemoteObjectTypeString:
			var s string
			if json.Unmarshal(a.Value, &s) == nil {
				parts = append(parts, s)
				continue
			}
			parts = append(parts, string(a.Value))
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

func stackURL(st *runtime.StackTrace) string {
	if st == nil || len(st.CallFrames) == 0 {
		return ""
	}
	f := st.CallFrames[0]
	return fmt.Sprintf("%s:%d:%d", f.URL, f.LineNumber+1, f.ColumnNumber+1)
}
