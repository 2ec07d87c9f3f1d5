package app

// CloseStore closes a running Parley's database under it, so that a test
// can see what readiness says when the database stops answering.
func CloseStore(a *App) error { return a.store.Close() }
