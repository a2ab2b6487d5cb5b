# Shared by the reliability scripts: the release binary, starting/stopping a server on loopback.
# Every server started here listens on 127.0.0.1 only and is stopped by the script that started it.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${INTERESTS_BIN:-$ROOT/.build/release/interests}"
WORK="${WORK:-$ROOT/out/server}"
mkdir -p "$WORK"

build_release() {
  if [ -z "${INTERESTS_BIN:-}" ]; then
    (cd "$ROOT" && swift build -c release --product interests >/dev/null)
  fi
  [ -x "$BIN" ] || { echo "no interests binary at $BIN" >&2; exit 1; }
}

# start_server DB PORT [extra serve args…]: starts `interests serve` in the background (SERVER_PID).
start_server() {
  local db="$1" port="$2"
  shift 2
  "$BIN" serve --db "$db" --host 127.0.0.1 --port "$port" "$@" >>"$WORK/server-$port.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 600); do
    if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited; see $WORK/server-$port.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "server did not answer /healthz within 60 s" >&2
  exit 1
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# A small trained database (2,000 users) for the kill, bad-input and auth checks: SMALL_DB.
small_database() {
  SMALL_DB="$WORK/small.sqlite"
  if [ ! -f "$SMALL_DB" ]; then
    "$BIN" corpus generate --seed 3 --users 2000 --items 600 --out "$WORK/small-corpus" >/dev/null
    "$BIN" ingest --db "$SMALL_DB" --quiet "$WORK/small-corpus/events.jsonl"
    "$BIN" train --db "$SMALL_DB" --alpha 10 --epochs 5 >/dev/null 2>&1
  fi
}

# copy_db SRC DST: a database with its WAL (the source must not be open for writing).
copy_db() {
  rm -f "$2" "$2-wal" "$2-shm"
  cp "$1" "$2"
  if [ -f "$1-wal" ]; then cp "$1-wal" "$2-wal"; fi
}
