package storetest

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
)

var membershipTests = []test{
	{"CreateRoomOfKind", testCreateRoomOfKind},
	{"CreateRoomOfKindRefusesDirect", testCreateRoomOfKindRefusesDirect},
	{"CreateRoomOfKindNameTakenByEveryKind", testCreateRoomOfKindNameTaken},
	{"CreateRoomOfKindUnknownCreator", testCreateRoomOfKindUnknownCreator},
	{"RoomByID", testRoomByID},
	{"RoomsCarryTheirKind", testRoomsCarryTheirKind},
	{"NewAccountsJoinGeneral", testNewAccountsJoinGeneral},
	{"JoinRoomIsIdempotent", testJoinRoomIdempotent},
	{"JoinRoomUnknownRoomOrUser", testJoinRoomUnknown},
	{"LeaveRoom", testLeaveRoom},
	{"IsMemberOfUnknownIsFalse", testIsMemberUnknown},
	{"MembersSortedByDisplayName", testMembersSorted},
	{"MembersOfUnknownOrEmptyRoom", testMembersUnknownOrEmpty},
	{"MemberCounts", testMemberCounts},
	{"RoomsOf", testRoomsOf},
	{"RoomsOfUnknownUser", testRoomsOfUnknownUser},
	{"DirectRoomFoundAgain", testDirectRoomFoundAgain},
	{"DirectRoomBadSets", testDirectRoomBadSets},
	{"DirectRoomUnknownUser", testDirectRoomUnknownUser},
	{"DirectRoomPeopleAreFixed", testDirectRoomFixed},
	{"DirectRoomConcurrentlyOnTwoStores", testDirectRoomConcurrently},
	{"MembershipSeenByAnotherStore", testMembershipSeenByAnotherStore},
}

// createRoomOfKind creates a room of a kind and fails the test when that
// fails.
func createRoomOfKind(t *testing.T, s parley.Store, name string, kind parley.RoomKind, createdBy int64) parley.Room {
	t.Helper()
	r, err := s.CreateRoomOfKind(t.Context(), name, kind, createdBy)
	if err != nil {
		t.Fatalf("CreateRoomOfKind(%q, %v, %d): %v", name, kind, createdBy, err)
	}
	return r
}

// directRoom finds or creates a direct room and fails the test on error.
func directRoom(t *testing.T, s parley.Store, userIDs ...int64) parley.Room {
	t.Helper()
	r, _, err := s.DirectRoom(t.Context(), userIDs)
	if err != nil {
		t.Fatalf("DirectRoom(%v): %v", userIDs, err)
	}
	return r
}

// join makes a user a member and fails the test on error.
func join(t *testing.T, s parley.Store, roomID, userID int64) {
	t.Helper()
	if err := s.JoinRoom(t.Context(), roomID, userID); err != nil {
		t.Fatalf("JoinRoom(room %d, user %d): %v", roomID, userID, err)
	}
}

// assertMember fails unless IsMember answers want.
func assertMember(t *testing.T, s parley.Store, roomID, userID int64, want bool) {
	t.Helper()
	got, err := s.IsMember(t.Context(), roomID, userID)
	if err != nil {
		t.Fatalf("IsMember(room %d, user %d): %v", roomID, userID, err)
	}
	if got != want {
		t.Errorf("IsMember(room %d, user %d) = %v, want %v", roomID, userID, got, want)
	}
}

// memberNames returns the display names of a room's members, in the
// store's order, and fails the test on error.
func memberNames(t *testing.T, s parley.Store, roomID int64) []string {
	t.Helper()
	users, err := s.Members(t.Context(), roomID)
	if err != nil {
		t.Fatalf("Members(room %d): %v", roomID, err)
	}
	names := make([]string, 0, len(users))
	for _, u := range users {
		names = append(names, u.DisplayName)
	}
	return names
}

// memberCount returns MemberCount and fails the test on error.
func memberCount(t *testing.T, s parley.Store, roomID int64) int {
	t.Helper()
	n, err := s.MemberCount(t.Context(), roomID)
	if err != nil {
		t.Fatalf("MemberCount(room %d): %v", roomID, err)
	}
	return n
}

