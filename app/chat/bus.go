package chat

import (
	"time"

	"github.com/parleychat/parley/app/parley"
)

// Bus carries what the instances of one Parley share: stored messages,
// who is in which room, and sockets to close. app/natsbus implements it
// over NATS. Without a bus the chat runs alone, as one process.
type Bus interface {
	// Send publishes an event to the other instances. It may buffer, and
	// must not wait for them; it fails when the event cannot go out.
	Send(e Event) error
	// Listen starts handing the other instances' events to h, each
	// instance's in the order it sent them, and tells h when the link to
	// them is lost and when it is back. It is called once.
	Listen(h BusHandler) error
	// Flush waits until what Send published has left this process, or
	// until timeout.
	Flush(timeout time.Duration) error
}

// BusHandler is what a Bus delivers to: the chat of this instance.
type BusHandler interface {
	// Receive takes one event from another instance.
	Receive(e Event)
	// LinkDown tells that the other instances cannot be reached any more.
	LinkDown(err error)
	// LinkUp tells that they can be reached again.
	LinkUp()
}

// Event is one thing an instance tells the others.
type Event struct {
	// From is the ID of the instance that sent the event.
	From string
	// Body is what it says.
	Body Body
}

// Body is what an Event says: a parley.Change made on From (a message
// posted or deleted there, a person arrived or left there), or one of the
// signals about the instances and their sockets: Snapshot, Heartbeat,
// Goodbye, CloseSockets.
type Body interface {
	// TypeName names the kind of body: short, stable, unique among the
	// kinds, for logs and the bus.
	TypeName() string
}

// Snapshot is everyone with a socket on From, by room: it replaces what
// the others knew of From's people.
type Snapshot struct {
	// Rooms maps room IDs to the people with a socket there.
	Rooms map[int64][]parley.User
}

// TypeName is "snapshot".
func (Snapshot) TypeName() string { return "snapshot" }

// Heartbeat says that From is alive.
type Heartbeat struct{}

// TypeName is "heartbeat".
func (Heartbeat) TypeName() string { return "heartbeat" }

// Goodbye says that From stops: forget its people now.
type Goodbye struct{}

// TypeName is "goodbye".
func (Goodbye) TypeName() string { return "goodbye" }

// CloseSockets closes, on every instance, the sockets of SessionKey (signed
// out), or of UserID when SessionKey is empty (banned).
type CloseSockets struct {
	SessionKey string
	UserID     int64
}

// TypeName is "close sockets".
func (CloseSockets) TypeName() string { return "close sockets" }
