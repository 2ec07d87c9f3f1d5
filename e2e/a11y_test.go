package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The accessibility audit: axe-core (test data under testdata/axe-core,
// from its npm package) is injected into each page by the test, never
// served by Parley, and must find no serious or critical violation, in the
// light and the dark theme. Beside it: the chat by keyboard alone, live
// regions, visible focus, and no sideways scrolling on a 375 px screen.

// axePath is axe-core's browser build, kept as test data.
const axePath = "testdata/axe-core/axe.min.js"

// mobileWidth is the width of a small phone.
const mobileWidth = 375

var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(axePath)
	return string(b), err
})

// axeViolation is one rule axe found broken, with where.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

func (v axeViolation) String() string {
	return fmt.Sprintf("%s (%s): %s\n\t%s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
}

// axeRunJS runs every rule axe has on the whole page and keeps the serious
// and critical violations.
const axeRunJS = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
	.filter(v => v.impact === "serious" || v.impact === "critical")
	.map(v => ({id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.map(n => n.target.join(" ") + ": " + (n.failureSummary || "").replace(/\s+/g, " "))})))`

// axe injects axe-core into the page, unless it is there already, and
// returns its serious and critical violations.
func (p *page) axe() []axeViolation {
	p.t.Helper()
	src, err := axeSource()
	if err != nil {
		p.t.Fatalf("read %s: %v", axePath, err)
	}
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe === "object"`))
	if err != nil {
		p.t.Fatalf("%s: look for axe: %v", p.name, err)
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](src+";\ntrue")); err != nil {
			p.t.Fatalf("%s: inject axe: %v", p.name, err)
		}
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRunJS, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("%s: run axe: %v", p.name, err)
	}
	return vs
}

// setColorScheme makes the page's prefers-color-scheme light or dark.
func (p *page) setColorScheme(scheme string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	})
	if err != nil {
		p.t.Fatalf("%s: emulate %s: %v", p.name, scheme, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`matchMedia("(prefers-color-scheme: %s)").matches`, scheme)))
	if err != nil || !got {
		p.t.Fatalf("%s: prefers-color-scheme %s does not match after emulating it (%v)", p.name, scheme, err)
	}
}

// audit runs axe on the page as it is, in the light and the dark theme,
// and fails the test for every serious or critical violation.
func (p *page) audit(where string) {
	p.t.Helper()
	for _, scheme := range []string{"light", "dark"} {
		p.setColorScheme(scheme)
		for _, v := range p.axe() {
			p.t.Errorf("%s, %s theme: %s", where, scheme, v)
		}
	}
	p.setColorScheme("light")
}

// checkNarrow loads path on a 375 px wide phone screen and fails when the
// page is wider than the screen; the window's size comes back after.
func (p *page) checkNarrow(path string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(mobileWidth, 740, chromedp.EmulateMobile)); err != nil {
		p.t.Fatalf("%s: emulate a phone: %v", p.name, err)
	}
	defer func() {
		if _, err := chromedp.Call(p.ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
			p.t.Errorf("%s: leave the phone: %v", p.name, err)
		}
	}()
	p.navigate(path)
	type widths struct {
		Scroll int    `json:"scroll"`
		Client int    `json:"client"`
		Widest string `json:"widest"`
	}
	w, err := chromedp.Run(ctx, chromedp.Evaluate[widths](`(() => {
		const root = document.documentElement;
		let widest = "";
		for (const el of document.body.querySelectorAll("*")) {
			const r = el.getBoundingClientRect();
			if (r.right > root.clientWidth + 0.5) { widest = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "." + el.className + " right=" + r.right; break; }
		}
		return {scroll: root.scrollWidth, client: root.clientWidth, widest};
	})()`))
	if err != nil {
		p.t.Fatalf("%s: measure %s: %v", p.name, path, err)
	}
	if w.Scroll > mobileWidth || w.Client > mobileWidth {
		p.t.Errorf("%s at %d px: document scrolls sideways (scrollWidth %d, clientWidth %d; first too wide: %s)", path, mobileWidth, w.Scroll, w.Client, w.Widest)
	}
}

// TestAccessibility audits every kind of page with axe-core, in English
// and in Spanish, signed out and signed in as an admin, and checks that
// none scrolls sideways on a phone.
func TestAccessibility(t *testing.T) {
	srv := startParley(t, "")
	b := newBrowser(t, "A")
	p := b.open("mod (A)", srv.URL(), "/login")
	p.audit("sign-in")
	p.navigate("/register")
	p.audit("registration")
	p.navigate("/settings")
	p.audit("settings, signed out")
	p.navigateToMissing("/no/such/page")
	p.audit("page not found, signed out")

	p.register("mod")
	p.sayAndWait("Hello, is this readable?")
	other := b.open("ana (A)", srv.URL(), "/r/general")
	other.waitUsers("1 user online", waitLive)
	p.audit("room")
	other.close()
	p.navigate("/r/general?before=1000000")
	p.waitFor("show the older messages", waitLive, func(s pageState) bool { return s.has("Hello, is this readable?") })
	p.audit("older messages")
	p.navigateToMissing("/r/no-such-room")
	p.audit("room not found")

	srv.grantAdmin("mod")
	p.navigate("/rooms")
	p.audit("room directory")
	p.navigate("/settings")
	p.audit("settings")
	p.navigate("/admin")
	p.audit("moderation")

	// In Spanish, chosen on the settings page with its select and submit.
	p.navigate("/settings")
	p.do("choose Spanish", chromedp.SetValue("#lang", "es"), chromedp.SetValue("#zone", "Europe/Madrid"))
	p.click("Save")
	p.waitFor("save the settings", waitLive, func(s pageState) bool { return s.Path == "/settings" && s.Search == "?saved=1" })
	p.navigate("/r/general")
	s := p.waitFor("show the room in Spanish", waitLive, func(s pageState) bool { return s.Users == "1 usuario en línea" })
	if !s.has("Hello, is this readable?") {
		t.Errorf("the message's text changed in Spanish: %s", s)
	}
	lang, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil || lang != "es" {
		t.Errorf("<html lang> = %q (%v), want es", lang, err)
	}
	p.audit("room, in Spanish")
	p.navigate("/admin")
	p.audit("moderation, in Spanish")
	p.navigateToMissing("/r/no-such-room")
	p.audit("room not found, in Spanish")

	for _, path := range []string{"/r/general", "/rooms", "/settings", "/admin"} {
		p.checkNarrow(path)
	}
	p.click("Cerrar sesión")
	p.waitFor("sign out", waitLive, func(s pageState) bool { return s.Path == "/login" })
	for _, path := range []string{"/login", "/register", "/settings"} {
		p.checkNarrow(path)
	}
}

