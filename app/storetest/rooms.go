package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

var roomTests = []test{
	{"GeneralExistsInFreshDatabase", testGeneralExists},
	{"CreateRoom", testCreateRoom},
	{"CreateRoomNameTaken", testCreateRoomNameTaken},
	{"CreateRoomUnknownCreator", testCreateRoomUnknownCreator},
	{"CreateRoomConcurrentlyOnTwoStores", testCreateRoomConcurrently},
	{"RoomByNameIsExact", testRoomByName},
	{"RoomsSortedByName", testRoomsSortedByName},
	{"RoomsSeenByAnotherStore", testRoomsSeenByAnotherStore},
}

// generalID is general's ID in every database: the messages stored before
// rooms existed were moved there by ID.
const generalID int64 = 1

func testGeneralExists(t *testing.T, b Backend) {
	s := b.open(t)
	r := general(t, s)
	want := parley.Room{ID: generalID, Name: "general", CreatedAt: r.CreatedAt}
	assertRooms(t, []parley.Room{r}, []parley.Room{want})
	assertRecentUTC(t, "general CreatedAt", r.CreatedAt)
	rooms, err := s.Rooms(t.Context())
	if err != nil {
		t.Fatalf("Rooms: %v", err)
	}
	assertRooms(t, rooms, []parley.Room{r})
}

func testCreateRoom(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	before := time.Now().Add(-time.Second)
	r := createRoom(t, s, "go-nuts", alice.ID)
	if r.ID == 0 || r.ID == generalID {
		t.Errorf("ID = %d, want a new ID, neither 0 nor general's", r.ID)
	}
	assertRooms(t, []parley.Room{r}, []parley.Room{{ID: r.ID, Name: "go-nuts", CreatedBy: alice.ID, CreatedAt: r.CreatedAt}})
	assertRecentUTC(t, "CreatedAt", r.CreatedAt)
	if r.CreatedAt.Before(before) {
		t.Errorf("CreatedAt = %v, before the call", r.CreatedAt)
	}
	got, err := s.RoomByName(t.Context(), "go-nuts")
	if err != nil {
		t.Fatalf("RoomByName(%q): %v", "go-nuts", err)
	}
	assertRooms(t, []parley.Room{got}, []parley.Room{r})
	if other := createRoom(t, s, "random", alice.ID); other.ID == r.ID {
		t.Errorf("second room ID = %d, the same as the first's", other.ID)
	}
	// A room without a creator, as general is.
	noone := createRoom(t, s, "lobby", 0)
	if got, err := s.RoomByName(t.Context(), "lobby"); err != nil || got.CreatedBy != 0 {
		t.Errorf("RoomByName(lobby) = %+v, %v; want CreatedBy 0", got, err)
	} else {
		assertRooms(t, []parley.Room{got}, []parley.Room{noone})
	}
}

func testCreateRoomNameTaken(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	createRoom(t, s, "go-nuts", alice.ID)
	want, err := s.Rooms(t.Context())
	if err != nil {
		t.Fatalf("Rooms: %v", err)
	}
	for _, name := range []string{"go-nuts", "general"} {
		r, err := s.CreateRoom(t.Context(), name, bob.ID)
		if !errors.Is(err, parley.ErrRoomNameTaken) {
			t.Errorf("CreateRoom(%q) taken: error = %v, want parley.ErrRoomNameTaken", name, err)
		}
		b.assertPrefix(t, "CreateRoom(taken)", err)
		if r != (parley.Room{}) {
			t.Errorf("CreateRoom(%q) taken returned %+v, want the zero Room", name, r)
		}
	}
	got, err := s.Rooms(t.Context())
	if err != nil {
		t.Fatalf("Rooms: %v", err)
	}
	assertRooms(t, got, want) // nothing stored, the first creator kept
}

func testCreateRoomUnknownCreator(t *testing.T, b Backend) {
	s := b.open(t)
	r, err := s.CreateRoom(t.Context(), "orphans", 999)
	b.assertNotFound(t, "CreateRoom(unknown creator)", err)
	if errors.Is(err, parley.ErrRoomNameTaken) {
		t.Errorf("CreateRoom(unknown creator) error = %v, want no ErrRoomNameTaken", err)
	}
	if r != (parley.Room{}) {
		t.Errorf("CreateRoom(unknown creator) returned %+v, want the zero Room", r)
	}
	_, err = s.RoomByName(t.Context(), "orphans")
	b.assertNotFound(t, "RoomByName after a refused CreateRoom", err)
	rooms, err := s.Rooms(t.Context())
	if err != nil {
		t.Fatalf("Rooms: %v", err)
	}
	if got, want := roomNames(rooms), []string{"general"}; !slices.Equal(got, want) {
		t.Errorf("Rooms = %q, want %q", got, want)
	}
}

