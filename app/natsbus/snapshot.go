package natsbus

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/parleychat/parley/app/chat"
	"github.com/parleychat/parley/app/parley"
)

// A snapshot of everyone on an instance outgrows NATS's max_payload (1 MB
// by default) at roughly 10,000 people. Such a snapshot goes out as
// consecutive snapshotpart messages, each under max_payload, and the
// receiver hands the chat one snapshot once it has every part: a
// snapshot applied in pieces would drop, for a moment, everyone the
// later pieces name. Parts of one sender arrive in the order sent, on one
// subject, so a part out of sequence means one was lost: that snapshot is
// dropped, and the next one (two seconds later) corrects everything.

// maxParts bounds the parts of one snapshot a receiver collects:
// 1,000 parts of 1 MB each is far beyond any real instance.
const maxParts = 1000

// wirePart places a part: Seq numbers the sender's snapshots, Index is
// the part's place among Total.
type wirePart struct {
	Seq   uint64 `json:"seq"`
	Index int    `json:"index"`
	Total int    `json:"total"`
}

// assembly is one sender's snapshot being received.
type assembly struct {
	seq   uint64
	next  int
	total int
	rooms map[int64][]parley.User
}

func toWireRooms(rooms map[int64][]parley.User) map[int64][]wireUser {
	w := make(map[int64][]wireUser, len(rooms))
	for id, users := range rooms {
		ws := make([]wireUser, len(users))
		for i, u := range users {
			ws[i] = toWire(u)
		}
		w[id] = ws
	}
	return w
}

func fromWireRooms(w map[int64][]wireUser) map[int64][]parley.User {
	rooms := make(map[int64][]parley.User, len(w))
	for id, ws := range w {
		users := make([]parley.User, len(ws))
		for i, u := range ws {
			users[i] = fromWire(u)
		}
		rooms[id] = users
	}
	return rooms
}

// sendInParts publishes a snapshot too big for one message as parts of
// at most max bytes each.
func (b *Bus) sendInParts(from string, s chat.Snapshot, max int64) error {
	parts, err := splitRooms(toWireRooms(s.Rooms), max)
	if err != nil {
		return err
	}
	subject := b.prefix + ".instance." + from + ".snapshotpart"
	seq := b.snapshotSeq.Add(1)
	for i, rooms := range parts {
		data, err := json.Marshal(wireSnapshot{wireFrom: wireFrom{From: from}, Rooms: rooms, Part: &wirePart{Seq: seq, Index: i, Total: len(parts)}})
		if err != nil {
			return fmt.Errorf("natsbus: encode %s: %w", subject, err)
		}
		if int64(len(data)) > max {
			return fmt.Errorf("natsbus: %s: a part of %d bytes, over the server's max_payload of %d", subject, len(data), max)
		}
		if err := b.publish(subject, data); err != nil {
			return err
		}
	}
	return nil
}

// partEnvelope is what a part's JSON holds besides its people: the
// sender's ID (at most a few dozen bytes), the part's place and the
// braces, with room to spare.
const partEnvelope = 512

// splitRooms cuts rooms into parts whose JSON stays under max bytes,
// rooms in ID order, a big room's people over several parts in order.
func splitRooms(rooms map[int64][]wireUser, max int64) ([]map[int64][]wireUser, error) {
	budget := max - partEnvelope
	ids := make([]int64, 0, len(rooms))
	for id := range rooms {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var parts []map[int64][]wireUser
	var part map[int64][]wireUser
	var size int64
	for _, id := range ids {
		// A room's key and brackets: "123":[],
		roomSize := int64(len(fmt.Sprint(id))) + 6
		for _, u := range rooms[id] {
			data, err := json.Marshal(u)
			if err != nil {
				return nil, fmt.Errorf("natsbus: encode snapshot: %w", err)
			}
			userSize := int64(len(data)) + 1 // and its comma
			if roomSize+userSize > budget {
				return nil, errors.New("natsbus: snapshot: one person does not fit in a message")
			}
			if part == nil || size+roomSize+userSize > budget {
				part, size = make(map[int64][]wireUser), 0
				parts = append(parts, part)
			}
			if _, ok := part[id]; !ok {
				size += roomSize
			}
			part[id] = append(part[id], u)
			size += userSize
		}
	}
	return parts, nil
}

// snapshotPartFrom reports whether subject is a snapshot part, and whose.
func (b *Bus) snapshotPartFrom(subject string) (string, bool) {
	tokens := strings.Split(strings.TrimPrefix(subject, b.prefix+"."), ".")
	if len(tokens) != 3 || tokens[0] != "instance" || tokens[2] != "snapshotpart" {
		return "", false
	}
	return tokens[1], true
}

// receivePart collects one part of from's snapshot, and hands the chat
// the snapshot once its last part is in. Bad parts are logged and
// dropped, with the snapshot they belong to.
func (b *Bus) receivePart(from string, data []byte) {
	var w wireSnapshot
	if err := json.Unmarshal(data, &w); err != nil || w.Part == nil {
		b.log.Warn("natsbus: ignoring a snapshot part", "from", from, "err", cmpErr(err, "no part"))
		return
	}
	p := *w.Part
	if p.Total < 1 || p.Total > maxParts || p.Index < 0 || p.Index >= p.Total {
		b.log.Warn("natsbus: ignoring a snapshot part", "from", from, "index", p.Index, "total", p.Total)
		return
	}
	a := b.assembling[from]
	if p.Index == 0 {
		a = &assembly{seq: p.Seq, total: p.Total, rooms: make(map[int64][]parley.User)}
		b.assembling[from] = a
	}
	if a == nil || a.seq != p.Seq || a.total != p.Total || a.next != p.Index {
		// A part was lost: the next snapshot will do.
		b.log.Warn("natsbus: dropping a snapshot with a part missing", "from", from, "seq", p.Seq, "index", p.Index)
		delete(b.assembling, from)
		return
	}
	for id, users := range fromWireRooms(w.Rooms) {
		a.rooms[id] = append(a.rooms[id], users...)
	}
	a.next++
	if a.next < a.total {
		return
	}
	delete(b.assembling, from)
	if h := b.currentHandler(); h != nil {
		h.Receive(chat.Event{From: from, Body: chat.Snapshot{Rooms: a.rooms}})
	}
}

// cmpErr is err, or an error saying why when there is none.
func cmpErr(err error, why string) error {
	if err != nil {
		return err
	}
	return errors.New(why)
}
