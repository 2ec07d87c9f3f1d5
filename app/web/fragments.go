package web

import (
	"bytes"
	"context"
	"fmt"

	"github.com/a-h/templ"

	"github.com/parleychat/parley/app/chat"
	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/components"
)

// Fragments renders the chat's live fragments with the templ components,
// in the language (or Locale) the chat asks for. It implements
// chat.Renderer.
type Fragments struct{}

var _ chat.Renderer = Fragments{}

// Presence renders the whole "N users online" line and online list.
func (Fragments) Presence(lang i18n.Lang, list parley.OnlineList) ([]byte, error) {
	return renderFragment(i18n.Locale{Lang: lang}, components.Presence(list.Online, list.Listed))
}

// PresenceChanged renders what changed in the count and the online list.
func (Fragments) PresenceChanged(lang i18n.Lang, c parley.PresenceChange) ([]byte, error) {
	return renderFragment(i18n.Locale{Lang: lang}, components.PresenceChanged(c))
}

// Change renders a change of a room as view's pages show it, by its
// type: a posted message appended to the list, its time in view's zone,
// with its Delete control when view may delete it; a deleted message's
// removal, the same in every language.
func (Fragments) Change(view chat.View, ch parley.Change) ([]byte, error) {
	switch ch := ch.(type) {
	case parley.MessagePosted:
		return renderFragment(view.Locale, components.MessageAppend(ch.Message, view.Deletable))
	case parley.MessageDeleted:
		return renderFragment(i18n.Default, components.MessageRemoved(ch.MessageID))
	case parley.MemberRemoved:
		return renderFragment(view.Locale, components.RemovedFromRoom())
	}
	return nil, fmt.Errorf("web: no fragment for a change of kind %q", ch.TypeName())
}

// Personal renders a change of one person's sidebar: a room put at the
// end of its list, or taken out.
func (Fragments) Personal(view chat.View, ch parley.PersonalChange) ([]byte, error) {
	switch ch := ch.(type) {
	case parley.RoomListed:
		return renderFragment(view.Locale, components.RoomListed(components.SidebarEntry{Room: ch.Room, Title: ch.Title}))
	case parley.RoomUnlisted:
		return renderFragment(view.Locale, components.RoomUnlisted(ch.Room))
	}
	return nil, fmt.Errorf("web: no fragment for a personal change of kind %q", ch.TypeName())
}

// History renders a room's whole message list as viewer sees it. The
// chat renders it only for a socket it let in, whose viewer reads the
// room: a member of it, when it is a room with members.
func (Fragments) History(loc i18n.Locale, room parley.Room, msgs []parley.Message, older bool, viewer parley.User) ([]byte, error) {
	return renderFragment(loc, components.MessageList(room, msgs, older, true, viewer, parley.AccessTo(viewer, room, true)))
}

// Banned renders the end of a banned person's page.
func (Fragments) Banned(lang i18n.Lang) ([]byte, error) {
	return renderFragment(i18n.Locale{Lang: lang}, components.Banned())
}

// Notices renders join and leave notices.
func (Fragments) Notices(lang i18n.Lang, ns []chat.Notice) ([]byte, error) {
	lines := make([]string, len(ns))
	for i, n := range ns {
		lines[i] = n.Text(lang)
	}
	return renderFragment(i18n.Locale{Lang: lang}, components.Notices(lines))
}

// Error renders an error for one sender.
func (Fragments) Error(lang i18n.Lang, text string) ([]byte, error) {
	return renderFragment(i18n.Locale{Lang: lang}, components.ChatError(text))
}

// ChatForm renders a fresh chat form.
func (Fragments) ChatForm(lang i18n.Lang) ([]byte, error) {
	return renderFragment(i18n.Locale{Lang: lang}, components.FreshForm())
}

// SignedOut renders the end of a signed-out page's session.
func (Fragments) SignedOut(lang i18n.Lang) ([]byte, error) {
	return renderFragment(i18n.Locale{Lang: lang}, components.SignedOut())
}

// renderFragment renders outside any request, in loc: the bytes go to
// many sockets.
func renderFragment(loc i18n.Locale, c templ.Component) ([]byte, error) {
	var buf bytes.Buffer
	if err := c.Render(i18n.With(context.Background(), loc), &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// LinkNotice renders the notice that live updates from other instances
// have paused or resumed. It implements chat.LinkRenderer.
func (Fragments) LinkNotice(lang i18n.Lang, paused bool) ([]byte, error) {
	loc := i18n.Locale{Lang: lang}
	if paused {
		return renderFragment(loc, components.Notices([]string{loc.T("Live updates from other servers are paused: messages sent here are still saved, and the count may be out of date.")}))
	}
	return renderFragment(loc, components.Notices([]string{loc.T("Live updates from other servers have resumed.")}))
}
