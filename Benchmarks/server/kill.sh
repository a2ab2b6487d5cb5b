#!/usr/bin/env bash
# kill -9 the server mid-stream, restart, check integrity, re-send everything, and compare with
# an uninterrupted run: every table must be identical, row for row.
#   Benchmarks/server/kill.sh        env: EVENTS (40000), BATCH (100), KILL_AT (batches acked, 150)
source "$(dirname "$0")/common.sh"
EVENTS="${EVENTS:-40000}"
BATCH="${BATCH:-100}"
KILL_AT="${KILL_AT:-150}"
PORT="${PORT:-18081}"
build_release
small_database
trap stop_server EXIT
python3 "$HERE/checks.py" make-stream "$WORK/stream.jsonl" "$EVENTS" 11
copy_db "$SMALL_DB" "$WORK/kill-a.sqlite"
copy_db "$SMALL_DB" "$WORK/kill-b.sqlite"

echo "== uninterrupted run (load: $(loadavg))"
start_server "$WORK/kill-a.sqlite" "$PORT"
python3 "$HERE/checks.py" stream "$PORT" "$WORK/stream.jsonl" "$BATCH"
stop_server

echo "== killed run: kill -9 once $KILL_AT batches are acknowledged, while the client keeps sending"
start_server "$WORK/kill-b.sqlite" "$PORT"
rm -f "$WORK/progress"
python3 "$HERE/checks.py" stream "$PORT" "$WORK/stream.jsonl" "$BATCH" "$WORK/progress" &
CLIENT=$!
acked() { local n; n="$(cat "$WORK/progress" 2>/dev/null || true)"; echo "${n:-0}"; }
until [ "$(acked)" -ge "$KILL_AT" ]; do sleep 0.005; done
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""
wait "$CLIENT" || true
python3 - "$WORK/kill-b.sqlite" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
print("after the kill:", {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("review", "query", "interaction")})
PY
"$BIN" stats --db "$WORK/kill-b.sqlite" --integrity | tail -1
echo "== restart and re-send everything"
start_server "$WORK/kill-b.sqlite" "$PORT"
python3 "$HERE/checks.py" stream "$PORT" "$WORK/stream.jsonl" "$BATCH"
stop_server
"$BIN" stats --db "$WORK/kill-b.sqlite" --integrity | tail -1
python3 "$HERE/checks.py" dump-compare "$WORK/kill-a.sqlite" "$WORK/kill-b.sqlite"