// testCreateRoomConcurrently creates one room name at once on two stores:
// one creation wins, every other is ErrRoomNameTaken.
func testCreateRoomConcurrently(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	stores := []parley.Store{open(t), open(t)}
	alice := createUser(t, stores[0], "alice")
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = stores[i%2].CreateRoom(t.Context(), "race", alice.ID) })
	}
	wg.Wait()
	created := 0
	for i, err := range errs {
		switch {
		case err == nil:
			created++
		case !errors.Is(err, parley.ErrRoomNameTaken):
			t.Errorf("CreateRoom %d: error = %v, want nil or parley.ErrRoomNameTaken", i, err)
		}
	}
	if created != 1 {
		t.Errorf("%d of %d concurrent CreateRoom calls succeeded, want 1", created, n)
	}
}

func testRoomByName(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	goNuts := createRoom(t, s, "go-nuts", alice.ID)
	plans := createRoom(t, s, "2024-plans", alice.ID)
	for _, tt := range []struct {
		name string
		want int64
	}{{"general", generalID}, {"go-nuts", goNuts.ID}, {"2024-plans", plans.ID}} {
		r, err := s.RoomByName(t.Context(), tt.name)
		if err != nil {
			t.Errorf("RoomByName(%q): %v", tt.name, err)
			continue
		}
		if r.ID != tt.want || r.Name != tt.name {
			t.Errorf("RoomByName(%q) = room %d %q, want room %d %q", tt.name, r.ID, r.Name, tt.want, tt.name)
		}
	}
	// Names are exact: no other letter case, no spaces, no prefixes.
	for _, name := range []string{"General", "GENERAL", "Go-Nuts", " general", "general ", "go", "go-nuts-2", "go%", "", "random"} {
		r, err := s.RoomByName(t.Context(), name)
		b.assertNotFound(t, "RoomByName("+name+")", err)
		if r != (parley.Room{}) {
			t.Errorf("RoomByName(%q) = %+v, want the zero Room", name, r)
		}
	}
}

func testRoomsSortedByName(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	byName := map[string]parley.Room{"general": general(t, s)}
	for i, name := range []string{"zeta", "go1", "alpha", "go-nuts", "0day", "goa", "m", "gob", "go-a"} {
		creator := []parley.User{alice, bob}[i%2]
		byName[name] = createRoom(t, s, name, creator.ID)
	}
	rooms, err := s.Rooms(t.Context())
	if err != nil {
		t.Fatalf("Rooms: %v", err)
	}
	// Byte order, whatever the database's locale: '-' < digits < letters.
	wantNames := []string{"0day", "alpha", "general", "go-a", "go-nuts", "go1", "goa", "gob", "m", "zeta"}
	if got := roomNames(rooms); !slices.Equal(got, wantNames) {
		t.Fatalf("Rooms names = %q, want %q", got, wantNames)
	}
	var want []parley.Room
	for _, name := range wantNames {
		want = append(want, byName[name])
	}
	assertRooms(t, rooms, want)
}

func testRoomsSeenByAnotherStore(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	a, other := open(t), open(t)
	alice := createUser(t, a, "alice")
	r := createRoom(t, a, "random", alice.ID)
	got, err := other.RoomByName(t.Context(), "random")
	if err != nil {
		t.Fatalf("RoomByName on another store: %v", err)
	}
	assertRooms(t, []parley.Room{got}, []parley.Room{r})
	rooms, err := other.Rooms(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := roomNames(rooms), []string{"general", "random"}; !slices.Equal(got, want) {
		t.Errorf("Rooms on another store = %q, want %q", got, want)
	}
	_, err = other.CreateRoom(t.Context(), "random", alice.ID)
	if !errors.Is(err, parley.ErrRoomNameTaken) {
		t.Errorf("CreateRoom on another store: error = %v, want parley.ErrRoomNameTaken", err)
	}
}
