package chat

import "time"

// Observer is told what the chat does, so that an adapter (app/metrics)
// can count it. The chat calls it from many goroutines, the hub's among
// them: its methods must be safe for concurrent use and must not block.
type Observer interface {
	// SocketOpened and SocketClosed bracket each socket the chat serves.
	SocketOpened()
	SocketClosed()
	// PeopleOnline is how many distinct people have a socket open, in any
	// room, after each arrival or departure.
	PeopleOnline(n int)
	// FrameWritten is one websocket message written to one socket: one
	// fragment, or a batch of the fragments that were waiting.
	FrameWritten()
	// SocketDropped is a socket closed because it could not keep up.
	SocketDropped()
	// MessageStored is a message sent here and stored.
	MessageStored()
	// PresenceFlushed is one room's presence sent out, and how long
	// rendering and queueing it took.
	PresenceFlushed(d time.Duration)
}

// NopObserver ignores everything; it is the Observer of a Config without one.
type NopObserver struct{}

func (NopObserver) SocketOpened()                 {}
func (NopObserver) SocketClosed()                 {}
func (NopObserver) PeopleOnline(int)              {}
func (NopObserver) FrameWritten()                 {}
func (NopObserver) SocketDropped()                {}
func (NopObserver) MessageStored()                {}
func (NopObserver) PresenceFlushed(time.Duration) {}
