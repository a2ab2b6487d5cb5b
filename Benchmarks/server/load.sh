#!/usr/bin/env bash
# Load on loopback with wrk (Debian's package): a 60 s mixed run (90% recommendation reads, 10%
# event writes, as fast as the machine answers), then the target run (recommendation reads as
# fast as possible while a paced writer sends ~100 event writes/s). Zero 5xx expected; every
# acknowledged event must be in the database afterwards (count and content checksum).
#
#   Benchmarks/server/load.sh [DB]       DB: a trained database (default: built here from
#                                         `interests corpus generate --seed 7 --users 100000 --items 10000`)
#   env: DURATION (60), CONNECTIONS (8), PORT (18080), USERS/ITEMS (100000/10000)
source "$(dirname "$0")/common.sh"
DURATION="${DURATION:-60}"
CONNECTIONS="${CONNECTIONS:-8}"
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
"$BIN" stats --db "$DB" | head -3

RUN="m$(date +%s)"
echo "== mixed: ${DURATION}s, $CONNECTIONS connections, 90% reads / 10% writes (load before: $(loadavg))"
rm -f "$WORK"/acked-"$RUN"-*.tsv
LOAD_RUN="$RUN" LOAD_WRITE_EVERY=10 wrk -t "$CONNECTIONS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 10s \
  -s "$HERE/mixed.lua" "http://127.0.0.1:$PORT" | tee "$WORK/mixed-$RUN.txt"
echo "load after: $(loadavg)"
python3 "$HERE/checks.py" verify-acked "$DB" "$WORK"/acked-"$RUN"-*.tsv

RUN="t$(date +%s)"
echo "== target: ${DURATION}s reads on $CONNECTIONS connections + ~100 writes/s (load before: $(loadavg))"
rm -f "$WORK"/acked-"$RUN"-*.tsv
LOAD_RUN="$RUN" LOAD_DELAY_MS=10 wrk -t 1 -c 1 -d "${DURATION}s" --timeout 10s \
  -s "$HERE/paced_writes.lua" "http://127.0.0.1:$PORT" > "$WORK/writes-$RUN.txt" &
WRITER=$!
LOAD_RUN="$RUN" LOAD_WRITE_EVERY=0 wrk -t "$CONNECTIONS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 10s \
  -s "$HERE/mixed.lua" "http://127.0.0.1:$PORT" | tee "$WORK/reads-$RUN.txt"
echo "load after: $(loadavg)"
wait "$WRITER"
echo "writer:"; grep RESULT "$WORK/writes-$RUN.txt"
python3 "$HERE/checks.py" verify-acked "$DB" "$WORK"/acked-"$RUN"-*.tsv
curl -sf "http://127.0.0.1:$PORT/metrics" | grep -E '^interests_(events_ingested_total|model_version)' || true
