#!/bin/sh
# Measures a restart of Parley under N open sockets (default 10000):
# starts Parley on loopback with a fresh database, runs loadgen -restart,
# restarts Parley (SIGTERM, then a new process on the same address and
# database) once every socket shows the count, and prints loadgen's result.
#   bench/restart.sh [SOCKETS] [USERS]
set -eu
sockets=${1:-10000}
users=${2:-$sockets}
addr=127.0.0.1:${PORT:-18080}
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
ulimit -n "$(ulimit -Hn)"
go build -o "$dir/parley" .
go build -o "$dir/loadgen" ./bench/loadgen
start() {
	ADDR=$addr BASE_URL=http://$addr DATABASE_URL="file:$dir/parley.db" BCRYPT_COST=4 \
		AUTH_RATE_LIMIT=0 LOG_LEVEL=warn DRAIN_DELAY=0s "$dir/parley" &
	pid=$!
	until curl -fs "http://$addr/readyz" >/dev/null; do sleep 0.1; done
}
start
"$dir/loadgen" -restart -url "http://$addr" -sockets "$sockets" -users "$users" -timeout 180s \
	2>"$dir/loadgen.log" >"$dir/result.txt" &
lg=$!
until grep -q "ready:" "$dir/loadgen.log"; do
	kill -0 $lg 2>/dev/null || { cat "$dir/loadgen.log"; exit 1; }
	sleep 0.2
done
kill -TERM $pid
wait $pid || true
start
wait $lg || { cat "$dir/loadgen.log"; exit 1; }
cat "$dir/result.txt"
