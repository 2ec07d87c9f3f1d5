package chat

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// cachedRoom is what the chat keeps in memory for a room in use: its last
// messages and the lock that keeps its posts in order.
type cachedRoom struct {
	room    parley.Room
	history history
	// postMu keeps storing and broadcasting in one order, so every socket
	// of the room sees its messages in ID order.
	postMu sync.Mutex
	// writers counts the room's sockets that have a writer running: the
	// hub holds a busy room's next fan-out until most have written the
	// last one.
	writers atomic.Int32

	// sockets and lastUsed belong to roomCache.mu.
	sockets  int
	lastUsed time.Time
}

// roomCache holds a cachedRoom for each room that has a socket open or was
// used recently, so that memory follows the rooms in use, not the rooms
// ever created. sweep forgets the others.
type roomCache struct {
	mu     sync.Mutex
	byID   map[int64]*cachedRoom
	byName map[string]*cachedRoom
	now    func() time.Time
}

func newRoomCache() *roomCache {
	return &roomCache{
		byID:   make(map[int64]*cachedRoom),
		byName: make(map[string]*cachedRoom),
		now:    time.Now,
	}
}

// use returns the room's cachedRoom, creating it when needed, and marks it used.
func (l *roomCache) use(room parley.Room) *cachedRoom {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.useLocked(room)
}

func (l *roomCache) useLocked(room parley.Room) *cachedRoom {
	lr := l.byID[room.ID]
	if lr == nil {
		lr = &cachedRoom{room: room}
		l.byID[room.ID] = lr
		l.byName[room.Name] = lr
	}
	lr.lastUsed = l.now()
	return lr
}

// acquire is use for a socket: the room stays in memory until release.
func (l *roomCache) acquire(room parley.Room) *cachedRoom {
	l.mu.Lock()
	defer l.mu.Unlock()
	lr := l.useLocked(room)
	lr.sockets++
	return lr
}

// release ends what acquire started.
func (l *roomCache) release(lr *cachedRoom) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lr.sockets--
	lr.lastUsed = l.now()
}

// byRoomID returns the room's cachedRoom, or nil when the room is not in use.
func (l *roomCache) byRoomID(id int64) *cachedRoom {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byID[id]
}

// all returns the rooms in memory.
func (l *roomCache) all() []*cachedRoom {
	l.mu.Lock()
	defer l.mu.Unlock()
	rooms := make([]*cachedRoom, 0, len(l.byID))
	for _, lr := range l.byID {
		rooms = append(rooms, lr)
	}
	return rooms
}

// find returns the room of that name when it is in use.
func (l *roomCache) find(name string) (parley.Room, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lr, ok := l.byName[name]
	if !ok {
		return parley.Room{}, false
	}
	return lr.room, true
}

// sweep forgets the rooms without sockets that nobody used for idle.
func (l *roomCache) sweep(idle time.Duration) {
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
func (l *roomCache) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.byID)
}