// roomsOf returns the names of a user's rooms and fails the test on error.
func roomsOf(t *testing.T, s parley.Store, userID int64) []string {
	t.Helper()
	rooms, err := s.RoomsOf(t.Context(), userID)
	if err != nil {
		t.Fatalf("RoomsOf(user %d): %v", userID, err)
	}
	return roomNames(rooms)
}

func testCreateRoomOfKind(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	before := time.Now().Add(-time.Second)
	for _, kind := range []parley.RoomKind{parley.RoomPublic, parley.RoomPrivate} {
		name := "room-" + kind.String()
		r := createRoomOfKind(t, s, name, kind, alice.ID)
		if r.ID == 0 || r.ID == generalID {
			t.Errorf("%v room ID = %d, want a new ID", kind, r.ID)
		}
		assertRooms(t, []parley.Room{r}, []parley.Room{{ID: r.ID, Name: name, CreatedBy: alice.ID, Kind: kind, CreatedAt: r.CreatedAt}})
		assertRecentUTC(t, "CreatedAt", r.CreatedAt)
		if r.CreatedAt.Before(before) {
			t.Errorf("CreatedAt = %v, before the call", r.CreatedAt)
		}
		got, err := s.RoomByName(t.Context(), name)
		if err != nil {
			t.Fatalf("RoomByName(%q): %v", name, err)
		}
		assertRooms(t, []parley.Room{got}, []parley.Room{r})
		// The creator is the first and only member.
		assertMember(t, s, r.ID, alice.ID, true)
		if got := memberNames(t, s, r.ID); !slices.Equal(got, []string{"alice"}) {
			t.Errorf("%v room members = %q, want the creator alone", kind, got)
		}
	}
	// CreateRoom is a public room, its creator a member too.
	r := createRoom(t, s, "plain", alice.ID)
	if r.Kind != parley.RoomPublic {
		t.Errorf("CreateRoom kind = %v, want public", r.Kind)
	}
	assertMember(t, s, r.ID, alice.ID, true)
	// A room without a creator has no members.
	lobby := createRoomOfKind(t, s, "lobby", parley.RoomPrivate, 0)
	if lobby.CreatedBy != 0 || memberCount(t, s, lobby.ID) != 0 {
		t.Errorf("room without a creator: CreatedBy %d, %d members; want 0 and none", lobby.CreatedBy, memberCount(t, s, lobby.ID))
	}
}

func testCreateRoomOfKindRefusesDirect(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	for _, kind := range []parley.RoomKind{parley.RoomDirect, parley.RoomKind(9)} {
		r, err := s.CreateRoomOfKind(t.Context(), "sneaky", kind, alice.ID)
		if !errors.Is(err, parley.ErrDirectRoomFixed) {
			t.Errorf("CreateRoomOfKind(%v): error = %v, want parley.ErrDirectRoomFixed", kind, err)
		}
		b.assertPrefix(t, "CreateRoomOfKind(direct)", err)
		if r != (parley.Room{}) {
			t.Errorf("CreateRoomOfKind(%v) returned %+v, want the zero Room", kind, r)
		}
	}
	_, err := s.RoomByName(t.Context(), "sneaky")
	b.assertNotFound(t, "RoomByName after a refused CreateRoomOfKind", err)
}

