package parley

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// RoomKind is who may read a room. Its zero value is RoomPublic, so that a
// Room made without a kind, as every room was before kinds existed, is
// public. Its String form ("public", "private", "direct") is what the
// stores keep and what forms send.
type RoomKind uint8

// The kinds of room.
const (
	// RoomPublic rooms are read and written by everyone signed in; a
	// person joins one to have it in their sidebar.
	RoomPublic RoomKind = iota
	// RoomPrivate rooms are read and written by their members only; its
	// creator is the first member, and members add others.
	RoomPrivate
	// RoomDirect rooms are the one conversation of a fixed set of 2 to 8
	// people (MembershipStore.DirectRoom), who are its members.
	RoomDirect
)

// roomKindNames are the String forms of the kinds, by value.
var roomKindNames = [...]string{RoomPublic: "public", RoomPrivate: "private", RoomDirect: "direct"}

// String returns the kind's name: "public", "private" or "direct".
func (k RoomKind) String() string {
	if int(k) < len(roomKindNames) {
		return roomKindNames[k]
	}
	return "RoomKind(" + strconv.Itoa(int(k)) + ")"
}

// ParseRoomKind returns the kind whose String form is name, or an error
// that wraps ErrUnknownRoomKind.
func ParseRoomKind(name string) (RoomKind, error) {
	for k, n := range roomKindNames {
		if n == name {
			return RoomKind(k), nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownRoomKind, name)
}

// Limits of a direct conversation, as SPEC.md states them: the sender and
// 1 to 7 others.
const (
	MinDirectPeople = 2
	MaxDirectPeople = 8
	// DirectRoomPrefix starts the name the store gives each direct
	// conversation (NewDirectRoomName).
	DirectRoomPrefix = "dm-"
)

// Membership errors.
var (
	// ErrUnknownRoomKind means a kind's name is none of "public",
	// "private" and "direct".
	ErrUnknownRoomKind = errors.New("unknown room kind")
	// ErrDirectRoomSize means a direct conversation was asked for with
	// fewer than 2 or more than 8 distinct people.
	ErrDirectRoomSize = errors.New("A direct conversation has 2 to 8 people.")
	// ErrDirectRoomFixed means a change to the people of a direct
	// conversation was asked for: nobody joins or leaves one, and none is
	// made except through MembershipStore.DirectRoom.
	ErrDirectRoomFixed = errors.New("the people of a direct conversation are fixed")
)

// DirectKey returns the key of the direct conversation of the people
// userIDs names, in any order and with any repetition, and those people's
// distinct IDs in ascending order: the key is those IDs in decimal,
// joined by commas ("3,8,21"), which the stores keep unique, so that one
// set of people has one conversation. Fewer than 2 or more than 8
// distinct people, or an ID that is not positive, is an error that wraps
// ErrDirectRoomSize.
func DirectKey(userIDs []int64) (string, []int64, error) {
	ids := slices.Clone(userIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) < MinDirectPeople || len(ids) > MaxDirectPeople {
		return "", nil, fmt.Errorf("%w (%d given)", ErrDirectRoomSize, len(ids))
	}
	if ids[0] <= 0 {
		return "", nil, fmt.Errorf("%w (user ID %d)", ErrDirectRoomSize, ids[0])
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ","), ids, nil
}

// NewDirectRoomName returns a fresh name for a direct conversation:
// DirectRoomPrefix and 16 random lowercase hex digits, which
// ValidateRoomName accepts. It is random rather than derived from the
// people, so that nobody can compute the name of someone else's
// conversation and learn that it exists from a taken name at room
// creation; the conversation is found again by its DirectKey, not by its
// name.
func NewDirectRoomName() string {
	var b [8]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24 and later)
	return DirectRoomPrefix + hex.EncodeToString(b[:])
}
