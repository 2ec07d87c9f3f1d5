#!/usr/bin/env bash
# Runs the load generator against one Parley, then against two instances of
# one chat linked by NATS (sockets round-robin over them, as a balancer
# without sticky sessions would spread them), each on fresh processes, and
# appends one JSON line per run to $OUT. Loopback only.
#   bash bench/instances.sh                      # 10000 sockets, 10000 users
#   SOCKETS=2000 USERS=2000 bash bench/instances.sh
# Storage: a shared SQLite file, or DATABASE_URL (e.g. a PostgreSQL schema:
# postgres://postgres@127.0.0.1:5432/test?sslmode=disable&search_path=bench,
# created and emptied beforehand). NATS: $NATS_URL (the machine's by
# default), on subjects of this run's own.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-/tmp/parley-instances.jsonl}
SOCKETS=${SOCKETS:-10000}
USERS=${USERS:-$SOCKETS}
MESSAGES=${MESSAGES:-100}
NATS_URL=${NATS_URL:-nats://127.0.0.1:4222}
BIN=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$BIN"' EXIT

go build -o "$BIN/parley" .
go build -o "$BIN/loadgen" ./bench/loadgen

wait_up() { # url
	for _ in $(seq 100); do curl -fs "$1/readyz" >/dev/null && return; sleep 0.1; done
	echo "server at $1 did not come up" >&2; exit 1
}

start_parley() { # port database nats_url prefix; the PID is then in $!
	BCRYPT_COST=4 AUTH_RATE_LIMIT=0 MESSAGE_RATE_LIMIT=0 LOG_LEVEL=warn \
		ADDR=127.0.0.1:$1 BASE_URL=http://127.0.0.1:$1 DATABASE_URL="$2" \
		NATS_URL="$3" NATS_SUBJECT_PREFIX="$4" "$BIN/parley" &
}

database() { # a fresh shared SQLite file, unless DATABASE_URL names one
	if [ -n "${DATABASE_URL:-}" ]; then echo "$DATABASE_URL"; else echo "file:$(mktemp -d)/bench.db"; fi
}

run_case() { # name urls pids
	echo "== $1: $SOCKETS sockets, $USERS users over $2" >&2
	"$BIN/loadgen" -url "$2" -pid "$3" -sockets "$SOCKETS" -users "$USERS" \
		-messages "$MESSAGES" -timeout 300s -json | sed "s/^{/{\"target\":\"$1\",/" | tee -a "$OUT"
}

# One instance, no NATS: the single process.
db=$(database)
start_parley 18081 "$db" "" ""; one=$!
wait_up http://127.0.0.1:18081
run_case "parley x1" http://127.0.0.1:18081 "$one"
kill -INT "$one"; wait "$one" || true
sleep 5 # let the loopback ports of the last run drain

# Two instances on one store, linked by NATS. The second starts once the
# first has migrated the store.
db=$(database)
prefix=parleybench$RANDOM
start_parley 18081 "$db" "$NATS_URL" "$prefix"; a=$!
wait_up http://127.0.0.1:18081
start_parley 18082 "$db" "$NATS_URL" "$prefix"; b=$!
wait_up http://127.0.0.1:18082
run_case "parley x2 (NATS)" http://127.0.0.1:18081,http://127.0.0.1:18082 "$a,$b"
kill -INT "$a" "$b"; wait "$a" "$b" || true
echo "results appended to $OUT" >&2
