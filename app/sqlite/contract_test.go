package sqlite_test

import (
	"testing"
	"time"

	"github.com/parleychat/parley/app/parley"
	"github.com/parleychat/parley/app/sqlite"
	"github.com/parleychat/parley/app/storetest"
)

// TestStoreContract runs the store contract that the PostgreSQL store
// keeps too, each test on a fresh database file.
func TestStoreContract(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		Name: "sqlite",
		NewDatabase: func(t *testing.T) storetest.Opener {
			path := "file:" + dbPath(t)
			return func(t *testing.T) parley.Store { return openAt(t, path) }
		},
		LoginStats: func(t *testing.T, s parley.Store, userID int64) (int64, time.Time) {
			t.Helper()
			count, last, err := sqlite.LoginStats(t.Context(), s.(*sqlite.Store), userID)
			if err != nil {
				t.Fatalf("LoginStats(%d): %v", userID, err)
			}
			return count, last
		},
		SetClock: func(t *testing.T, s parley.Store, now func() time.Time) {
			sqlite.SetClock(s.(*sqlite.Store), now)
		},
	})
}
