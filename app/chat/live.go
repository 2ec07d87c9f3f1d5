package chat

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// liveRoom is what the chat keeps in memory for a room in use: its last
// messages and the lock that keeps its posts in order.
type liveRoom struct {
	room    parley.Room
	history history
	// postMu keeps storing and broadcasting in one order, so every socket
	// of the room sees its messages in ID order.
	postMu sync.Mutex
	// writers counts the room's sockets that have a writer running: the
	// hub holds a busy room's next fan-out until most have written the
	// last one.
	writers atomic.Int32

	// sockets and lastUsed belong to liveRooms.mu.
	sockets  int
	lastUsed time.Time
}

// liveRooms holds a liveRoom for each room that has a socket open or was
// used recently, so that memory follows the rooms in use, not the rooms
// ever created. sweep forgets the others.
type liveRooms struct {
	mu     sync.Mutex
	byID   map[int64]*liveRoom
	byName map[string]*liveRoom
	now    func() time.Time
}

func newLiveRooms() *liveRooms {
	return &liveRooms{
		byID:   make(map[int64]*liveRoom),
		byName: make(map[string]*liveRoom),
		now:    time.Now,
	}
}

// use returns the room's liveRoom, creating it when needed, and marks it used.
func (l *liveRooms) use(room parley.Room) *liveRoom {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.useLocked(room)
}

func (l *liveRooms) useLocked(room parley.Room) *liveRoom {
	lr := l.byID[room.ID]
	if lr == nil {
		lr = &liveRoom{room: room}
		l.byID[room.ID] = lr
		l.byName[room.Name] = lr
	}
	lr.lastUsed = l.now()
	return lr
}

// acquire is use for a socket: the room stays in memory until release.
func (l *liveRooms) acquire(room parley.Room) *liveRoom {
	l.mu.Lock()
	defer l.mu.Unlock()
	lr := l.useLocked(room)
	lr.sockets++
	return lr
}

// release ends what acquire started.
func (l *liveRooms) release(lr *liveRoom) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lr.sockets--
	lr.lastUsed = l.now()
}

// byRoomID returns the room's liveRoom, or nil when the room is not in use.
func (l *liveRooms) byRoomID(id int64) *liveRoom {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byID[id]
}

// all returns the rooms in memory.
func (l *liveRooms) all() []*liveRoom {
	l.mu.Lock()
	defer l.mu.Unlock()
	rooms := make([]*liveRoom, 0, len(l.byID))
	for _, lr := range l.byID {
		rooms = append(rooms, lr)
	}
	return rooms
}

// find returns the room of that name when it is in use.
func (l *liveRooms) find(name string) (parley.Room, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lr, ok := l.byName[name]
	if !ok {
		return parley.Room{}, false
	}
	return lr.room, true
}

// sweep forgets the rooms without sockets that nobody used for idle.
func (l *liveRooms) sweep(idle time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cutoff := l.now().Add(-idle)
	for id, lr := range l.byID {
		if lr.sockets == 0 && lr.lastUsed.Before(cutoff) {
			delete(l.byID, id)
			delete(l.byName, lr.room.Name)
		}
	}
}

// len is how many rooms are in memory.
func (l *liveRooms) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.byID)
}
