package chat

import (
	"github.com/parleychat/parley/app/i18n"
	"github.com/parleychat/parley/app/parley"
)

// Renderer turns chat events into HTML fragments for htmx's ws extension:
// each top-level element carries an id and hx-swap-oob. The chat calls it
// once per event and language (or Locale, for what shows a time) present
// among the sockets concerned, never once per socket, and sends the same
// bytes to every socket of that language.
type Renderer interface {
	// Presence renders the whole of "N users online" and the online list,
	// which a socket gets when it opens.
	Presence(lang i18n.Lang, list parley.OnlineList) ([]byte, error)
	// PresenceChanged renders what turns a page's online list into the
	// next one: only the parts that changed.
	PresenceChanged(lang i18n.Lang, c parley.PresenceChange) ([]byte, error)
	// Change renders what a change of a room shows on the pages of one
	// kind of reader, keyed by the change's type: a posted message
	// appended to the message list (its time in the view's zone, its
	// Delete control when the view may delete it; its text never
	// translated), a deleted one taken off the page (the same for every
	// reader: the chat renders it once, for the zero View), and, for a
	// member taken out of a room, what replaces the form on their own
	// pages of it. People arriving and leaving show in Presence and
	// PresenceChanged instead.
	Change(view View, ch parley.Change) ([]byte, error)
	// Personal renders a change of what one person sees wherever they
	// are (a room entering or leaving their sidebar), for every open page
	// of theirs, in the view's language.
	Personal(view View, ch parley.PersonalChange) ([]byte, error)
	// History renders a room's whole message list, replacing what a page
	// shows; older is whether the room has messages before msgs. viewer
	// sees the Delete control on the messages they may delete.
	History(loc i18n.Locale, room parley.Room, msgs []parley.Message, older bool, viewer parley.User) ([]byte, error)
	// Notices renders join and leave notices appended to the message list.
	Notices(lang i18n.Lang, ns []Notice) ([]byte, error)
	// Error renders an error shown to one sender beside the chat form;
	// text is a catalogue string, or already in lang.
	Error(lang i18n.Lang, text string) ([]byte, error)
	// ChatForm renders a fresh, empty chat form and clears the error.
	ChatForm(lang i18n.Lang) ([]byte, error)
	// SignedOut renders what a page shows once its session has ended.
	SignedOut(lang i18n.Lang) ([]byte, error)
	// Banned renders what a page shows once its person has been banned.
	Banned(lang i18n.Lang) ([]byte, error)
}

// View is one kind of reader that a change is rendered for.
type View struct {
	// Locale is the reader's language and time zone.
	Locale i18n.Locale
	// Deletable is whether the reader may delete the message the change
	// shows: its author and admins may, and see its Delete control.
	Deletable bool
}
