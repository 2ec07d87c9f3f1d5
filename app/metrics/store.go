package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// Store returns s with every call timed in
// parley_store_query_duration_seconds{op,outcome}. A method added to
// parley.Store later passes through untimed until it is listed here.
func (m *Metrics) Store(s parley.Store) parley.Store { return &timedStore{Store: s, m: m} }

type timedStore struct {
	parley.Store
	m *Metrics
}

// observe records one call that started at start and ended with err.
func (t *timedStore) observe(op string, start time.Time, err error) {
	outcome := "ok"
	switch {
	case errors.Is(err, parley.ErrNotFound):
		outcome = "not_found"
	case err != nil:
		outcome = "error"
	}
	t.m.storeDuration.WithLabelValues(op, outcome).Observe(time.Since(start).Seconds())
}

func (t *timedStore) CreateUser(ctx context.Context, username string, passwordHash []byte) (parley.User, error) {
	start := time.Now()
	v0, err := t.Store.CreateUser(ctx, username, passwordHash)
	t.observe("create_user", start, err)
	return v0, err
}

func (t *timedStore) UserByUsername(ctx context.Context, username string) (parley.User, []byte, error) {
	start := time.Now()
	v0, v1, err := t.Store.UserByUsername(ctx, username)
	t.observe("user_by_username", start, err)
	return v0, v1, err
}

func (t *timedStore) RecordLogin(ctx context.Context, userID int64) error {
	start := time.Now()
	err := t.Store.RecordLogin(ctx, userID)
	t.observe("record_login", start, err)
	return err
}

func (t *timedStore) UpsertIdentity(ctx context.Context, id parley.Identity) (parley.User, error) {
	start := time.Now()
	v0, err := t.Store.UpsertIdentity(ctx, id)
	t.observe("upsert_identity", start, err)
	return v0, err
}

func (t *timedStore) CreateSession(ctx context.Context, idHash []byte, userID int64, expires time.Time) error {
	start := time.Now()
	err := t.Store.CreateSession(ctx, idHash, userID, expires)
	t.observe("create_session", start, err)
	return err
}

func (t *timedStore) SessionUser(ctx context.Context, idHash []byte) (parley.User, error) {
	start := time.Now()
	v0, err := t.Store.SessionUser(ctx, idHash)
	t.observe("session_user", start, err)
	return v0, err
}

func (t *timedStore) DeleteSession(ctx context.Context, idHash []byte) error {
	start := time.Now()
	err := t.Store.DeleteSession(ctx, idHash)
	t.observe("delete_session", start, err)
	return err
}

func (t *timedStore) CreateRoom(ctx context.Context, name string, createdBy int64) (parley.Room, error) {
	start := time.Now()
	v0, err := t.Store.CreateRoom(ctx, name, createdBy)
	t.observe("create_room", start, err)
	return v0, err
}

func (t *timedStore) RoomByName(ctx context.Context, name string) (parley.Room, error) {
	start := time.Now()
	v0, err := t.Store.RoomByName(ctx, name)
	t.observe("room_by_name", start, err)
	return v0, err
}

func (t *timedStore) Rooms(ctx context.Context) ([]parley.Room, error) {
	start := time.Now()
	v0, err := t.Store.Rooms(ctx)
	t.observe("rooms", start, err)
	return v0, err
}

func (t *timedStore) RoomByID(ctx context.Context, id int64) (parley.Room, error) {
	start := time.Now()
	v0, err := t.Store.RoomByID(ctx, id)
	t.observe("room_by_id", start, err)
	return v0, err
}

func (t *timedStore) DirectRoom(ctx context.Context, userIDs []int64) (parley.Room, bool, error) {
	start := time.Now()
	v0, v1, err := t.Store.DirectRoom(ctx, userIDs)
	t.observe("direct_room", start, err)
	return v0, v1, err
}

func (t *timedStore) JoinRoom(ctx context.Context, roomID, userID int64) error {
	start := time.Now()
	err := t.Store.JoinRoom(ctx, roomID, userID)
	t.observe("join_room", start, err)
	return err
}

func (t *timedStore) IsMember(ctx context.Context, roomID, userID int64) (bool, error) {
	start := time.Now()
	v0, err := t.Store.IsMember(ctx, roomID, userID)
	t.observe("is_member", start, err)
	return v0, err
}

func (t *timedStore) RoomsOf(ctx context.Context, userID int64) ([]parley.Room, error) {
	start := time.Now()
	v0, err := t.Store.RoomsOf(ctx, userID)
	t.observe("rooms_of", start, err)
	return v0, err
}

func (t *timedStore) CreateMessage(ctx context.Context, roomID, userID int64, text string) (parley.Message, error) {
	start := time.Now()
	v0, err := t.Store.CreateMessage(ctx, roomID, userID, text)
	t.observe("create_message", start, err)
	return v0, err
}

func (t *timedStore) MessagesBefore(ctx context.Context, roomID, before int64, limit int) ([]parley.Message, error) {
	start := time.Now()
	v0, err := t.Store.MessagesBefore(ctx, roomID, before, limit)
	t.observe("messages_before", start, err)
	return v0, err
}

func (t *timedStore) SaveOAuthState(ctx context.Context, stateHash []byte, pending parley.OAuthPending, expires time.Time) error {
	start := time.Now()
	err := t.Store.SaveOAuthState(ctx, stateHash, pending, expires)
	t.observe("save_oauth_state", start, err)
	return err
}

func (t *timedStore) TakeOAuthState(ctx context.Context, stateHash []byte) (parley.OAuthPending, error) {
	start := time.Now()
	v0, err := t.Store.TakeOAuthState(ctx, stateHash)
	t.observe("take_oauth_state", start, err)
	return v0, err
}

func (t *timedStore) Ping(ctx context.Context) error {
	start := time.Now()
	err := t.Store.Ping(ctx)
	t.observe("ping", start, err)
	return err
}