func testCreateRoomOfKindNameTaken(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	createRoomOfKind(t, s, "hiring", parley.RoomPrivate, alice.ID)
	dm := directRoom(t, s, alice.ID, bob.ID)
	want, err := s.Rooms(t.Context())
	if err != nil {
		t.Fatalf("Rooms: %v", err)
	}
	for _, name := range []string{"hiring", "general", dm.Name} {
		for _, kind := range []parley.RoomKind{parley.RoomPublic, parley.RoomPrivate} {
			r, err := s.CreateRoomOfKind(t.Context(), name, kind, bob.ID)
			if !errors.Is(err, parley.ErrRoomNameTaken) {
				t.Errorf("CreateRoomOfKind(%q, %v) taken: error = %v, want parley.ErrRoomNameTaken", name, kind, err)
			}
			b.assertPrefix(t, "CreateRoomOfKind(taken)", err)
			if r != (parley.Room{}) {
				t.Errorf("CreateRoomOfKind(%q) taken returned %+v, want the zero Room", name, r)
			}
		}
	}
	got, err := s.Rooms(t.Context())
	if err != nil {
		t.Fatalf("Rooms: %v", err)
	}
	assertRooms(t, got, want)
	if got := roomsOf(t, s, bob.ID); !slices.Equal(got, []string{dm.Name, "general"}) {
		t.Errorf("RoomsOf(bob) after refused creations = %q, want his direct room and general", got)
	}
}

func testCreateRoomOfKindUnknownCreator(t *testing.T, b Backend) {
	s := b.open(t)
	for _, kind := range []parley.RoomKind{parley.RoomPublic, parley.RoomPrivate} {
		r, err := s.CreateRoomOfKind(t.Context(), "orphans", kind, 999)
		b.assertNotFound(t, "CreateRoomOfKind(unknown creator)", err)
		if r != (parley.Room{}) {
			t.Errorf("CreateRoomOfKind(unknown creator) returned %+v, want the zero Room", r)
		}
	}
	_, err := s.RoomByName(t.Context(), "orphans")
	b.assertNotFound(t, "RoomByName after a refused CreateRoomOfKind", err)
	counts, err := s.MemberCounts(t.Context())
	if err != nil {
		t.Fatalf("MemberCounts: %v", err)
	}
	if len(counts) != 0 {
		t.Errorf("MemberCounts after refused creations = %v, want none", counts)
	}
}

func testRoomByID(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	for _, want := range []parley.Room{
		general(t, s),
		createRoomOfKind(t, s, "hiring", parley.RoomPrivate, alice.ID),
		createRoom(t, s, "random", alice.ID),
		directRoom(t, s, alice.ID, bob.ID),
	} {
		got, err := s.RoomByID(t.Context(), want.ID)
		if err != nil {
			t.Errorf("RoomByID(%d): %v", want.ID, err)
			continue
		}
		assertRooms(t, []parley.Room{got}, []parley.Room{want})
	}
	for _, id := range []int64{0, -1, 999} {
		r, err := s.RoomByID(t.Context(), id)
		b.assertNotFound(t, "RoomByID(unknown)", err)
		if r != (parley.Room{}) {
			t.Errorf("RoomByID(%d) = %+v, want the zero Room", id, r)
		}
	}
}

func testRoomsCarryTheirKind(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	want := []parley.Room{
		createRoomOfKind(t, s, "a-private", parley.RoomPrivate, alice.ID),
		createRoom(t, s, "b-public", alice.ID),
	}
	dm := directRoom(t, s, alice.ID, bob.ID)
	want = append(want, directRoom(t, s, alice.ID, bob.ID), general(t, s))
	slices.SortFunc(want, func(x, y parley.Room) int { return strings.Compare(x.Name, y.Name) })
	rooms, err := s.Rooms(t.Context())
	if err != nil {
		t.Fatalf("Rooms: %v", err)
	}
	assertRooms(t, rooms, want) // every kind, by name
	if dm.Kind != parley.RoomDirect || general(t, s).Kind != parley.RoomPublic {
		t.Errorf("kinds: direct room %v, general %v; want direct and public", dm.Kind, general(t, s).Kind)
	}
}

