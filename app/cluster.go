package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/parleychat/parley/app/natsbus"
	"github.com/parleychat/parley/app/web"
)

// joinCluster connects to NATS and links the chat to the other instances
// there. Without NATS_URL it is never called: one process, as before.
// obs, when not nil, is told about the connection (metrics).
func (a *App) joinCluster(ctx context.Context, obs natsbus.Observer) error {
	bus, err := natsbus.Connect(natsbus.Options{
		URL:      a.cfg.NATSURL,
		Prefix:   a.cfg.NATSSubjectPrefix,
		Name:     "parley " + a.url,
		Log:      a.log,
		Observer: obs,
	})
	if err != nil {
		// The chat started, but no socket reached it: close it now.
		// nats.go's errors name no URL, so no password can leak here.
		return errors.Join(fmt.Errorf("app: NATS_URL: %w", err), a.chat.Close(ctx))
	}
	a.bus = bus
	if err := a.chat.Join(bus, a.cfg.Cluster, web.Fragments{}); err != nil {
		return errors.Join(fmt.Errorf("app: NATS_URL: %w", err), a.chat.Close(ctx))
	}
	a.log.Info("parley: linked to other instances through NATS", "server", bus.ConnectedURL())
	return nil
}
