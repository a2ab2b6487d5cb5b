#!/usr/bin/env bash
# Load on loopback with wrk (Debian's package), three 60 s runs:
#   mixed:  90% recommendation reads / 10% event writes, closed loop, as fast as the machine answers
#   target: recommendation reads paced to READ_RATE (2,000/s) on TARGET_CONNECTIONS connections
#           while WRITE_CONNECTIONS (8) paced writers, one per wrk thread (acks are tracked per
#           thread), send ~WRITE_RATE (100) event writes/s
#   max:    recommendation reads as fast as possible with the same ~100 writes/s
# Zero 5xx expected; every acknowledged event must be in the database afterwards (count and a
# checksum of id, user, item and time). wrk's latencies are per request, send to last byte.
#
#   Benchmarks/server/load.sh [DB]       DB: a trained database (default: built here from
#                                         `interests corpus generate --seed 7 --users 100000 --items 10000`)
#   env: DURATION (60), CONNECTIONS (8), TARGET_CONNECTIONS (16), READ_RATE (2000), WRITE_RATE (100),
#        PORT (18080), USERS/ITEMS (100000/10000)
source "$(dirname "$0")/common.sh"
DURATION="${DURATION:-60}"
CONNECTIONS="${CONNECTIONS:-8}"
TARGET_CONNECTIONS="${TARGET_CONNECTIONS:-16}"
READ_RATE="${READ_RATE:-2000}"
WRITE_RATE="${WRITE_RATE:-100}"
# Pause per connection so that connections·1000/(pause + ~2 ms answer) ≈ the rate.
READ_DELAY=$(( TARGET_CONNECTIONS * 1000 / READ_RATE - 2 ))
# Writers: WRITE_CONNECTIONS closed loops, each pausing so that the total is about WRITE_RATE
# while a write takes ~25 ms under full read load (the achieved rate is printed and is what counts).
WRITE_CONNECTIONS="${WRITE_CONNECTIONS:-8}"
WRITE_DELAY=$(( WRITE_CONNECTIONS * 1000 / WRITE_RATE - 25 ))
PORT="${PORT:-18080}"
export LOAD_USERS="${USERS:-100000}" LOAD_ITEMS="${ITEMS:-10000}" LOAD_DIR="$WORK"
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
build_release

DB="${1:-$WORK/load.sqlite}"
if [ ! -f "$DB" ]; then
  echo "building $DB (100,000 users, 10,000 items; ingest + train take a while)…"
  "$BIN" corpus generate --seed 7 --users "$LOAD_USERS" --items "$LOAD_ITEMS" --out "$WORK/load-corpus" >/dev/null
  "$BIN" ingest --db "$DB" --quiet "$WORK/load-corpus/events.jsonl"
  "$BIN" train --db "$DB"
fi
trap stop_server EXIT
start_server "$DB" "$PORT"
# Warm the model cache (the first request loads the factors).
curl -sf "http://127.0.0.1:$PORT/v1/users/u000001/recommendations" >/dev/null
"$BIN" stats --db "$DB" | sed -n 1,3p   # sed reads it all: head would end stats with SIGPIPE (pipefail)

RUN="m$(date +%s)"
echo "== mixed: ${DURATION}s, $CONNECTIONS connections, 90% reads / 10% writes (load before: $(loadavg))"
rm -f "$WORK"/acked-"$RUN"-*.tsv
LOAD_RUN="$RUN" LOAD_WRITE_EVERY=10 LOAD_DELAY_MS=0 wrk -t "$CONNECTIONS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 10s \
  -s "$HERE/mixed.lua" "http://127.0.0.1:$PORT" | tee "$WORK/mixed-$RUN.txt"
echo "load after: $(loadavg)"
python3 "$HERE/checks.py" verify-acked "$DB" "$WORK"/acked-"$RUN"-*.tsv

paced_run() {  # paced_run NAME READ_CONNECTIONS READ_DELAY_MS
  local name="$1" conns="$2" rdelay="$3"
  RUN="$name$(date +%s)"
  echo "== $name: ${DURATION}s reads on $conns connections (pause ${rdelay} ms) + $WRITE_CONNECTIONS writers (pause ${WRITE_DELAY} ms) (load before: $(loadavg))"
  rm -f "$WORK"/acked-"$RUN"-*.tsv
  LOAD_RUN="$RUN" LOAD_ROLE=w LOAD_WRITE_EVERY=1 LOAD_DELAY_MS="$WRITE_DELAY" wrk -t "$WRITE_CONNECTIONS" -c "$WRITE_CONNECTIONS" -d "${DURATION}s" --timeout 10s \
    -s "$HERE/mixed.lua" "http://127.0.0.1:$PORT" > "$WORK/writes-$RUN.txt" &
  local writer=$!
  # Reads only: no acknowledgement to track, so 2 wrk threads drive all the connections.
  LOAD_RUN="$RUN" LOAD_WRITE_EVERY=0 LOAD_DELAY_MS="$rdelay" wrk -t 2 -c "$conns" -d "${DURATION}s" --timeout 10s \
    -s "$HERE/mixed.lua" "http://127.0.0.1:$PORT" | tee "$WORK/reads-$RUN.txt"
  echo "load after: $(loadavg)"
  wait "$writer"
  echo "writers:"; grep RESULT "$WORK/writes-$RUN.txt"
  python3 "$HERE/checks.py" verify-acked "$DB" "$WORK"/acked-"$RUN"-*.tsv
}
paced_run target "$TARGET_CONNECTIONS" "$READ_DELAY"
paced_run max 16 0
curl -sf "http://127.0.0.1:$PORT/metrics" | grep -E '^interests_(events_ingested_total|model_version)' || true