func testNewAccountsJoinGeneral(t *testing.T, b Backend) {
	s := b.open(t)
	gen := general(t, s)
	alice := createUser(t, s, "alice")
	octo := upsertIdentity(t, s, parley.Identity{Provider: "github", ProviderUserID: "1", DisplayName: "Octocat"})
	for _, u := range []parley.User{alice, octo} {
		assertMember(t, s, gen.ID, u.ID, true)
		if got := roomsOf(t, s, u.ID); !slices.Equal(got, []string{"general"}) {
			t.Errorf("RoomsOf(%s) = %q, want general", u.DisplayName, got)
		}
	}
	// Signing in again keeps the one membership.
	if again := upsertIdentity(t, s, parley.Identity{Provider: "github", ProviderUserID: "1", DisplayName: "Octo"}); again.ID != octo.ID {
		t.Fatalf("second UpsertIdentity ID = %d, want %d", again.ID, octo.ID)
	}
	if got := memberNames(t, s, gen.ID); !slices.Equal(got, []string{"alice", "Octo"}) {
		t.Errorf("general's members = %q, want alice and Octo", got)
	}
	// A refused account joins nothing.
	if _, err := s.CreateUser(t.Context(), "ALICE", []byte("hash")); !errors.Is(err, parley.ErrUsernameTaken) {
		t.Fatalf("CreateUser(taken): error = %v, want parley.ErrUsernameTaken", err)
	}
	if n := memberCount(t, s, gen.ID); n != 2 {
		t.Errorf("general's member count = %d, want 2", n)
	}
}

func testJoinRoomIdempotent(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	for _, r := range []parley.Room{
		createRoom(t, s, "random", alice.ID),
		createRoomOfKind(t, s, "hiring", parley.RoomPrivate, alice.ID),
	} {
		assertMember(t, s, r.ID, bob.ID, false)
		join(t, s, r.ID, bob.ID)
		join(t, s, r.ID, bob.ID)
		join(t, s, r.ID, alice.ID) // the creator again
		assertMember(t, s, r.ID, bob.ID, true)
		if n := memberCount(t, s, r.ID); n != 2 {
			t.Errorf("%s member count = %d, want 2", r.Name, n)
		}
	}
	join(t, s, generalID, alice.ID) // a member since her account was made
	if n := memberCount(t, s, generalID); n != 2 {
		t.Errorf("general member count = %d, want 2", n)
	}
}

func testJoinRoomUnknown(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	r := createRoom(t, s, "random", alice.ID)
	b.assertNotFound(t, "JoinRoom(unknown room)", s.JoinRoom(t.Context(), 999, alice.ID))
	b.assertNotFound(t, "JoinRoom(unknown user)", s.JoinRoom(t.Context(), r.ID, 999))
	if n := memberCount(t, s, r.ID); n != 1 {
		t.Errorf("member count after refused joins = %d, want 1", n)
	}
}

func testLeaveRoom(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	public := createRoom(t, s, "random", alice.ID)
	private := createRoomOfKind(t, s, "hiring", parley.RoomPrivate, alice.ID)
	join(t, s, public.ID, bob.ID)
	join(t, s, private.ID, bob.ID)
	if got, want := roomsOf(t, s, bob.ID), []string{"general", "hiring", "random"}; !slices.Equal(got, want) {
		t.Fatalf("RoomsOf(bob) = %q, want %q", got, want)
	}
	for _, r := range []parley.Room{public, private, general(t, s)} {
		if err := s.LeaveRoom(t.Context(), r.ID, bob.ID); err != nil {
			t.Errorf("LeaveRoom(%s, bob): %v", r.Name, err)
		}
		assertMember(t, s, r.ID, bob.ID, false)
		assertMember(t, s, r.ID, alice.ID, true) // the others stay
		err := s.LeaveRoom(t.Context(), r.ID, bob.ID)
		if !errors.Is(err, parley.ErrNoChange) {
			t.Errorf("LeaveRoom(%s) again: error = %v, want parley.ErrNoChange", r.Name, err)
		}
		b.assertPrefix(t, "LeaveRoom(again)", err)
	}
	if got := roomsOf(t, s, bob.ID); len(got) != 0 {
		t.Errorf("RoomsOf(bob) after leaving everything = %q, want none", got)
	}
	// Joining again after leaving works.
	join(t, s, public.ID, bob.ID)
	assertMember(t, s, public.ID, bob.ID, true)
	for _, tt := range []struct {
		what           string
		roomID, userID int64
	}{{"unknown room", 999, bob.ID}, {"unknown user", public.ID, 999}} {
		if err := s.LeaveRoom(t.Context(), tt.roomID, tt.userID); !errors.Is(err, parley.ErrNoChange) {
			t.Errorf("LeaveRoom(%s): error = %v, want parley.ErrNoChange", tt.what, err)
		}
	}
}

