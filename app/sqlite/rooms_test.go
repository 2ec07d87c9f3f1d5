package sqlite_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

func TestGeneralExistsInFreshDatabase(t *testing.T) {
	s := openStore(t)
	r, err := s.RoomByName(t.Context(), parley.DefaultRoom)
	if err != nil {
		t.Fatalf("RoomByName(%q): %v", parley.DefaultRoom, err)
	}
	if got, want := r.ID, general; got != want {
		t.Errorf("general ID = %d, want %d", got, want)
	}
	if got, want := r.Name, "general"; got != want {
		t.Errorf("general Name = %q, want %q", got, want)
	}
	if got, want := r.CreatedBy, int64(0); got != want {
		t.Errorf("general CreatedBy = %d, want %d", got, want)
	}
	if r.CreatedAt.Location() != time.UTC || time.Since(r.CreatedAt) > time.Minute {
		t.Errorf("general CreatedAt = %v, want a recent UTC time", r.CreatedAt)
	}

	rooms, err := s.Rooms(t.Context())
	if err != nil {
		t.Fatalf("Rooms: %v", err)
	}
	assertRooms(t, rooms, []parley.Room{r})
}

func TestCreateRoom(t *testing.T) {
	s := openStore(t)
	alice := createUser(t, s, "alice")
	before := time.Now().Add(-time.Second)
	r := createRoom(t, s, "go-nuts", alice.ID)
	if r.ID == 0 || r.ID == general {
		t.Errorf("ID = %d, want a new ID, neither 0 nor general's", r.ID)
	}
	if got, want := r.Name, "go-nuts"; got != want {
		t.Errorf("Name = %q, want %q", got, want)
	}
	if got, want := r.CreatedBy, alice.ID; got != want {
		t.Errorf("CreatedBy = %d, want %d", got, want)
	}
	if r.CreatedAt.Location() != time.UTC || r.CreatedAt.Before(before) || time.Since(r.CreatedAt) > time.Minute {
		t.Errorf("CreatedAt = %v, want a recent UTC time", r.CreatedAt)
	}

	got, err := s.RoomByName(t.Context(), "go-nuts")
	if err != nil {
		t.Fatalf("RoomByName(%q): %v", "go-nuts", err)
	}
	assertRooms(t, []parley.Room{got}, []parley.Room{r})

	other := createRoom(t, s, "random", alice.ID)
	if other.ID == r.ID {
		t.Errorf("second room ID = %d, the same as the first's", other.ID)
	}
}

func TestCreateRoomNameTaken(t *testing.T) {
	s := openStore(t)
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
		if err != nil && !strings.HasPrefix(err.Error(), "sqlite: ") {
			t.Errorf("CreateRoom(%q) error %q does not start with the package name", name, err)
		}
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

func TestCreateRoomUnknownCreator(t *testing.T) {
	s := openStore(t)
	r, err := s.CreateRoom(t.Context(), "orphans", 999)
	assertNotFound(t, "CreateRoom(unknown creator)", err)
	if errors.Is(err, parley.ErrRoomNameTaken) {
		t.Errorf("CreateRoom(unknown creator) error = %v, want no ErrRoomNameTaken", err)
	}
	if r != (parley.Room{}) {
		t.Errorf("CreateRoom(unknown creator) returned %+v, want the zero Room", r)
	}
	_, err = s.RoomByName(t.Context(), "orphans")
	assertNotFound(t, "RoomByName after a refused CreateRoom", err)
	rooms, err := s.Rooms(t.Context())
	if err != nil {
		t.Fatalf("Rooms: %v", err)
	}
	if got, want := roomNames(rooms), []string{"general"}; !slices.Equal(got, want) {
		t.Errorf("Rooms = %q, want %q", got, want)
	}
}

func TestRoomByName(t *testing.T) {
	s := openStore(t)
	alice := createUser(t, s, "alice")
	goNuts := createRoom(t, s, "go-nuts", alice.ID)
	plans := createRoom(t, s, "2024-plans", alice.ID)

	found := []struct {
		name string
		want int64
	}{
		{"general", general},
		{"go-nuts", goNuts.ID},
		{"2024-plans", plans.ID},
	}
	for _, tt := range found {
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
	for _, name := range []string{"General", "GENERAL", "Go-Nuts", " general", "general ", "go", "go-nuts-2", "", "random"} {
		_, err := s.RoomByName(t.Context(), name)
		assertNotFound(t, "RoomByName("+name+")", err)
	}
}

func TestRoomsSortedByName(t *testing.T) {
	s := openStore(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	byName := map[string]parley.Room{}
	for i, name := range []string{"zeta", "go1", "alpha", "go-nuts", "0day", "goa", "m"} {
		creator := []parley.User{alice, bob}[i%2]
		byName[name] = createRoom(t, s, name, creator.ID)
	}
	r, err := s.RoomByName(t.Context(), "general")
	if err != nil {
		t.Fatal(err)
	}
	byName["general"] = r

	rooms, err := s.Rooms(t.Context())
	if err != nil {
		t.Fatalf("Rooms: %v", err)
	}
	// Byte order: '-' < digits < letters.
	wantNames := []string{"0day", "alpha", "general", "go-nuts", "go1", "goa", "m", "zeta"}
	if got := roomNames(rooms); !slices.Equal(got, wantNames) {
		t.Fatalf("Rooms names = %q, want %q", got, wantNames)
	}
	var want []parley.Room
	for _, name := range wantNames {
		want = append(want, byName[name])
	}
	assertRooms(t, rooms, want)
}

func TestRoomsSeenByAnotherStore(t *testing.T) {
	path := dbPath(t)
	a, b := openAt(t, path), openAt(t, path)
	alice := createUser(t, a, "alice")
	r := createRoom(t, a, "random", alice.ID)
	got, err := b.RoomByName(t.Context(), "random")
	if err != nil {
		t.Fatalf("RoomByName on another store: %v", err)
	}
	assertRooms(t, []parley.Room{got}, []parley.Room{r})
	_, err = b.CreateRoom(t.Context(), "random", alice.ID)
	if !errors.Is(err, parley.ErrRoomNameTaken) {
		t.Errorf("CreateRoom on another store: error = %v, want parley.ErrRoomNameTaken", err)
	}
}

// assertRooms compares rooms field by field, times included.
func assertRooms(t *testing.T, got, want []parley.Room) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rooms %q, want %d %q", len(got), roomNames(got), len(want), roomNames(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.CreatedAt.Equal(w.CreatedAt) || g.CreatedAt.Location() != time.UTC {
			t.Errorf("room %d CreatedAt = %v, want %v in UTC", i, g.CreatedAt, w.CreatedAt)
		}
		g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
		if g != w {
			t.Errorf("room %d = %+v, want %+v", i, g, w)
		}
	}
}

// roomNames lists the rooms' names in their order.
func roomNames(rooms []parley.Room) []string {
	names := make([]string, 0, len(rooms))
	for _, r := range rooms {
		names = append(names, r.Name)
	}
	return names
}
