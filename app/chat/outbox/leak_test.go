package outbox

import (
	"testing"

	"github.com/parleychat/parley/app/leaktest"
)

// TestMain fails the package's tests when a goroutine outlives them.
func TestMain(m *testing.M) {
	leaktest.VerifyTestMain(m)
}
