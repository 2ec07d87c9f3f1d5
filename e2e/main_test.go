package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/parleychat/parley/app/leaktest"
)

// defaultChromium is where Debian's chromium package installs the browser.
const defaultChromium = "/usr/bin/chromium"

// chromiumPath is the browser the tests drive: PARLEY_CHROMIUM when set
// (a Chrome or Chromium elsewhere), else Debian's.
func chromiumPath() string {
	if p := os.Getenv("PARLEY_CHROMIUM"); p != "" {
		return p
	}
	return defaultChromium
}

// e2eRequired reports whether a missing browser is a failure: CI sets
// PARLEY_E2E=1 once it has installed Chromium.
func e2eRequired() bool { return os.Getenv("PARLEY_E2E") == "1" }

// chromiumMissing says why the browser cannot be used, or "" when it can.
func chromiumMissing() string {
	p := chromiumPath()
	info, err := os.Stat(p)
	switch {
	case err != nil:
		return fmt.Sprintf("no Chromium at %s", p)
	case info.IsDir() || info.Mode()&0o111 == 0:
		return fmt.Sprintf("%s is not an executable", p)
	}
	return ""
}

// skipLine is the one line a developer without Chromium sees.
const skipLine = "e2e: browser tests skipped (%s); to run them: apt-get install chromium " +
	"(or PARLEY_CHROMIUM=/path/to/chrome), then PARLEY_E2E=1 go test ./e2e"

func TestMain(m *testing.M) {
	if why := chromiumMissing(); why != "" && !e2eRequired() {
		fmt.Printf(skipLine+"\n", why)
	}
	leaktest.VerifyTestMain(m)
}

// needBrowser skips t without Chromium, or fails it when PARLEY_E2E=1.
func needBrowser(t *testing.T) {
	t.Helper()
	why := chromiumMissing()
	if why == "" {
		return
	}
	if e2eRequired() {
		t.Fatalf("PARLEY_E2E=1 but %s: install it (apt-get install chromium) or set PARLEY_CHROMIUM", why)
	}
	t.Skipf("%s (see the e2e line above)", why)
}
