package chat

import "github.com/parleychat/parley/app/parley"

// Renderer turns chat events into HTML fragments for htmx's ws extension:
// each top-level element carries an id and hx-swap-oob. The chat calls it
// once per event and sends the same bytes to every socket.
type Renderer interface {
	// Count renders the "N users online" fragment.
	Count(online int) ([]byte, error)
	// Message renders one message appended to the message list.
	Message(m parley.Message) ([]byte, error)
	// History renders the whole message list, replacing what a page shows.
	History(msgs []parley.Message) ([]byte, error)
	// Notices renders join and leave notices appended to the message list.
	Notices(ns []Notice) ([]byte, error)
	// Error renders an error shown to one sender beside the chat form.
	Error(text string) ([]byte, error)
	// ChatForm renders a fresh, empty chat form and clears the error.
	ChatForm() ([]byte, error)
	// SignedOut renders what a page shows once its session has ended.
	SignedOut() ([]byte, error)
}