func testIsMemberUnknown(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	assertMember(t, s, 999, alice.ID, false)
	assertMember(t, s, generalID, 999, false)
	assertMember(t, s, 0, 0, false)
}

func testMembersSorted(t *testing.T, b Backend) {
	s := b.open(t)
	var users []parley.User
	for _, name := range []string{"carol", "Bob", "alice", "Dave", "bob2", "_zed"} {
		users = append(users, createUser(t, s, name))
	}
	users = append(users, upsertIdentity(t, s, parley.Identity{Provider: "github", ProviderUserID: "7", DisplayName: "Carla"}))
	r := createRoomOfKind(t, s, "hiring", parley.RoomPrivate, users[0].ID)
	for _, u := range users[1:] {
		join(t, s, r.ID, u.ID)
	}
	// Without regard to case, byte by byte otherwise ('_' sorts before
	// the lowercase letters, as the stores fold to lowercase).
	want := []string{"_zed", "alice", "Bob", "bob2", "Carla", "carol", "Dave"}
	if got := memberNames(t, s, r.ID); !slices.Equal(got, want) {
		t.Errorf("Members = %q, want %q", got, want)
	}
	members, err := s.Members(t.Context(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]parley.User{}
	for _, u := range users {
		byID[u.ID] = u
	}
	for _, m := range members {
		assertUser(t, "member "+m.DisplayName, m, byID[m.ID])
	}
	if n := memberCount(t, s, r.ID); n != len(want) {
		t.Errorf("MemberCount = %d, want %d", n, len(want))
	}
}

func testMembersUnknownOrEmpty(t *testing.T, b Backend) {
	s := b.open(t)
	_, err := s.Members(t.Context(), 999)
	b.assertNotFound(t, "Members(unknown room)", err)
	_, err = s.MemberCount(t.Context(), 999)
	b.assertNotFound(t, "MemberCount(unknown room)", err)
	lobby := createRoom(t, s, "lobby", 0)
	members, err := s.Members(t.Context(), lobby.ID)
	if err != nil || len(members) != 0 {
		t.Errorf("Members(empty room) = %v, %v; want none, no error", members, err)
	}
	if n := memberCount(t, s, lobby.ID); n != 0 {
		t.Errorf("MemberCount(empty room) = %d, want 0", n)
	}
	// general has no members before the first account.
	if got := memberNames(t, s, generalID); len(got) != 0 {
		t.Errorf("general's members in a fresh database = %q, want none", got)
	}
}

func testMemberCounts(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	carol := createUser(t, s, "carol")
	random := createRoom(t, s, "random", alice.ID)
	join(t, s, random.ID, bob.ID)
	hiring := createRoomOfKind(t, s, "hiring", parley.RoomPrivate, carol.ID)
	dm := directRoom(t, s, alice.ID, bob.ID, carol.ID)
	createRoom(t, s, "lobby", 0)
	counts, err := s.MemberCounts(t.Context())
	if err != nil {
		t.Fatalf("MemberCounts: %v", err)
	}
	want := map[int64]int{generalID: 3, random.ID: 2, hiring.ID: 1, dm.ID: 3}
	if len(counts) != len(want) {
		t.Errorf("MemberCounts = %v, want %v", counts, want)
	}
	for id, n := range want {
		if counts[id] != n {
			t.Errorf("MemberCounts[%d] = %d, want %d", id, counts[id], n)
		}
		if got := memberCount(t, s, id); got != n {
			t.Errorf("MemberCount(%d) = %d, want %d", id, got, n)
		}
	}
}

func testRoomsOf(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	carol := createUser(t, s, "carol")
	createRoom(t, s, "zeta", alice.ID)
	random := createRoom(t, s, "random", bob.ID)
	hiring := createRoomOfKind(t, s, "hiring", parley.RoomPrivate, alice.ID)
	createRoomOfKind(t, s, "secret", parley.RoomPrivate, bob.ID)
	ab := directRoom(t, s, alice.ID, bob.ID)
	bc := directRoom(t, s, bob.ID, carol.ID)
	join(t, s, random.ID, alice.ID)

	rooms, err := s.RoomsOf(t.Context(), alice.ID)
	if err != nil {
		t.Fatalf("RoomsOf(alice): %v", err)
	}
	want := []parley.Room{general(t, s), hiring, random, ab}
	zeta, err := s.RoomByName(t.Context(), "zeta")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, zeta)
	slices.SortFunc(want, func(x, y parley.Room) int { return strings.Compare(x.Name, y.Name) })
	assertRooms(t, rooms, want) // joined public, private and direct; by name; with their kinds
	if got := roomsOf(t, s, carol.ID); !slices.Equal(got, sortedNames(bc.Name, "general")) {
		t.Errorf("RoomsOf(carol) = %q, want her direct room and general", got)
	}
	if got := roomsOf(t, s, bob.ID); !slices.Equal(got, sortedNames(ab.Name, bc.Name, "general", "random", "secret")) {
		t.Errorf("RoomsOf(bob) = %q", got)
	}
}

