package web

import (
	"context"
	"time"

	"github.com/parleychat/parley/app/parley"
)

// Moderator is the moderation service (app/moderation) as the handlers
// use it: each method holds its action's rules, and the handlers parse,
// call it and answer.
type Moderator interface {
	DeleteMessage(ctx context.Context, actor parley.User, id int64) (parley.Message, parley.Room, error)
	Mute(ctx context.Context, admin parley.User, target string, length time.Duration) (parley.User, error)
	Unmute(ctx context.Context, admin parley.User, target string) (parley.User, error)
	Ban(ctx context.Context, admin parley.User, target string) (parley.User, error)
	Unban(ctx context.Context, admin parley.User, target string) (parley.User, error)
}
