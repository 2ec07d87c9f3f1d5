# Parley: everyday commands. `make help` lists them.

# Browser assets vendored under static/vendor/ (see `make vendor`).
# htmx stays on 2.0.x: the 4.x line does not load the 2.x ws extension.
HTMX_VERSION    := 2.0.11
HTMX_WS_VERSION := 2.0.4
# The npm registry that `make vendor` downloads from: npm's configured one by
# default; without npm, pass it, e.g. `make vendor NPM_REGISTRY=<registry URL>`.
NPM_REGISTRY    ?= $(shell npm config get registry 2>/dev/null)
VENDOR_DIR      := static/vendor

.PHONY: help run dev build test test-race generate check vendor screenshot bench clean

help:
	@echo 'targets: run dev build test test-race generate check vendor screenshot bench clean'

# Serve on http://localhost:8080 with the embedded SQLite database.
run:
	go run .

# Live reload with air (.air.toml). air's proxy does not carry websockets:
# browse the app's own port.
dev:
	go tool air

build:
	go tool templ generate && go build -o parley .

test:
	go test ./...

test-race:
	go test -race ./...

generate:
	go tool templ generate

# What CI checks besides the tests: formatting, vet, committed templ output.
check:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt -l lists:"; echo "$$out"; exit 1; fi
	go vet ./...
	go tool templ generate
	@changed="$$(git status --porcelain -- '*_templ.go')"; if [ -n "$$changed" ]; then \
		echo 'templ generate leaves generated files differing from git: commit them'; \
		echo "$$changed"; git --no-pager diff -- '*_templ.go'; exit 1; fi

# Refresh static/vendor/ from the npm registry: htmx.org's dist/htmx.min.js
# and htmx-ext-ws's dist/ws.min.js (dist/ws.js where a release lacks it),
# each tarball checked against the registry's sha512 integrity; then rewrite
# static/vendor/VERSIONS. Stable file names, so no template changes.
vendor:
	@set -eu; \
	reg='$(NPM_REGISTRY)'; reg="$${reg%/}"; \
	if [ -z "$$reg" ]; then echo 'vendor: no npm registry known: install npm or pass NPM_REGISTRY=<url>' >&2; exit 1; fi; \
	tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	fetch() { \
		curl -fsSL --retry 3 -o "$$tmp/$$1.json" "$$reg/$$1/$$2"; \
		want="$$(sed -n 's/.*"integrity": *"sha512-\([^"]*\)".*/\1/p' "$$tmp/$$1.json")"; \
		[ -n "$$want" ] || { echo "vendor: no sha512 integrity for $$1@$$2" >&2; exit 1; }; \
		curl -fsSL --retry 3 -o "$$tmp/$$1.tgz" "$$reg/$$1/-/$$1-$$2.tgz"; \
		got="$$(openssl dgst -sha512 -binary "$$tmp/$$1.tgz" | base64 | tr -d '\n')"; \
		[ "$$got" = "$$want" ] || { echo "vendor: $$1-$$2.tgz fails its integrity check" >&2; exit 1; }; \
	}; \
	fetch htmx.org $(HTMX_VERSION); \
	fetch htmx-ext-ws $(HTMX_WS_VERSION); \
	ws_src=dist/ws.min.js; \
	tar -tzf "$$tmp/htmx-ext-ws.tgz" "package/$$ws_src" >/dev/null 2>&1 || ws_src=dist/ws.js; \
	mkdir -p "$$tmp/htmx" "$$tmp/ws"; \
	tar -xzf "$$tmp/htmx.org.tgz" -C "$$tmp/htmx" package/dist/htmx.min.js; \
	tar -xzf "$$tmp/htmx-ext-ws.tgz" -C "$$tmp/ws" "package/$$ws_src"; \
	mkdir -p $(VENDOR_DIR); \
	install -m 0644 "$$tmp/htmx/package/dist/htmx.min.js" $(VENDOR_DIR)/htmx.min.js; \
	install -m 0644 "$$tmp/ws/package/$$ws_src" $(VENDOR_DIR)/ws.js; \
	sum() { sha256sum "$$1" | cut -d' ' -f1; }; \
	{ \
		echo '# Vendored browser assets, written by `make vendor`: do not edit by hand.'; \
		echo "# file         package      version  source            sha256"; \
		printf '%-12s %-12s %-8s %-17s %s\n' htmx.min.js htmx.org $(HTMX_VERSION) dist/htmx.min.js "$$(sum $(VENDOR_DIR)/htmx.min.js)"; \
		printf '%-12s %-12s %-8s %-17s %s\n' ws.js htmx-ext-ws $(HTMX_WS_VERSION) "$$ws_src" "$$(sum $(VENDOR_DIR)/ws.js)"; \
	} > $(VENDOR_DIR)/VERSIONS; \
	cat $(VENDOR_DIR)/VERSIONS

# docs/chat.png, the chat room with two people and a few messages, and
# docs/mobile.png, the same room 375 px wide, taken by the browser tests
# (e2e TestScreenshot; needs Chromium). A relative
# PARLEY_SCREENSHOT is taken from the module root.
screenshot:
	PARLEY_E2E=1 PARLEY_SCREENSHOT=docs/chat.png go test ./e2e -run '^TestScreenshot$$' -count=1 -v

bench:
	go test -run '^$$' -bench . ./app/...

clean:
	rm -rf tmp parley
