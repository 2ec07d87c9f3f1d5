package chat

import (
	"strings"
	"testing"
)

func TestAsideRunsBeforeReturning(t *testing.T) {
	ran := false
	aside(func() { ran = true })
	if !ran {
		t.Error("aside returned before its function ran")
	}
}

// A panic aside must reach the socket's own goroutine, where the
// websocket handler recovers it, not end the process.
func TestAsidePanicsInTheCaller(t *testing.T) {
	defer func() {
		got, _ := recover().(string)
		if !strings.Contains(got, "boom") || !strings.Contains(got, "aside_test.go") {
			t.Errorf("recovered %q, want the panic's value and the stack where it happened", got)
		}
	}()
	aside(func() { panic("boom") })
	t.Error("aside returned after its function panicked")
}
