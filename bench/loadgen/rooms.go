package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
)

// Room settings.
const (
	defaultRoom           = "general" // where every socket goes with one room
	roomCreateConcurrency = 8         // POST /rooms in flight at once
	minRoomName           = 2
	maxRoomName           = 32
	roomProgressStep      = 100 // log every this many rooms
)

// roomPlan says which room each socket joins and what count each socket
// must end on: socket i joins room i mod rooms and belongs to user i mod
// users, so a room's count is the number of distinct users among its
// sockets.
type roomPlan struct {
	names    []string // per room; {"general"} with one room
	expected []int    // per room: distinct users among its sockets
	// private is one private room, lg-RUNID-private, in place of general.
	private bool
}

// newRoomPlan plans rooms rooms for sockets sockets over users users. With
// one room every socket is in "general" (or, private, in lg-RUNID-private);
// otherwise the rooms are named lg-RUNID-0 .. lg-RUNID-(rooms-1).
func newRoomPlan(runID string, rooms, sockets, users int, private bool) roomPlan {
	plan := roomPlan{names: make([]string, rooms), expected: make([]int, rooms), private: private && rooms == 1}
	for room := range rooms {
		plan.names[room] = roomName(runID, room, rooms)
	}
	if plan.private {
		plan.names[0] = fmt.Sprintf("lg-%s-private", strings.ToLower(runID))
	}
	seen := make([]map[int]bool, rooms)
	for i := range sockets {
		room, user := roomOf(i, rooms), i%users
		if seen[room] == nil {
			seen[room] = make(map[int]bool)
		}
		if !seen[room][user] {
			seen[room][user] = true
			plan.expected[room]++
		}
	}
	return plan
}

// roomOf is the room socket i joins.
func roomOf(i, rooms int) int { return i % rooms }

// roomName is the name of room index of a run with rooms rooms: "general"
// when there is only one, else lg-RUNID-index in lower case (Parley's room
// names are lower case).
func roomName(runID string, index, rooms int) string {
	if rooms == 1 {
		return defaultRoom
	}
	return fmt.Sprintf("lg-%s-%d", strings.ToLower(runID), index)
}

// creates reports whether the run must create its rooms: "general" always
// exists.
func (p roomPlan) creates() bool { return p.private || len(p.names) > 1 }

// expectedRange returns the smallest and largest count a room must show.
func (p roomPlan) expectedRange() (lowest, highest int) {
	lowest, highest = p.expected[0], p.expected[0]
	for _, e := range p.expected[1:] {
		lowest, highest = min(lowest, e), max(highest, e)
	}
	return lowest, highest
}

// socketURL is the websocket URL of room index: the plain ws URL with one
// room, as a single-room server (or the floor) expects, else with ?room=.
func (p roomPlan) socketURL(ws string, index int) string {
	if !p.creates() {
		return ws
	}
	return ws + "?" + url.Values{"room": {p.names[index]}}.Encode()
}

// checkRoomName checks a name the way Parley does: 2 to 32 of a-z, 0-9 and
// '-', starting with a letter or digit.
func checkRoomName(name string) error {
	if len(name) < minRoomName || len(name) > maxRoomName {
		return fmt.Errorf("room name %q must be %d to %d characters long", name, minRoomName, maxRoomName)
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case r == '-' && i > 0:
		default:
			return fmt.Errorf("room name %q may only hold a-z, 0-9 and '-', and must start with a letter or digit", name)
		}
	}
	return nil
}

// createRoomsResult is the outcome of creating a run's rooms.
type createRoomsResult struct {
	created int
	existed int // names taken already: an earlier run with the same run ID
}

// createRooms creates the named rooms as the user whose session cookie is
// given, roomCreateConcurrency at a time, and stops at the first failure.
// A name that is taken already counts as existing, not as a failure.
func (s *signer) createRooms(ctx context.Context, cookie string, names []string, visibility string, logf logFunc) (createRoomsResult, error) {
	var created, existed, done atomic.Int64
	err := eachAtOnce(ctx, len(names), func(ctx context.Context, i int) error {
		wasNew, err := s.createRoom(ctx, cookie, names[i], visibility)
		switch {
		case err != nil:
			return err
		case wasNew:
			created.Add(1)
		default:
			existed.Add(1)
		}
		if n := done.Add(1); n%roomProgressStep == 0 {
			logf("rooms: %d of %d ready", n, len(names))
		}
		return nil
	})
	if err != nil {
		return createRoomsResult{}, err
	}
	return createRoomsResult{created: int(created.Load()), existed: int(existed.Load())}, nil
}

// eachAtOnce calls do for 0..count-1, roomCreateConcurrency at a time,
// and stops at the first error, which it returns.
func eachAtOnce(ctx context.Context, count int, do func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var firstErr error
	var errOnce sync.Once
	indexes := make(chan int)
	var workers sync.WaitGroup
	for range min(roomCreateConcurrency, count) {
		workers.Go(func() {
			for i := range indexes {
				if err := do(ctx, i); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
				}
			}
		})
	}
	feedIndexes(ctx, indexes, count)
	workers.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// createRoom posts the room form: 303 means created, 409 that the name is
// taken (by an earlier run), anything else is an error.
func (s *signer) createRoom(ctx context.Context, cookie, name, visibility string) (created bool, err error) {
	resp, err := s.post(ctx, "/rooms", url.Values{"name": {name}, "visibility": {visibility}}, cookie)
	if err != nil {
		return false, fmt.Errorf("create room %s: %w", name, err)
	}
	switch resp.status {
	case http.StatusSeeOther:
		return true, nil
	case http.StatusConflict:
		return false, nil
	default:
		return false, fmt.Errorf("create room %s: POST /rooms: HTTP %d, want 303 or 409: %q", name, resp.status, resp.body)
	}
}

// addMembers adds the named users to room through its members form, as
// the user whose cookie is given, roomCreateConcurrency at a time; it
// stops at the first failure.
func (s *signer) addMembers(ctx context.Context, cookie, room string, users []string, logf logFunc) error {
	var done atomic.Int64
	return eachAtOnce(ctx, len(users), func(ctx context.Context, i int) error {
		resp, err := s.post(ctx, "/r/"+room+"/members", url.Values{"user": {users[i]}}, cookie)
		if err == nil && resp.status != http.StatusSeeOther {
			err = fmt.Errorf("HTTP %d, want 303: %q", resp.status, resp.body)
		}
		if err != nil {
			return fmt.Errorf("add %s to %s: %w", users[i], room, err)
		}
		if n := done.Add(1); n%(10*roomProgressStep) == 0 {
			logf("rooms: %d of %d members added", n, len(users))
		}
		return nil
	})
}
