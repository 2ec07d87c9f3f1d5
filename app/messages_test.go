package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

func TestMessageReachesEverySocketAndHistory(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice, bob := signedUp(t, a, "alice"), signedUp(t, a, "bob")
	alice1, alice2, bob1 := alice.dial(""), alice.dial(""), bob.dial("")
	bob1.waitCount(2)

	alice1.send("  hello, room  ")
	for _, s := range []*socket{alice1, alice2, bob1} {
		s.waitText("hello, room</p>")
	}
	// The sender, and only the sender, gets a fresh empty form.
	alice1.waitUntil("fresh form", func(f []string) bool { return containing(f, `id="chat-form"`) > 0 })
	for _, s := range []*socket{alice2, bob1} {
		if n := containing(s.snapshot(), `id="chat-form"`); n != 0 {
			t.Errorf("a socket that did not send got %d fresh forms, want 0", n)
		}
	}
	msg := alice1.snapshot()
	frame := msg[len(msg)-1]
	if !strings.Contains(strings.Join(msg, ""), `hx-swap-oob="beforeend:#messages"`) {
		t.Errorf("message frame is not appended out of band: %q", frame)
	}

	_, page, _ := bob.get("/r/general")
	if !containsAll(page, ">alice<", "hello, room</p>", `<time datetime="`) {
		t.Errorf("a freshly loaded page lacks the stored message")
	}
	if strings.Contains(page, "  hello, room  ") {
		t.Errorf("message text was not trimmed")
	}
}

func TestMessageMarkupIsEscaped(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice := signedUp(t, a, "alice")
	s := alice.dial("")
	s.send(`<script>alert("x")</script><img src=x onerror=alert(1)>`)
	s.waitText("&lt;script&gt;")
	all := strings.Join(s.snapshot(), "")
	for _, raw := range []string{"<script>", "<img src=x"} {
		if strings.Contains(all, raw) {
			t.Errorf("frame carries raw %q", raw)
		}
	}
	if _, page, _ := alice.get("/r/general"); strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;") {
		t.Errorf("chat page does not escape the stored message")
	}
}

func TestTooLongMessageErrorsForSenderOnly(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice, bob := signedUp(t, a, "alice"), signedUp(t, a, "bob")
	sender, other := alice.dial(""), bob.dial("")
	other.waitCount(2)

	sender.send(strings.Repeat("é", 1001)) // 1001 characters, 2002 bytes
	sender.waitText("at most 1000 characters")
	sender.send(strings.Repeat("é", 1000)) // exactly the limit is fine
	other.waitText(strings.Repeat("é", 1000) + "</p>")
	if n := containing(other.snapshot(), "at most 1000"); n != 0 {
		t.Errorf("the error reached another socket")
	}
	if n := containing(other.snapshot(), strings.Repeat("é", 1001)); n != 0 {
		t.Errorf("the refused message reached another socket")
	}
}

func TestBadFramesHarmNoOne(t *testing.T) {
	a := startApp(t, testConfig(t))
	alice, bob := signedUp(t, a, "alice"), signedUp(t, a, "bob")
	bad, other := alice.dial(""), bob.dial("")
	other.waitCount(2)

	bad.sendRaw(websocket.TextMessage, []byte(`{"message":`))
	bad.waitText("could not be read")
	bad.sendRaw(websocket.TextMessage, []byte(`["message"]`))
	bad.sendRaw(websocket.TextMessage, []byte(`{"HEADERS":{}}`))
	bad.sendRaw(websocket.BinaryMessage, []byte{0, 1, 2, 3})
	bad.waitText("Only text messages")
	bad.send("   ") // empty after trimming: ignored
	bad.send("still here")
	other.waitText("still here</p>")
	if n := containing(other.snapshot(), "could not be read"); n != 0 {
		t.Errorf("another socket saw the error")
	}
	if n := containing(other.snapshot(), `class="message"`); n != 1 {
		t.Errorf("another socket got %d messages, want 1 (the empty one is ignored)", n)
	}

	// A frame over the size limit closes only the offending socket.
	// The server may reset the connection before the client has written
	// the whole frame, and then the close frame can be lost: 1009 or 1006.
	_ = bad.conn.WriteMessage(websocket.TextMessage, []byte(`{"message":"`+strings.Repeat("x", 16<<10)+`"}`))
	if code := bad.waitClose(); code != websocket.CloseMessageTooBig && code != websocket.CloseAbnormalClosure {
		t.Errorf("oversized frame: close code %d, want %d", code, websocket.CloseMessageTooBig)
	}
	other.waitCount(1)
	other2 := bob.dial("")
	other2.send("server fine")
	other.waitText("server fine</p>")
}

func TestMessageRateLimit(t *testing.T) {
	cfg := testConfig(t)
	cfg.Chat.MessageRateLimit = 3
	a := startApp(t, cfg)
	s := signedUp(t, a, "alice").dial("")
	for i := range 4 {
		s.send("msg " + string(rune('a'+i)))
	}
	s.waitText("too fast")
	time.Sleep(50 * time.Millisecond)
	if n := containing(s.snapshot(), `class="message"`); n != 3 {
		t.Errorf("got %d messages through, want 3", n)
	}
}
