// Package e2e holds Parley's end-to-end tests. They start the real server
// in-process on loopback and drive Debian's Chromium (/usr/bin/chromium)
// headless through the DevTools protocol with chromedp, as a person would:
// register, chat, move between rooms, page back through history, lose the
// server, sign out. The package has no code of its own; everything is in
// its tests.
//
// Without Chromium the browser tests skip, saying how to enable them; with
// PARLEY_E2E=1 (which .ci/run sets) a missing browser fails them instead.
// TestPagesAllowNoInlineScript, TestScanHTMLFindsProblems and
// TestShutdownIgnoresUnusedConnections need no browser and always run.
//
//	go test ./e2e                      # skips the browser tests without Chromium
//	PARLEY_E2E=1 go test -race ./e2e   # as CI runs them
//	make screenshot                    # rewrites docs/chat.png
package e2e
