package natsbus

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/parleychat/parley/app/chat"
	"github.com/parleychat/parley/app/parley"
)

// Every type of event body the instances send each other has a codec,
// registered once in codecs below: the last token of its subject (its
// name on the wire), where its subject sits (scope), and how its JSON is
// made and read. The bus looks a body up by its TypeName to send it, and
// by its subject's scope and name when it arrives, so a new kind of live
// change is one register call here. A subject whose name this version
// does not know is a newer instance's, during a rolling deploy: it is
// logged once per name and ignored (Bus.receive).

// scope is where a subject sits under the prefix, which tells what its
// middle token is.
type scope string

const (
	// inRoom is PREFIX.room.ROOM_ID.NAME: a change of that room.
	inRoom scope = "room"
	// ofInstance is PREFIX.instance.ID.NAME: a signal about that instance,
	// the sender.
	ofInstance scope = "instance"
	// toSockets is PREFIX.sockets.NAME: sockets every instance closes.
	toSockets scope = "sockets"
)

// codec makes and reads the messages of one type of body.
type codec struct {
	scope scope
	name  string
	// encode gives the JSON of a body from an instance.
	encode func(from string, b chat.Body) ([]byte, error)
	// decode gives a body and the instance it comes from back; roomID is
	// the room of the subject (0 outside rooms).
	decode func(roomID int64, data []byte) (from string, b chat.Body, err error)
}

// key is where the codec is found from a subject: its scope and name.
func (c *codec) key() string { return string(c.scope) + "." + c.name }

// registry is every codec, by the TypeName of the body it carries and by
// its key.
type registry struct {
	byType map[string]*codec
	byKey  map[string]*codec
}

// wireFrom is in every message: the ID of the sending instance.
type wireFrom struct {
	From string `json:"from"`
}

func (w *wireFrom) sender() *wireFrom { return w }

// wireBody is a pointer to a wire struct that embeds wireFrom.
type wireBody[W any] interface {
	*W
	sender() *wireFrom
}

// register adds the codec of the bodies of type T, which travel as W,
// under name in scope. A body of a room's scope must be a parley.Change,
// whose Room is the subject's room.
func register[T chat.Body, W any, PW wireBody[W]](r *registry, sc scope, name string,
	toWire func(T) W, fromWire func(roomID int64, w W) (T, error)) {
	var zero T
	if _, change := any(zero).(parley.Change); sc == inRoom && !change {
		panic(fmt.Sprintf("natsbus: %s travels in a room's scope but is no parley.Change", zero.TypeName()))
	}
	c := &codec{scope: sc, name: name}
	c.encode = func(from string, b chat.Body) ([]byte, error) {
		w := toWire(b.(T))
		PW(&w).sender().From = from
		return json.Marshal(w)
	}
	c.decode = func(roomID int64, data []byte) (string, chat.Body, error) {
		var w W
		if err := json.Unmarshal(data, &w); err != nil {
			return "", nil, err
		}
		b, err := fromWire(roomID, w)
		if err != nil {
			return "", nil, err
		}
		return PW(&w).sender().From, b, nil
	}
	if r.byType[zero.TypeName()] != nil || r.byKey[c.key()] != nil {
		panic("natsbus: two codecs for " + zero.TypeName() + " or " + c.key())
	}
	r.byType[zero.TypeName()] = c
	r.byKey[c.key()] = c
}

// Wire formats: JSON, one object per NATS message.

type wireUser struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Provider string `json:"provider,omitempty"`
	Avatar   string `json:"avatar,omitempty"`
	Admin    bool   `json:"admin,omitempty"`
}

func toWire(u parley.User) wireUser {
	return wireUser{ID: u.ID, Name: u.DisplayName, Provider: u.Provider, Avatar: u.AvatarURL, Admin: u.Admin}
}

func fromWire(u wireUser) parley.User {
	return parley.User{ID: u.ID, DisplayName: u.Name, Provider: u.Provider, AvatarURL: u.Avatar, Admin: u.Admin}
}

type wireMessage struct {
	ID             int64     `json:"id"`
	RoomID         int64     `json:"room_id"`
	UserID         int64     `json:"user_id"`
	AuthorName     string    `json:"author_name"`
	AuthorProvider string    `json:"author_provider,omitempty"`
	AuthorAdmin    bool      `json:"author_admin,omitempty"`
	Text           string    `json:"text"`
	CreatedAt      time.Time `json:"created_at"`
}

type wirePosted struct {
	wireFrom
	Message *wireMessage `json:"message,omitempty"`
}

type wireMember struct {
	wireFrom
	UserID int64 `json:"user_id,omitempty"`
}

type wireRoom struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

func toWireRoom(r parley.Room) *wireRoom {
	return &wireRoom{ID: r.ID, Name: r.Name, Kind: r.Kind.String()}
}

// wireListing is a room entering or leaving a person's sidebar.
type wireListing struct {
	wireFrom
	UserID int64     `json:"user_id"`
	Room   *wireRoom `json:"room,omitempty"`
	Title  string    `json:"title,omitempty"`
}

func fromWireRoom(w wireListing) (parley.Room, error) {
	if w.UserID == 0 || w.Room == nil || w.Room.ID == 0 || w.Room.Name == "" {
		return parley.Room{}, errors.New("no user or no room")
	}
	kind, err := parley.ParseRoomKind(w.Room.Kind)
	if err != nil {
		return parley.Room{}, err
	}
	return parley.Room{ID: w.Room.ID, Name: w.Room.Name, Kind: kind}, nil
}

type wireDeleted struct {
	wireFrom
	MessageID int64 `json:"message_id,omitempty"`
}

