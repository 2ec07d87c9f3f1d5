// Package leaktest fails a test package whose tests leave goroutines
// behind, with the few library goroutines that outlive a clean shutdown by
// design ignored, each for a stated reason.
package leaktest

import (
	"testing"

	"go.uber.org/goleak"
)

// Ignored are the goroutines VerifyTestMain tolerates. Each is a library's,
// not Parley's, and none keeps a server, socket or database alive: a
// server left running still shows its accept loop and connection
// goroutines, which are not ignored.
var Ignored = []goleak.Option{
	// fasthttp starts this once per process, the first time a server
	// writes a Date header, and lets it refresh the cached date every
	// second for as long as the process lives (header.go,
	// updateServerDate); there is no way to stop it.
	goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
	// Each fasthttp server's worker pool has a cleaner that sleeps
	// MaxIdleWorkerDuration (10 s) between rounds and notices Stop only
	// when it wakes (workerpool.go, workerPool.Start): after a clean
	// shutdown it lingers up to 10 s, then returns.
	goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"),
}

// VerifyTestMain runs the package's tests, then fails the run if any
// goroutine other than the Ignored ones is still running.
func VerifyTestMain(m *testing.M) {
	goleak.VerifyTestMain(m, Ignored...)
}
