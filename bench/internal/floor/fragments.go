package floor

import (
	"html"
	"strconv"
	"strings"
	"time"
)

// The fragments below have the shape Parley's templ components render, so
// that the load generator parses the floor's frames and Parley's alike.

// chatFormFragment is the fresh, empty form pushed to a sender after each
// message so that its input clears without any script.
const chatFormFragment = `<form id="chat-form" ws-send hx-swap-oob="true">` +
	`<label for="message">Message</label>` +
	`<input id="message" name="message" autocomplete="off" maxlength="1000" required autofocus>` +
	`<button type="submit">Send</button></form>`

// renderCount renders the #num-users fragment for count distinct users.
func renderCount(count int) []byte {
	var b strings.Builder
	b.Grow(80)
	b.WriteString(`<span id="num-users" hx-swap-oob="true">`)
	b.WriteString(strconv.Itoa(count))
	if count == 1 {
		b.WriteString(` user online</span>`)
	} else {
		b.WriteString(` users online</span>`)
	}
	return []byte(b.String())
}

// renderMessage renders one chat message as an out-of-band append to
// #messages, escaping every user-supplied string.
func renderMessage(id int64, author, text string, at time.Time) []byte {
	var b strings.Builder
	b.Grow(200 + len(author) + len(text))
	b.WriteString(`<div hx-swap-oob="beforeend:#messages"><article class="message" id="msg-`)
	b.WriteString(strconv.FormatInt(id, 10))
	b.WriteString(`"><header><span class="author">`)
	b.WriteString(html.EscapeString(author))
	b.WriteString(`</span> <time datetime="`)
	b.WriteString(at.UTC().Format(time.RFC3339))
	b.WriteString(`">`)
	b.WriteString(at.UTC().Format("15:04"))
	b.WriteString(`</time></header><p>`)
	b.WriteString(html.EscapeString(text))
	b.WriteString(`</p></article></div>`)
	return []byte(b.String())
}