// wirePerson is a person who arrived in or left a room.
type wirePerson struct {
	wireFrom
	User *wireUser `json:"user,omitempty"`
}

// wireSnapshot is a snapshot, or one part of one (snapshot.go).
type wireSnapshot struct {
	wireFrom
	Rooms map[int64][]wireUser `json:"rooms,omitempty"`
	// Part places a snapshotpart among the parts of its snapshot.
	Part *wirePart `json:"part,omitempty"`
}

// wireSignal is a signal that says nothing but who sends it.
type wireSignal struct {
	wireFrom
}

type wireClose struct {
	wireFrom
	Session string `json:"session,omitempty"`
	UserID  int64  `json:"user_id,omitempty"`
}

// codecs are the types of body this version sends and understands. The
// names are those of the earlier, switch-based encoding, so that
// instances of either version understand each other.
var codecs = func() *registry {
	r := &registry{byType: make(map[string]*codec), byKey: make(map[string]*codec)}
	register(r, inRoom, "msg",
		func(c parley.MessagePosted) wirePosted {
			m := c.Message
			return wirePosted{Message: &wireMessage{ID: m.ID, RoomID: m.RoomID, UserID: m.UserID, AuthorName: m.AuthorName,
				AuthorProvider: m.AuthorProvider, AuthorAdmin: m.AuthorAdmin, Text: m.Text, CreatedAt: m.CreatedAt}}
		},
		func(roomID int64, w wirePosted) (parley.MessagePosted, error) {
			m := w.Message
			if m == nil {
				return parley.MessagePosted{}, errors.New("no message")
			}
			return parley.MessagePosted{Message: parley.Message{ID: m.ID, RoomID: roomID, UserID: m.UserID, AuthorName: m.AuthorName,
				AuthorProvider: m.AuthorProvider, AuthorAdmin: m.AuthorAdmin, Text: m.Text, CreatedAt: m.CreatedAt}}, nil
		})
	register(r, inRoom, "remove",
		func(c parley.MessageDeleted) wireDeleted { return wireDeleted{MessageID: c.MessageID} },
		func(roomID int64, w wireDeleted) (parley.MessageDeleted, error) {
			if w.MessageID == 0 {
				return parley.MessageDeleted{}, errors.New("no message id")
			}
			return parley.MessageDeleted{RoomID: roomID, MessageID: w.MessageID}, nil
		})
	register(r, inRoom, "member-removed",
		func(c parley.MemberRemoved) wireMember { return wireMember{UserID: c.UserID} },
		func(roomID int64, w wireMember) (parley.MemberRemoved, error) {
			if w.UserID == 0 {
				return parley.MemberRemoved{}, errors.New("no user id")
			}
			return parley.MemberRemoved{RoomID: roomID, UserID: w.UserID}, nil
		})
	register(r, inRoom, "join",
		func(c parley.PersonArrived) wirePerson { u := toWire(c.User); return wirePerson{User: &u} },
		func(roomID int64, w wirePerson) (parley.PersonArrived, error) {
			if w.User == nil {
				return parley.PersonArrived{}, errors.New("no user")
			}
			return parley.PersonArrived{RoomID: roomID, User: fromWire(*w.User)}, nil
		})
	register(r, inRoom, "leave",
		func(c parley.PersonLeft) wirePerson { u := toWire(c.User); return wirePerson{User: &u} },
		func(roomID int64, w wirePerson) (parley.PersonLeft, error) {
			if w.User == nil {
				return parley.PersonLeft{}, errors.New("no user")
			}
			return parley.PersonLeft{RoomID: roomID, User: fromWire(*w.User)}, nil
		})
	register(r, ofInstance, "snapshot",
		func(s chat.Snapshot) wireSnapshot { return wireSnapshot{Rooms: toWireRooms(s.Rooms)} },
		func(_ int64, w wireSnapshot) (chat.Snapshot, error) {
			return chat.Snapshot{Rooms: fromWireRooms(w.Rooms)}, nil
		})
	register(r, ofInstance, "heartbeat",
		func(chat.Heartbeat) wireSignal { return wireSignal{} },
		func(int64, wireSignal) (chat.Heartbeat, error) { return chat.Heartbeat{}, nil })
	register(r, ofInstance, "goodbye",
		func(chat.Goodbye) wireSignal { return wireSignal{} },
		func(int64, wireSignal) (chat.Goodbye, error) { return chat.Goodbye{}, nil })
	register(r, toSockets, "listed",
		func(c parley.RoomListed) wireListing {
			return wireListing{UserID: c.UserID, Room: toWireRoom(c.Room), Title: c.Title}
		},
		func(_ int64, w wireListing) (parley.RoomListed, error) {
			room, err := fromWireRoom(w)
			return parley.RoomListed{UserID: w.UserID, Room: room, Title: w.Title}, err
		})
	register(r, toSockets, "unlisted",
		func(c parley.RoomUnlisted) wireListing {
			return wireListing{UserID: c.UserID, Room: toWireRoom(c.Room)}
		},
		func(_ int64, w wireListing) (parley.RoomUnlisted, error) {
			room, err := fromWireRoom(w)
			return parley.RoomUnlisted{UserID: w.UserID, Room: room}, err
		})
	register(r, toSockets, "close",
		func(c chat.CloseSockets) wireClose { return wireClose{Session: c.SessionKey, UserID: c.UserID} },
		func(_ int64, w wireClose) (chat.CloseSockets, error) {
			return chat.CloseSockets{SessionKey: w.Session, UserID: w.UserID}, nil
		})
	return r
}()
