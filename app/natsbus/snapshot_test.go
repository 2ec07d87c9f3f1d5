package natsbus_test

import (
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/parleychat/parley/app/chat"
	"github.com/parleychat/parley/app/parley"
)

// crowd is everyone on a busy instance: 10,000 people in one room and
// 9,000 more in 900 rooms of 10, some with long names and avatars.
func crowd() map[int64][]parley.User {
	rooms := make(map[int64][]parley.User)
	id := int64(0)
	person := func() parley.User {
		id++
		u := parley.User{ID: id, DisplayName: fmt.Sprintf("person number %d", id)}
		if id%3 == 0 {
			u.Provider, u.AvatarURL = "github", fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", id)
		}
		return u
	}
	for range 10_000 {
		rooms[1] = append(rooms[1], person())
	}
	for room := int64(2); room < 902; room++ {
		for range 10 {
			rooms[room] = append(rooms[room], person())
		}
	}
	return rooms
}

// connectRaw connects a plain NATS client, to see or forge what
// instances send.
func connectRaw(t *testing.T, url string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func TestSnapshotOverMaxPayloadArrivesWhole(t *testing.T) {
	ns := startServer(t) // max_payload: the default 1 MB
	sender, receiver := connect(t, ns.ClientURL(), "t5"), connect(t, ns.ClientURL(), "t5")
	got := newRecorder()
	if err := receiver.Listen(got); err != nil {
		t.Fatal(err)
	}
	raw := connectRaw(t, ns.ClientURL())
	var parts atomic.Int64
	if _, err := raw.Subscribe("t5.instance.*.snapshotpart", func(*nats.Msg) { parts.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if err := raw.Flush(); err != nil {
		t.Fatal(err)
	}

	snapshot := chat.Event{From: "busy", Body: chat.Snapshot{Rooms: crowd()}}
	if err := sender.Send(snapshot); err != nil {
		t.Fatalf("send a snapshot of 19,000 people: %v", err)
	}
	if err := sender.Send(chat.Event{From: "busy", Body: chat.Heartbeat{}}); err != nil {
		t.Fatal(err)
	}
	got.waitFor(t, "the heartbeat after the snapshot", func() bool { return len(got.events) >= 2 })
	if len(got.events) != 2 {
		t.Fatalf("got %d events, want the snapshot and the heartbeat", len(got.events))
	}
	if !reflect.DeepEqual(got.events[0], snapshot) {
		arrived, _ := got.events[0].Body.(chat.Snapshot)
		t.Errorf("the snapshot arrived otherwise than sent: %d rooms, %d in room 1; want 901 rooms, 10,000 in room 1",
			len(arrived.Rooms), len(arrived.Rooms[1]))
	}
	if n := parts.Load(); n < 2 {
		t.Errorf("the snapshot went out in %d part(s), want several: it is over 1 MB", n)
	}
}

func TestSnapshotWithAPartMissingIsDropped(t *testing.T) {
	ns := startServer(t)
	receiver := connect(t, ns.ClientURL(), "t6")
	got := newRecorder()
	if err := receiver.Listen(got); err != nil {
		t.Fatal(err)
	}
	raw := connectRaw(t, ns.ClientURL())
	const subject = "t6.instance.z.snapshotpart"
	part := func(seq, index, total int, room int64) string {
		return fmt.Sprintf(`{"from":"z","rooms":{"%d":[{"id":%d,"name":"p%d"}]},"part":{"seq":%d,"index":%d,"total":%d}}`,
			room, room, room, seq, index, total)
	}
	for _, data := range []string{
		`not json`,
		`{"from":"z","rooms":{}}`, // no part
		part(1, 0, 0, 1),          // no parts at all
		part(1, 2, 2, 1),          // beyond its total
		part(1, -1, 2, 1),
		part(1, 0, 1_000_000, 1), // far too many
		part(2, 1, 2, 2),         // its first part was lost
		part(3, 0, 3, 3),
		part(3, 2, 3, 3), // the middle one was lost
		part(4, 0, 2, 4),
		part(5, 1, 2, 4), // another snapshot's second part
		part(6, 0, 2, 5),
		part(6, 1, 3, 5), // another total
		part(7, 0, 2, 6), // the good one, in two parts
		part(7, 1, 2, 7),
	} {
		if err := raw.Publish(subject, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := raw.Publish("t6.instance.z.heartbeat", []byte(`{"from":"z"}`)); err != nil {
		t.Fatal(err)
	}
	got.waitFor(t, "the heartbeat", func() bool {
		return len(got.events) > 0 && got.events[len(got.events)-1].Body == chat.Heartbeat{}
	})
	want := chat.Event{From: "z", Body: chat.Snapshot{Rooms: map[int64][]parley.User{
		6: {{ID: 6, DisplayName: "p6"}},
		7: {{ID: 7, DisplayName: "p7"}},
	}}}
	if len(got.events) != 2 || !reflect.DeepEqual(got.events[0], want) {
		t.Errorf("got %+v, want only the whole snapshot %+v and the heartbeat", got.events, want)
	}
}
