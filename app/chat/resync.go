package chat

import (
	"context"
	"errors"
	"fmt"

	"github.com/parleychat/parley/app/parley"
)

// resyncAll brings every room in memory back in line with the store, for
// the times this instance may have missed other instances' messages and
// deletions: when its link to them is back (what they sent meanwhile may
// not have come across), when one of them went silent (it may have died
// between storing a message and sending it) and when one is heard from
// for the first time (it may be one that was cut off, back with what it
// stored meanwhile). It stops early once stop is closed. A room whose
// store read fails reads its messages again on next use instead.
func (r *Rooms) resyncAll(stop <-chan struct{}) {
	for _, lr := range r.cache.all() {
		select {
		case <-stop:
			return
		default:
		}
		if err := r.resync(lr); err != nil {
			r.log.Warn("chat: resync", "room", lr.room.Name, "err", err)
			lr.history.markStale()
		}
	}
}

// resync reads a room's last messages from the store and sends its open
// pages here what they lack: the messages they missed, each as if it had
// just arrived (at the bottom of the page, in ID order among themselves),
// and the removal of those deleted meanwhile. Both take the one way in
// (apply), as if heard from another instance.
func (r *Rooms) resync(lr *cachedRoom) error {
	gone, err := r.compareWithStore(lr)
	// Taken off once compareWithStore has released postMu: apply takes
	// it, in line with posts.
	for _, id := range gone {
		r.apply("", parley.MessageDeleted{RoomID: lr.room.ID, MessageID: id})
	}
	return err
}

// compareWithStore shows a room's open pages here the messages they
// lack, and returns the IDs of those it holds that the store has deleted.
func (r *Rooms) compareWithStore(lr *cachedRoom) (gone []int64, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), parley.StoreTimeout)
	defer cancel()
	// In line with posts, so that none is stored between the read and the
	// comparison and taken for a deleted one.
	lr.postMu.Lock()
	defer lr.postMu.Unlock()
	fresh, err := r.store.MessagesBefore(ctx, lr.room.ID, 0, parley.HistorySize)
	if err != nil {
		return nil, fmt.Errorf("chat: resync room %d: %w", lr.room.ID, err)
	}
	lacking, suspects := lr.history.compare(fresh)
	for _, m := range lacking {
		r.apply("", parley.MessagePosted{Message: m})
	}
	// Another instance's message can have been stored after the read and
	// arrived since: only the store can tell it from a deleted one.
	for _, id := range suspects {
		_, err := r.store.MessageByID(ctx, id)
		switch {
		case errors.Is(err, parley.ErrNotFound):
			gone = append(gone, id)
		case err != nil:
			return gone, fmt.Errorf("chat: resync room %d: message %d: %w", lr.room.ID, id, err)
		}
	}
	return gone, nil
}