// sortedNames returns the names sorted byte by byte.
func sortedNames(names ...string) []string {
	slices.Sort(names)
	return names
}

func testRoomsOfUnknownUser(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	rooms, err := s.RoomsOf(t.Context(), 999)
	b.assertNotFound(t, "RoomsOf(unknown user)", err)
	if len(rooms) != 0 {
		t.Errorf("RoomsOf(unknown user) = %q, want none", roomNames(rooms))
	}
	if err := s.LeaveRoom(t.Context(), generalID, alice.ID); err != nil {
		t.Fatal(err)
	}
	rooms, err = s.RoomsOf(t.Context(), alice.ID)
	if err != nil || len(rooms) != 0 {
		t.Errorf("RoomsOf(user in no room) = %q, %v; want none, no error", roomNames(rooms), err)
	}
}

func testDirectRoomFoundAgain(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "Bob")
	carol := createUser(t, s, "carol")
	before := time.Now().Add(-time.Second)
	ab, created, err := s.DirectRoom(t.Context(), []int64{alice.ID, bob.ID})
	if err != nil || !created {
		t.Fatalf("DirectRoom(alice, bob) the first time: created %v, %v; want it created", created, err)
	}
	if again, created, err := s.DirectRoom(t.Context(), []int64{bob.ID, alice.ID, bob.ID}); err != nil || created || again.ID != ab.ID {
		t.Errorf("DirectRoom(bob, alice, bob) = room %d, created %v, %v; want room %d found, not created", again.ID, created, err, ab.ID)
	}
	if ab.ID == 0 || ab.Kind != parley.RoomDirect || ab.CreatedBy != 0 {
		t.Errorf("DirectRoom = %+v, want a new direct room without a creator", ab)
	}
	if err := parley.ValidateRoomName(ab.Name); err != nil || !strings.HasPrefix(ab.Name, parley.DirectRoomPrefix) {
		t.Errorf("direct room name %q: %v; want a valid room name starting with %q", ab.Name, err, parley.DirectRoomPrefix)
	}
	assertRecentUTC(t, "CreatedAt", ab.CreatedAt)
	if ab.CreatedAt.Before(before) {
		t.Errorf("CreatedAt = %v, before the call", ab.CreatedAt)
	}
	for _, ids := range [][]int64{{alice.ID, bob.ID}, {bob.ID, alice.ID}, {bob.ID, alice.ID, bob.ID, alice.ID}} {
		assertRooms(t, []parley.Room{directRoom(t, s, ids...)}, []parley.Room{ab})
	}
	for _, find := range []func() (parley.Room, error){
		func() (parley.Room, error) { return s.RoomByName(t.Context(), ab.Name) },
		func() (parley.Room, error) { return s.RoomByID(t.Context(), ab.ID) },
	} {
		got, err := find()
		if err != nil {
			t.Fatalf("finding the direct room: %v", err)
		}
		assertRooms(t, []parley.Room{got}, []parley.Room{ab})
	}
	if got := memberNames(t, s, ab.ID); !slices.Equal(got, []string{"alice", "Bob"}) {
		t.Errorf("Members(direct) = %q, want alice and Bob", got)
	}
	// Another set of people is another conversation.
	abc := directRoom(t, s, carol.ID, alice.ID, bob.ID)
	if abc.ID == ab.ID || abc.Name == ab.Name {
		t.Errorf("DirectRoom(alice, bob, carol) = %+v, the same as alice and bob's", abc)
	}
	if got := memberNames(t, s, abc.ID); !slices.Equal(got, []string{"alice", "Bob", "carol"}) {
		t.Errorf("Members(three) = %q, want alice, Bob and carol", got)
	}
	ac := directRoom(t, s, alice.ID, carol.ID)
	if ac.ID == ab.ID || ac.ID == abc.ID {
		t.Errorf("DirectRoom(alice, carol) = room %d, one of the others", ac.ID)
	}
	assertRooms(t, []parley.Room{directRoom(t, s, alice.ID, carol.ID, bob.ID)}, []parley.Room{abc})
	// Eight people is the most.
	ids := []int64{alice.ID, bob.ID, carol.ID}
	for i := range 5 {
		ids = append(ids, createUser(t, s, "user"+string(rune('a'+i))).ID)
	}
	eight := directRoom(t, s, ids...)
	if n := memberCount(t, s, eight.ID); n != 8 {
		t.Errorf("members of the eight's room = %d, want 8", n)
	}
}

