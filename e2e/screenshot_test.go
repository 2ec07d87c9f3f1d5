package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestScreenshot writes a picture of the room general, with its links to
// four rooms, two people online and a few messages, as Alice sees it, to
// the PNG file PARLEY_SCREENSHOT names, and the same room on a 375 px
// wide phone to mobile.png beside it (`make screenshot` rewrites
// docs/chat.png and docs/mobile.png). A relative path is taken from
// the module root, not from this package's directory where go test runs.
func TestScreenshot(t *testing.T) {
	out := os.Getenv("PARLEY_SCREENSHOT")
	if out == "" {
		t.Skip("set PARLEY_SCREENSHOT=docs/chat.png to write a screenshot (make screenshot)")
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join("..", out)
	}
	srv := startParley(t, "")
	a, b := newBrowser(t, "A"), newBrowser(t, "B")
	alice := a.open("Alice (A)", srv.URL(), "/")
	alice.register("Alice")
	// A few more rooms for the sidebar, made through the form before Bob
	// arrives, so that general shows nothing of Alice's coming and going.
	for _, room := range []string{"design", "deploys", "random"} {
		alice.createRoom(room)
	}
	alice.navigate("/r/general")
	bob := b.open("Bob (B)", srv.URL(), "/")
	bob.register("Bob")
	for _, p := range []*page{alice, bob} {
		waitPresence(p, "2 users online", "Alice", "Bob")
	}

	conversation := []struct {
		p    *page
		text string
	}{
		{alice, "Morning! Is the deploy still on for today?"},
		{bob, "Yes, right after lunch. A restart is safe now: open pages reconnect by themselves and catch up."},
		{alice, "Nice. And still no JavaScript of ours on the page?"},
		{bob, "None. Only htmx and its websocket extension, served from the binary."},
		{alice, "Then ship it. I'll post here when it's out."},
	}
	for _, line := range conversation {
		line.p.sayAndWait(line.text)
	}
	last := conversation[len(conversation)-1].text
	bob.waitFor("show the last message", waitLive, func(s pageState) bool { return s.has(last) })
	s := alice.waitFor("show every message", waitLive, func(s pageState) bool {
		return len(s.Messages) == len(conversation) && s.Users == "2 users online"
	})
	checkRoomLinks(t, alice.name, s, "#general", "#deploys", "#design", "#general", "#random")
	checkPresence(t, alice, "2 users online", "Alice", "Bob")

	ctx, cancel := context.WithTimeout(alice.ctx, actionTimeout)
	defer cancel()
	// The window's viewport is smaller than the window: make the picture
	// exactly the window's size.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(windowWidth, windowHeight)); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes, %dx%d)", out, len(png), windowWidth, windowHeight)
	writeMobileScreenshot(t, alice, mobileScreenshotPath(out))
}