// focusJS describes the focused element and whether its focus shows: an
// outline or a box shadow.
const focusJS = `(() => {
	const el = document.activeElement;
	if (!el || el === document.body) return {id: "", what: "body", visible: false};
	const s = getComputedStyle(el);
	const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
	return {id: el.id, what: el.tagName.toLowerCase() + " " + (el.textContent || el.name || "").trim().slice(0, 30), visible: outline || s.boxShadow !== "none"};
})()`

type focused struct {
	ID      string `json:"id"`
	What    string `json:"what"`
	Visible bool   `json:"visible"`
}

// TestChatByKeyboardAlone: from the top of the room page, Tab reaches the
// message box, every stop on the way shows its focus, Enter sends, and
// focus is in the fresh, empty input that replaces the form. The live
// regions announce messages and notices politely and errors assertively.
func TestChatByKeyboardAlone(t *testing.T) {
	srv := startParley(t, "")
	b := newBrowser(t, "A")
	p := b.open("kay (A)", srv.URL(), "/")
	p.register("kay")
	p.do("start from the top of the page", run(`document.activeElement.blur()`))

	var stops []string
	for range 40 {
		p.do("press Tab", chromedp.KeyEvent(kb.Tab))
		f, err := chromedp.Run(p.ctx, chromedp.Evaluate[focused](focusJS))
		if err != nil {
			t.Fatal(err)
		}
		if f.What == "body" {
			continue // focus left the page for the browser's own controls
		}
		stops = append(stops, f.What)
		if !f.Visible {
			t.Errorf("Tab stop %q shows no focus", f.What)
		}
		if f.ID == "message" {
			break
		}
	}
	if s := state(t, p); s.Focused != "message" {
		t.Fatalf("Tab never reached the message box; stops: %q", stops)
	}
	if len(stops) < 3 {
		t.Errorf("Tab stops %q: want the page's links and buttons before the message box", stops)
	}
	t.Logf("Tab stops: %q", stops)
	p.do("type and press Enter", chromedp.KeyEvent("sent by keyboard"), chromedp.KeyEvent(kb.Enter))
	s := p.waitFor("show the message and a fresh form", waitLive, func(s pageState) bool {
		return s.has("sent by keyboard") && s.Input != nil && *s.Input == ""
	})
	if s.Focused != "message" {
		t.Errorf("after the fresh form arrived, focus is on %q, want the message box", s.Focused)
	}
	// The new input, not the replaced one, has focus: typing goes on.
	p.do("type again and press Enter", chromedp.KeyEvent("and again"), chromedp.KeyEvent(kb.Enter))
	p.waitFor("show the second message", waitLive, func(s pageState) bool {
		return s.has("and again") && s.Input != nil && *s.Input == "" && s.Focused == "message"
	})

	type regions struct {
		Messages, Error, ErrorRole, Users string
	}
	r, err := chromedp.Run(p.ctx, chromedp.Evaluate[regions](`({
		Messages: document.querySelector("#messages").getAttribute("aria-live"),
		Error: document.querySelector("#chat-error").getAttribute("aria-live"),
		ErrorRole: document.querySelector("#chat-error").getAttribute("role"),
		Users: document.querySelector("#num-users").getAttribute("role"),
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Messages != "polite" || r.Error != "assertive" || r.ErrorRole != "alert" || r.Users != "status" {
		t.Errorf("live regions: #messages aria-live %q (want polite), #chat-error aria-live %q role %q (want assertive, alert), #num-users role %q (want status)",
			r.Messages, r.Error, r.ErrorRole, r.Users)
	}
}

// writeMobileScreenshot saves the room as a 375 px wide phone shows it,
// next to the desktop screenshot (make screenshot: docs/mobile.png).
func writeMobileScreenshot(t *testing.T, p *page, out string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(mobileWidth, 740, chromedp.EmulateMobile, chromedp.EmulateScale(2))); err != nil {
		t.Fatalf("emulate a phone: %v", err)
	}
	p.waitFor("lay out the room on a phone", waitLive, func(s pageState) bool { return s.Users != "" })
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("mobile screenshot: %v", err)
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes, %d px wide at 2x)", out, len(png), mobileWidth)
}

// run evaluates a script for its effect.
func run(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](js+";\ntrue")(ctx, t)
		return err
	})
}

// mobileScreenshotPath is docs/mobile.png beside docs/chat.png.
func mobileScreenshotPath(desktop string) string {
	return filepath.Join(filepath.Dir(desktop), "mobile.png")
}
