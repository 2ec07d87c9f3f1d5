package web

import (
	"bytes"
	"context"

	"github.com/a-h/templ"

	"github.com/parleychat/parley/app/chat"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// Fragments renders the chat's live fragments with the templ components.
// It implements chat.Renderer.
type Fragments struct{}

var _ chat.Renderer = Fragments{}

// Presence renders the "N users online" line and the online list.
func (Fragments) Presence(online int, listed []parley.User) ([]byte, error) {
	return renderFragment(components.Presence(online, listed))
}

// Message renders one message appended to the list, with its Delete
// control when deletable.
func (Fragments) Message(m parley.Message, deletable bool) ([]byte, error) {
	return renderFragment(components.MessageAppend(m, deletable))
}

// History renders a room's whole message list as viewer sees it.
func (Fragments) History(room parley.Room, msgs []parley.Message, older bool, viewer parley.User) ([]byte, error) {
	return renderFragment(components.MessageList(room, msgs, older, true, viewer))
}

// Removed renders the removal of a deleted message.
func (Fragments) Removed(messageID int64) ([]byte, error) {
	return renderFragment(components.MessageRemoved(messageID))
}

// Banned renders the end of a banned person's page.
func (Fragments) Banned() ([]byte, error) {
	return renderFragment(components.Banned())
}

// Notices renders join and leave notices.
func (Fragments) Notices(ns []chat.Notice) ([]byte, error) {
	lines := make([]string, len(ns))
	for i, n := range ns {
		lines[i] = n.String()
	}
	return renderFragment(components.Notices(lines))
}

// Error renders an error for one sender.
func (Fragments) Error(text string) ([]byte, error) {
	return renderFragment(components.ChatError(text))
}

// ChatForm renders a fresh chat form.
func (Fragments) ChatForm() ([]byte, error) {
	return renderFragment(components.FreshForm())
}

// SignedOut renders the end of a signed-out page's session.
func (Fragments) SignedOut() ([]byte, error) {
	return renderFragment(components.SignedOut())
}

// renderFragment renders outside any request: the bytes go to many sockets.
func renderFragment(c templ.Component) ([]byte, error) {
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// LinkNotice renders the notice that live updates from other instances
// have paused or resumed. It implements chat.LinkRenderer.
func (Fragments) LinkNotice(paused bool) ([]byte, error) {
	if paused {
		return renderFragment(components.Notices([]string{"Live updates from other servers are paused: messages sent here are still saved, and the count may be out of date."}))
	}
	return renderFragment(components.Notices([]string{"Live updates from other servers have resumed."}))
}
