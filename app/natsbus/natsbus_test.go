package natsbus_test

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/parleychat/parley/app/chat"
	"github.com/parleychat/parley/app/natsbus"
	"github.com/parleychat/parley/app/parley"
)

func startServer(t *testing.T) *server.Server {
	t.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(5 * time.Second) {
		t.Fatal("NATS server not ready")
	}
	t.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	return ns
}

func connect(t *testing.T, url, prefix string) *natsbus.Bus {
	t.Helper()
	b, err := natsbus.Connect(natsbus.Options{URL: url, Prefix: prefix, ReconnectWait: 50 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// recorder is a chat.BusHandler that keeps what it is given.
type recorder struct {
	mu     sync.Mutex
	events []chat.Event
	downs  int
	ups    int
	notify chan struct{}
}

func newRecorder() *recorder { return &recorder{notify: make(chan struct{}, 1)} }

func (r *recorder) Receive(e chat.Event) { r.record(func() { r.events = append(r.events, e) }) }
func (r *recorder) LinkDown(error)       { r.record(func() { r.downs++ }) }
func (r *recorder) LinkUp()              { r.record(func() { r.ups++ }) }

func (r *recorder) record(f func()) {
	r.mu.Lock()
	f()
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

func (r *recorder) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		ok := cond()
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.notify:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestEveryEventArrivesAsSentInOrder(t *testing.T) {
	ns := startServer(t)
	sender, receiver := connect(t, ns.ClientURL(), "t1"), connect(t, ns.ClientURL(), "t1")
	got := newRecorder()
	if err := receiver.Listen(got); err != nil {
		t.Fatal(err)
	}
	alice := parley.User{ID: 7, DisplayName: "Alice", Provider: "github", AvatarURL: "https://example.com/a.png"}
	bob := parley.User{ID: 8, DisplayName: "bob", Admin: true}
	at := time.Date(2026, 12, 2, 10, 30, 0, 123456789, time.UTC)
	sent := []chat.Event{
		{From: "aaaa", Body: parley.MessagePosted{Message: parley.Message{ID: 41, RoomID: 3, UserID: 7,
			AuthorName: "Alice", AuthorProvider: "github", AuthorAdmin: true, Text: "hi <b>there</b> ✓", CreatedAt: at}}},
		{From: "aaaa", Body: parley.PersonArrived{RoomID: 3, User: alice}},
		{From: "aaaa", Body: parley.PersonLeft{RoomID: 3, User: bob}},
		{From: "aaaa", Body: chat.Snapshot{Rooms: map[int64][]parley.User{1: {alice, bob}, 3: {bob}}}},
		{From: "aaaa", Body: chat.Heartbeat{}},
		{From: "aaaa", Body: chat.CloseSockets{SessionKey: "deadbeef"}},
		{From: "aaaa", Body: chat.CloseSockets{UserID: 8}},
		{From: "aaaa", Body: parley.MessageDeleted{RoomID: 3, MessageID: 41}},
		{From: "aaaa", Body: parley.MemberRemoved{RoomID: 4, UserID: 8}},
		{From: "aaaa", Body: parley.RoomListed{UserID: 8, Room: parley.Room{ID: 4, Name: "hiring", Kind: parley.RoomPrivate}, Title: "#hiring"}},
		{From: "aaaa", Body: parley.RoomListed{UserID: 7, Room: parley.Room{ID: 5, Name: "dm-0123456789abcdef", Kind: parley.RoomDirect}, Title: "bob"}},
		{From: "aaaa", Body: parley.RoomUnlisted{UserID: 8, Room: parley.Room{ID: 4, Name: "hiring", Kind: parley.RoomPrivate}}},
		{From: "aaaa", Body: chat.Goodbye{}},
	}
	for _, e := range sent {
		if err := sender.Send(e); err != nil {
			t.Fatalf("send %s: %v", e.Body.TypeName(), err)
		}
	}
	got.waitFor(t, "every event", func() bool { return len(got.events) == len(sent) })
	for i := range sent {
		if !reflect.DeepEqual(got.events[i], sent[i]) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, got.events[i], sent[i])
		}
	}
}

func TestBadMessagesAreIgnoredAndHarmNothing(t *testing.T) {
	ns := startServer(t)
	receiver := connect(t, ns.ClientURL(), "t2")
	got := newRecorder()
	if err := receiver.Listen(got); err != nil {
		t.Fatal(err)
	}
	raw := connectRaw(t, ns.ClientURL())
	for subject, data := range map[string]string{
		"t2.room.3.msg":            `not json`,
		"t2.room.x.msg":            `{"from":"z","message":{"id":1}}`,
		"t2.room.3.msg.extra":      `{"from":"z"}`,
		"t2.room.3.join":           `{"from":"z"}`, // no user
		"t2.room.3.remove":         `{"from":"z"}`, // no message id
		"t2.instance.z.whatever":   `{}`,
		"t2.something.else":        `{}`,
		"t2.instance.z.snapshot":   `{"rooms":{"one":[]}}`,
		"t2.sockets.close.please":  `{}`,
		"t2.room.3.member-removed": `{"from":"z"}`,                                                  // no user id
		"t2.sockets.listed":        `{"from":"z","user_id":8}`,                                      // no room
		"t2.sockets.unlisted":      `{"from":"z","room":{"id":4,"name":"hiring","kind":"private"}}`, // no user
		"t2.sockets.listed.x":      `{"from":"z","user_id":8,"room":{"id":4,"name":"hiring","kind":"secret"}}`,
	} {
		if err := raw.Publish(subject, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	sender := connect(t, ns.ClientURL(), "t2")
	if err := sender.Send(chat.Event{From: "good", Body: chat.Heartbeat{}}); err != nil {
		t.Fatal(err)
	}
	got.waitFor(t, "the good heartbeat", func() bool { return len(got.events) > 0 && got.events[len(got.events)-1].From == "good" })
	if len(got.events) != 1 {
		t.Errorf("got %d events, want only the good heartbeat: %+v", len(got.events), got.events)
	}
}

// TestWireFormatIsTheEarlierVersions: each type of event goes out on the
// subject and as the JSON that the version before the codec registry
// sent and understood, so that both versions share live changes during a
// rolling deploy.
func TestWireFormatIsTheEarlierVersions(t *testing.T) {
	ns := startServer(t)
	sender := connect(t, ns.ClientURL(), "t8")
	raw := connectRaw(t, ns.ClientURL())
	var mu sync.Mutex
	var got []string
	if _, err := raw.Subscribe("t8.>", func(m *nats.Msg) {
		mu.Lock()
		got = append(got, m.Subject+" "+string(m.Data))
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	if err := raw.Flush(); err != nil {
		t.Fatal(err)
	}
	alice := parley.User{ID: 7, DisplayName: "Alice", Provider: "github", AvatarURL: "https://example.com/a.png", Admin: true}
	at := time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC)
	for _, e := range []chat.Event{
		{From: "aaaa", Body: parley.MessagePosted{Message: parley.Message{ID: 41, RoomID: 3, UserID: 7, AuthorName: "Alice", Text: "hi", CreatedAt: at}}},
		{From: "aaaa", Body: parley.PersonArrived{RoomID: 3, User: alice}},
		{From: "aaaa", Body: parley.PersonLeft{RoomID: 3, User: parley.User{ID: 8, DisplayName: "bob"}}},
		{From: "aaaa", Body: parley.MessageDeleted{RoomID: 3, MessageID: 41}},
		{From: "aaaa", Body: chat.Snapshot{Rooms: map[int64][]parley.User{1: {{ID: 8, DisplayName: "bob"}}}}},
		{From: "aaaa", Body: chat.Heartbeat{}},
		{From: "aaaa", Body: chat.Goodbye{}},
		{From: "aaaa", Body: chat.CloseSockets{SessionKey: "deadbeef"}},
		{From: "aaaa", Body: chat.CloseSockets{UserID: 8}},
	} {
		if err := sender.Send(e); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		`t8.room.3.msg {"from":"aaaa","message":{"id":41,"room_id":3,"user_id":7,"author_name":"Alice","text":"hi","created_at":"2026-12-02T10:30:00Z"}}`,
		`t8.room.3.join {"from":"aaaa","user":{"id":7,"name":"Alice","provider":"github","avatar":"https://example.com/a.png","admin":true}}`,
		`t8.room.3.leave {"from":"aaaa","user":{"id":8,"name":"bob"}}`,
		`t8.room.3.remove {"from":"aaaa","message_id":41}`,
		`t8.instance.aaaa.snapshot {"from":"aaaa","rooms":{"1":[{"id":8,"name":"bob"}]}}`,
		`t8.instance.aaaa.heartbeat {"from":"aaaa"}`,
		`t8.instance.aaaa.goodbye {"from":"aaaa"}`,
		`t8.sockets.close {"from":"aaaa","session":"deadbeef"}`,
		`t8.sockets.close {"from":"aaaa","user_id":8}`,
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("on the wire:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// lockedBuffer is a log that the test reads while the bus writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestUnknownTypeIsLoggedOnceAndTheRestArrives: during a rolling deploy a
// newer instance sends types of message this version does not know. Each
// is logged once, whatever its room and however often it comes, and what
// this version knows still arrives.
func TestUnknownTypeIsLoggedOnceAndTheRestArrives(t *testing.T) {
	ns := startServer(t)
	var logs lockedBuffer
	receiver, err := natsbus.Connect(natsbus.Options{URL: ns.ClientURL(), Prefix: "t7", ReconnectWait: 50 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(receiver.Close)
	got := newRecorder()
	if err := receiver.Listen(got); err != nil {
		t.Fatal(err)
	}
	raw := connectRaw(t, ns.ClientURL())
	for _, subject := range []string{"t7.room.3.pin", "t7.room.4.pin", "t7.instance.z.wave", "t7.room.3.pin", "t7.instance.z.wave"} {
		if err := raw.Publish(subject, []byte(`{"from":"z","message_id":41}`)); err != nil {
			t.Fatal(err)
		}
	}
	if err := raw.Flush(); err != nil {
		t.Fatal(err)
	}
	sender := connect(t, ns.ClientURL(), "t7")
	known := chat.Event{From: "z", Body: parley.MessagePosted{Message: parley.Message{ID: 42, RoomID: 3, UserID: 7,
		AuthorName: "Alice", Text: "still here", CreatedAt: time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC)}}}
	if err := sender.Send(known); err != nil {
		t.Fatal(err)
	}
	got.waitFor(t, "the known message", func() bool { return len(got.events) > 0 })
	if len(got.events) != 1 || !reflect.DeepEqual(got.events[0], known) {
		t.Errorf("got %+v, want only the known message %+v", got.events, known)
	}
	for _, key := range []string{"type=room.pin", "type=instance.wave"} {
		if n := strings.Count(logs.String(), key); n != 1 {
			t.Errorf("%q logged %d times, want once:\n%s", key, n, logs.String())
		}
	}
}

func TestAnotherPrefixIsAnotherParley(t *testing.T) {
	ns := startServer(t)
	mine, other := connect(t, ns.ClientURL(), "mine"), connect(t, ns.ClientURL(), "other")
	got := newRecorder()
	if err := mine.Listen(got); err != nil {
		t.Fatal(err)
	}
	if err := other.Send(chat.Event{From: "stranger", Body: chat.Heartbeat{}}); err != nil {
		t.Fatal(err)
	}
	sameParley := connect(t, ns.ClientURL(), "mine")
	if err := sameParley.Send(chat.Event{From: "friend", Body: chat.Heartbeat{}}); err != nil {
		t.Fatal(err)
	}
	got.waitFor(t, "the friend's heartbeat", func() bool { return len(got.events) > 0 })
	if len(got.events) != 1 || got.events[0].From != "friend" {
		t.Errorf("got %+v, want only the heartbeat sent under the same prefix", got.events)
	}
}

func TestConnectFailsWithoutServer(t *testing.T) {
	ns := startServer(t)
	url := ns.ClientURL()
	ns.Shutdown()
	ns.WaitForShutdown()
	if b, err := natsbus.Connect(natsbus.Options{URL: url}); err == nil {
		b.Close()
		t.Fatalf("Connect with no server succeeded")
	}
}

func TestLostServerIsReportedAndSoIsItsReturn(t *testing.T) {
	ns := startServer(t)
	port := ns.Addr().(*net.TCPAddr).Port
	b := connect(t, ns.ClientURL(), "t3")
	got := newRecorder()
	if err := b.Listen(got); err != nil {
		t.Fatal(err)
	}
	ns.Shutdown()
	ns.WaitForShutdown()
	got.waitFor(t, "link down", func() bool { return got.downs == 1 })

	again, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	go again.Start()
	t.Cleanup(again.Shutdown)
	got.waitFor(t, "link up", func() bool { return got.ups == 1 })

	// The subscription came back with the connection.
	sender := connect(t, again.ClientURL(), "t3")
	if err := sender.Send(chat.Event{From: "back", Body: chat.Heartbeat{}}); err != nil {
		t.Fatal(err)
	}
	got.waitFor(t, "an event after the return", func() bool { return len(got.events) == 1 })
}
