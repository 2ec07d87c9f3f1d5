#!/usr/bin/env bash
# Runs the load generator against the floor and against Parley, each case on
# fresh server processes, and appends one JSON line per run to $OUT.
# Loopback only; every run is bounded by the generator's -timeout.
#   bash bench/matrix.sh                 # the BENCHMARKS.md matrix
#   CASES="1000:1000" bash bench/matrix.sh   # one case: sockets:users[:stalled%[:rooms]]
#   EXTRA="-rate 50" CASES="10000:10000" bash bench/matrix.sh   # more loadgen flags (rate mode)
# A case with rooms > 1 runs against Parley only: the floor has one room.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-/tmp/parley-bench.jsonl}
CASES=${CASES:-"1000:1000 5000:5000 10000:10000 10000:2500 10000:10000:1 10000:10000:0:1000"}
MESSAGES=${MESSAGES:-200}
EXTRA=${EXTRA:-}
BIN=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$BIN"' EXIT

# PARLEY_BIN runs a Parley built elsewhere (an earlier commit, say), named
# PARLEY_NAME in the results.
if [ -n "${PARLEY_BIN:-}" ]; then cp "$PARLEY_BIN" "$BIN/parley"; else go build -o "$BIN/parley" .; fi
PARLEY_NAME=${PARLEY_NAME:-parley}
go build -o "$BIN/floor" ./bench/floor
go build -o "$BIN/loadgen" ./bench/loadgen

wait_up() { # url
	for _ in $(seq 50); do curl -fs "$1/healthz" >/dev/null && return; sleep 0.1; done
	echo "server at $1 did not come up" >&2; exit 1
}

run_case() { # name url pid sockets users stalled rooms
	echo "== $1: $4 sockets, $5 users, $6% stalled, $7 rooms" >&2
	"$BIN/loadgen" -url "$2" -pid "$3" -sockets "$4" -users "$5" -stalled-percent "$6" -rooms "$7" \
		-messages "$MESSAGES" -timeout "${TIMEOUT:-180s}" ${EXTRA:-} -json | sed "s/^{/{\"target\":\"$1\",/" | tee -a "$OUT"
}

for c in $CASES; do
	IFS=: read -r sockets users stalled rooms <<<"$c"
	stalled=${stalled:-0}
	rooms=${rooms:-1}

	if [ "$rooms" -eq 1 ]; then
		"$BIN/floor" -addr 127.0.0.1:9090 & floor=$!
		wait_up http://127.0.0.1:9090
		run_case floor http://127.0.0.1:9090 "$floor" "$sockets" "$users" "$stalled" "$rooms"
		kill -INT "$floor"; wait "$floor" || true
		sleep 5 # let the loopback ports of the last run drain
	fi

	db=$(mktemp -d)/bench.db
	BCRYPT_COST=4 AUTH_RATE_LIMIT=0 MESSAGE_RATE_LIMIT=0 LOG_LEVEL=warn \
		ADDR=127.0.0.1:8080 BASE_URL=http://127.0.0.1:8080 DATABASE_URL="file:$db" \
		"$BIN/parley" & parley=$!
	wait_up http://127.0.0.1:8080
	run_case "$PARLEY_NAME" http://127.0.0.1:8080 "$parley" "$sockets" "$users" "$stalled" "$rooms"
	kill -INT "$parley"; wait "$parley" || true
	rm -rf "$(dirname "$db")"
	sleep 5
done
echo "results appended to $OUT" >&2