func testDirectRoomBadSets(t *testing.T, b Backend) {
	s := b.open(t)
	var ids []int64
	for i := range 9 {
		ids = append(ids, createUser(t, s, "user"+string(rune('a'+i))).ID)
	}
	for _, set := range [][]int64{nil, {}, {ids[0]}, {ids[0], ids[0], ids[0]}, ids, append(ids, ids[0])} {
		r, _, err := s.DirectRoom(t.Context(), set)
		if !errors.Is(err, parley.ErrDirectRoomSize) {
			t.Errorf("DirectRoom(%v): error = %v, want parley.ErrDirectRoomSize", set, err)
		}
		b.assertPrefix(t, "DirectRoom(bad set)", err)
		if r != (parley.Room{}) {
			t.Errorf("DirectRoom(%v) = %+v, want the zero Room", set, r)
		}
	}
	rooms, err := s.Rooms(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := roomNames(rooms); !slices.Equal(got, []string{"general"}) {
		t.Errorf("Rooms after refused direct rooms = %q, want general alone", got)
	}
}

func testDirectRoomUnknownUser(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	for _, set := range [][]int64{{alice.ID, 999}, {alice.ID, bob.ID, 999}, {998, 999}, {0, alice.ID}, {-1, alice.ID}} {
		r, _, err := s.DirectRoom(t.Context(), set)
		if err == nil {
			t.Errorf("DirectRoom(%v) = %+v, want an error", set, r)
		}
		b.assertPrefix(t, "DirectRoom(unknown user)", err)
		if set[0] > 0 {
			b.assertNotFound(t, "DirectRoom(unknown user)", err)
		}
	}
	rooms, err := s.Rooms(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := roomNames(rooms); !slices.Equal(got, []string{"general"}) {
		t.Errorf("Rooms after refused direct rooms = %q, want general alone", got)
	}
	if got := roomsOf(t, s, alice.ID); !slices.Equal(got, []string{"general"}) {
		t.Errorf("RoomsOf(alice) = %q, want general alone", got)
	}
	// The known people's conversation is still made on its own.
	directRoom(t, s, alice.ID, bob.ID)
}

func testDirectRoomFixed(t *testing.T, b Backend) {
	s := b.open(t)
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	carol := createUser(t, s, "carol")
	dm := directRoom(t, s, alice.ID, bob.ID)
	err := s.JoinRoom(t.Context(), dm.ID, carol.ID)
	if !errors.Is(err, parley.ErrDirectRoomFixed) {
		t.Errorf("JoinRoom(direct, outsider): error = %v, want parley.ErrDirectRoomFixed", err)
	}
	b.assertPrefix(t, "JoinRoom(direct)", err)
	join(t, s, dm.ID, alice.ID) // one of its people: nothing to do
	err = s.LeaveRoom(t.Context(), dm.ID, alice.ID)
	if !errors.Is(err, parley.ErrDirectRoomFixed) {
		t.Errorf("LeaveRoom(direct): error = %v, want parley.ErrDirectRoomFixed", err)
	}
	b.assertPrefix(t, "LeaveRoom(direct)", err)
	if err := s.LeaveRoom(t.Context(), dm.ID, carol.ID); !errors.Is(err, parley.ErrNoChange) {
		t.Errorf("LeaveRoom(direct, outsider): error = %v, want parley.ErrNoChange", err)
	}
	if got := memberNames(t, s, dm.ID); !slices.Equal(got, []string{"alice", "bob"}) {
		t.Errorf("Members(direct) = %q, want alice and bob still", got)
	}
	assertMember(t, s, dm.ID, carol.ID, false)
}

// testDirectRoomConcurrently asks for one conversation at once on two
// stores, in both orders of its people: every call returns the same one
// room.
func testDirectRoomConcurrently(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	stores := []parley.Store{open(t), open(t)}
	alice := createUser(t, stores[0], "alice")
	bob := createUser(t, stores[0], "bob")
	const n = 8
	rooms := make([]parley.Room, n)
	created := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		ids := []int64{alice.ID, bob.ID}
		if i%4 >= 2 {
			ids = []int64{bob.ID, alice.ID}
		}
		wg.Go(func() { rooms[i], created[i], errs[i] = stores[i%2].DirectRoom(t.Context(), ids) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("DirectRoom %d: %v", i, err)
		}
		assertRooms(t, []parley.Room{rooms[i]}, []parley.Room{rooms[0]})
	}
	if got := len(slices.DeleteFunc(slices.Clone(created), func(c bool) bool { return !c })); got != 1 {
		t.Errorf("%d of %d concurrent DirectRoom calls say they created the conversation, want exactly 1", got, n)
	}
	all, err := stores[1].Rooms(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := roomNames(all), sortedNames("general", rooms[0].Name); !slices.Equal(got, want) {
		t.Errorf("Rooms after concurrent DirectRoom calls = %q, want %q", got, want)
	}
	if got := memberNames(t, stores[1], rooms[0].ID); !slices.Equal(got, []string{"alice", "bob"}) {
		t.Errorf("Members = %q, want alice and bob once each", got)
	}
}

func testMembershipSeenByAnotherStore(t *testing.T, b Backend) {
	open := b.NewDatabase(t)
	a, other := open(t), open(t)
	alice := createUser(t, a, "alice")
	bob := createUser(t, a, "bob")
	hiring := createRoomOfKind(t, a, "hiring", parley.RoomPrivate, alice.ID)
	join(t, a, hiring.ID, bob.ID)
	dm := directRoom(t, a, alice.ID, bob.ID)
	assertMember(t, other, hiring.ID, bob.ID, true)
	assertRooms(t, []parley.Room{directRoom(t, other, bob.ID, alice.ID)}, []parley.Room{dm})
	if err := other.LeaveRoom(t.Context(), hiring.ID, bob.ID); err != nil {
		t.Fatalf("LeaveRoom on another store: %v", err)
	}
	assertMember(t, a, hiring.ID, bob.ID, false)
	if got := roomsOf(t, a, bob.ID); !slices.Equal(got, sortedNames(dm.Name, "general")) {
		t.Errorf("RoomsOf(bob) = %q, want his direct room and general", got)
	}
}
