#!/usr/bin/env bash
# The scale harness (issue 14): generated shops at several sizes, every stage's wall time and
# peak RSS, the database size, and a live run (mixed load while the server retrains).
#
#   Benchmarks/scale/run.sh [USERS…]          default: 100000 300000 1000000
#
# For each size N (items = 10% of N, at most 100,000), in $OUT/N/:
#   generate   interests corpus generate --seed $SEED --users N --items M --out N/corpus
#   ingest     interests ingest --db N/scale.sqlite --quiet N/corpus/events.jsonl   (events/s)
#   train      interests train --db … --json (whole process), then one row per part of the report
#              that carries "seconds" (tokenizer, embedding, vectors, cf, neighbours, ranker, and
#              any part a later report adds), and "other" = whole − parts; report in $OUT/train-N.json
#   serve      interests serve: launch → /healthz answers → first GET …/recommendations?k=10 is 200,
#              then WARM_SECONDS of read load; the server's VmHWM at first answer and after the load
#   recommend  interests recommend --top 10 --users FILE (BATCH_USERS ids, one a line)
#   terms      interests terms --user U --json, one process, median of REPEAT
#   rank       interests rank --user U --json, one process, median of REPEAT
#   live       (LIVE=1) interests serve under wrk (Benchmarks/server/mixed.lua's 90/10 mix via
#              LOAD_USER_WIDTH/LOAD_ITEM_WIDTH, LIVE_CONNECTIONS connections) in windows of LIVE_SECONDS; POST /v1/train
#              LIVE_TRAIN_AFTER s into the first window, GET /v1/train polled until it is done;
#              windows go on until one starts with the run finished (that one is "after").
#              LIVE_DELAY_MS > 0 paces the load: each connection pauses that long between
#              requests (e.g. 16 connections, 9 ms: at most ~1,600 req/s), so the run measures
#              whether a shop's request rate is kept up while training takes the rest of the CPU;
#              0 (default) is a closed loop that takes all the CPU the server leaves.
#              Then every acknowledged write is checked with checks.py verify-acked.
# Wall time and peak RSS of every process: /usr/bin/time -f '%e %M' (Debian package `time`).
# Results: $OUT/scale.tsv (users items events stage wall_s peak_rss_mb db_mb detail; rows of a
# size measured again replace the old ones), $OUT/live.tsv (one row per live window), and
# $OUT/scale.md (the tables, a growth table when two or more sizes are present), printed at the end.
#
# env: INTERESTS_BIN ($ROOT/.build/release/interests; nothing is built here), OUT ($ROOT/out/scale),
#      SEED (7), PORT (18190), LIVE (1), LIVE_SECONDS (60), LIVE_CONNECTIONS (8), LIVE_TRAIN_AFTER (5),
#      LIVE_MAX_WINDOWS (120), LIVE_DELAY_MS (0), WARM_SECONDS (10), BATCH_USERS (1000), REPEAT (5), SCALE_USER (first
#      id of the batch file), KEEP_CORPUS (1; 0 deletes N/corpus after ingest), REUSE (0; 1 keeps a
#      trained OUT/N/scale.sqlite with its generate.json and runs only the stages from serve on —
#      e.g. a new build's serving on an existing database; the size's earlier rows leave the tables)
# Every server listens on 127.0.0.1 only and is stopped by this script. Needs curl, python3, wrk.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${INTERESTS_BIN:-$ROOT/.build/release/interests}"
OUT="${OUT:-$ROOT/out/scale}"
SEED="${SEED:-7}"
PORT="${PORT:-18190}"
LIVE="${LIVE:-1}"
LIVE_SECONDS="${LIVE_SECONDS:-60}"
LIVE_CONNECTIONS="${LIVE_CONNECTIONS:-8}"
LIVE_TRAIN_AFTER="${LIVE_TRAIN_AFTER:-5}"
LIVE_MAX_WINDOWS="${LIVE_MAX_WINDOWS:-120}"
LIVE_DELAY_MS="${LIVE_DELAY_MS:-0}"
WARM_SECONDS="${WARM_SECONDS:-10}"
BATCH_USERS="${BATCH_USERS:-1000}"
REPEAT="${REPEAT:-5}"
KEEP_CORPUS="${KEEP_CORPUS:-1}"
REUSE="${REUSE:-0}"
MIXED_LUA="$ROOT/Benchmarks/server/mixed.lua"
CHECKS="$ROOT/Benchmarks/server/checks.py"
if [ "$#" -eq 0 ]; then set -- 100000 300000 1000000; fi

need() { command -v "$1" >/dev/null || { echo "needs $1${2:+ ($2)}" >&2; exit 1; }; }
[ -x "$BIN" ] || { echo "no interests binary at $BIN (swift build -c release --product interests, or set INTERESTS_BIN)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time: apt-get install time" >&2; exit 1; }
need curl; need python3; need wrk "apt-get install wrk"
[ -f "$MIXED_LUA" ] && [ -f "$CHECKS" ] || { echo "needs $MIXED_LUA and $CHECKS" >&2; exit 1; }
for n in "$@"; do [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "not a user count: $n" >&2; exit 1; }; done
if curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; then echo "port $PORT is in use; set PORT" >&2; exit 1; fi
mkdir -p "$OUT"
TSV="$OUT/scale.tsv"
LIVE_TSV="$OUT/live.tsv"
[ -f "$TSV" ] || printf 'users\titems\tevents\tstage\twall_s\tpeak_rss_mb\tdb_mb\tdetail\n' > "$TSV"
[ -f "$LIVE_TSV" ] || printf 'users\twindow\ttrain_state\tseconds\trequests\treq_per_s\tp50_ms\tp90_ms\tp99_ms\tmax_ms\tnon_2xx\tsocket_errors\tstatuses\n' > "$LIVE_TSV"

SERVER_PID=""
WRK_PID=""
cleanup() {
  if [ -n "$WRK_PID" ] && kill -0 "$WRK_PID" 2>/dev/null; then kill "$WRK_PID" 2>/dev/null || true; fi
  stop_server
}
trap cleanup EXIT

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# timed NAME CMD…: runs CMD under /usr/bin/time; sets WALL (s, its %e: 10 ms steps), WALL_MS (s to
# the millisecond by this script's clock around /usr/bin/time, ~1 ms more) and RSS (MB, its %M).
# The caller redirects.
timed() {
  local name="$1" t0; shift
  t0=$(now)
  /usr/bin/time -f '%e %M' -o "$DIR/time-$name.txt" "$@"
  WALL_MS=$(calc "$(now) - $t0" 3)
  read -r WALL RSS_KB < <(tail -n 1 "$DIR/time-$name.txt")
  RSS=$(calc "$RSS_KB / 1024" 0)
}

# Database file plus its write-ahead log, in MB.
dbmb() {
  local bytes=0 f
  for f in "$1" "$1-wal"; do [ -f "$f" ] && bytes=$((bytes + $(stat -c %s "$f"))); done
  calc "$bytes / 1048576" 1
}

row() {  # row STAGE WALL RSS DB DETAIL
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$N" "$M" "$EVENTS" "$1" "$2" "$3" "$4" "$5" >> "$TSV"
  log "$N users: $1  wall ${2:--} s  rss ${3:--} MB  db ${4:--} MB  $5"
}

vmhwm() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo ""; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

start_server() {  # start_server LOG: launches; SERVE_T0, SERVER_PID; waits for /healthz (sets LISTEN_S)
  SERVE_T0=$(now)
  "$BIN" serve --db "$DB" --host 127.0.0.1 --port "$PORT" >>"$1" 2>&1 &
  SERVER_PID=$!
  while ! curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited; see $1" >&2; exit 1; }
    if [ "$(calc "$(now) - $SERVE_T0" 0)" -gt 1800 ]; then echo "server did not answer /healthz within 30 min" >&2; exit 1; fi
    sleep 0.02
  done
  LISTEN_S=$(calc "$(now) - $SERVE_T0" 3)
}

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

# first_answer USER: repeats GET …/recommendations?k=10 until it is 200; sets FIRST_S (since launch).
first_answer() {
  local code
  while :; do
    code=$(curl -s -o "$DIR/first-answer.json" -w '%{http_code}' --max-time 1800 "http://127.0.0.1:$PORT/v1/users/$1/recommendations?k=10" || true)
    [ "$code" = 200 ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited before a first answer" >&2; exit 1; }
    if [ "$(calc "$(now) - $SERVE_T0" 0)" -gt 1800 ]; then echo "no 200 from recommendations within 30 min (last $code)" >&2; exit 1; fi
    sleep 0.05
  done
  FIRST_S=$(calc "$(now) - $SERVE_T0" 3)
}

# wrk_load RUN WRITE_EVERY SECONDS OUTFILE [background|foreground] [DELAY_MS]: Benchmarks/server/mixed.lua's
# mix, ids padded to the generator's widths; DELAY_MS pauses each connection between requests.
wrk_load() {
  local cmd=(env LOAD_USERS="$N" LOAD_ITEMS="$M" LOAD_USER_WIDTH="$UW" LOAD_ITEM_WIDTH="$IW"
             LOAD_DIR="$DIR" LOAD_RUN="$1" LOAD_WRITE_EVERY="$2" LOAD_DELAY_MS="${6:-0}"
             wrk -t "$LIVE_CONNECTIONS" -c "$LIVE_CONNECTIONS" -d "${3}s" --timeout 10s -s "$MIXED_LUA" "http://127.0.0.1:$PORT")
  if [ "${5:-}" = background ]; then "${cmd[@]}" > "$4" 2>&1 & WRK_PID=$!; else "${cmd[@]}" > "$4" 2>&1; fi
}

# wrk_result FILE: "requests seconds rps p50 p90 p99 max non2xx socket_errors statuses" from its RESULT line.
wrk_result() {
  python3 - "$1" <<'PY'
import json, sys
line = next((l for l in open(sys.argv[1]) if l.startswith("RESULT ")), None)
if line is None:
    print("0 0 0 0 0 0 0 0 0 none"); sys.exit()
r = json.loads(line[7:])
non2xx = sum(c for s, c in r["statuses"].items() if not s.startswith("2"))
st = ",".join(f"{s}:{c}" for s, c in sorted(r["statuses"].items())) or "none"
print(r["requests"], r["seconds"], r["rps"], r["p50_ms"], r["p90_ms"], r["p99_ms"], r["max_ms"], non2xx, r["socket_errors"], st)
PY
}

train_state() { curl -s --max-time 30 -o "$DIR/train-state.json" "http://127.0.0.1:$PORT/v1/train" || true; jfield "$DIR/train-state.json" state; }

# jfield FILE WHAT: one figure from a JSON file (state, train_seconds, verify); "?" when unreadable.
jfield() {
  python3 - "$1" "$2" <<'PY' 2>/dev/null || echo "?"
import json, sys
what = sys.argv[2]
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("?"); sys.exit()
if what == "state":
    print(d.get("state", "?"))
elif what == "train_seconds":
    from datetime import datetime
    t = lambda k: datetime.fromisoformat(d[k].replace("Z", "+00:00")).timestamp()
    print(f"{t('finished_at') - t('started_at'):.1f}" if d.get("finished_at") is not None else "")
elif what == "verify":
    print(f"acked {d['acked']}, present {d['present']}, stored with run prefix {d['stored_with_run_prefix']}, ok={d['ok']}")
PY
}

measure_size() {
  N="$1"
  M=$(( N / 10 < 100000 ? N / 10 : 100000 )); [ "$M" -ge 1 ] || M=1
  UW=$(( ${#N} > 6 ? ${#N} : 6 ))
  IW=$(( ${#M} > 5 ? ${#M} : 5 ))
  DIR="$OUT/$N"
  DB="$DIR/scale.sqlite"
  EVENTS=""
  mkdir -p "$DIR"
  local reuse=0
  if [ "$REUSE" = 1 ] && [ -f "$DB" ] && [ -f "$DIR/generate.json" ]; then reuse=1; fi
  [ "$reuse" = 1 ] || rm -f "$DB" "$DB-wal" "$DB-shm"
  rm -f "$DIR"/acked-*.tsv
  awk -F'\t' -v n="$N" 'NR == 1 || $1 != n' "$TSV" > "$TSV.tmp" && mv "$TSV.tmp" "$TSV"
  awk -F'\t' -v n="$N" 'NR == 1 || $1 != n' "$LIVE_TSV" > "$LIVE_TSV.tmp" && mv "$LIVE_TSV.tmp" "$LIVE_TSV"
  log "== $N users, $M items → $DIR (load before: $(cut -d' ' -f1-3 /proc/loadavg))"

  if [ "$reuse" = 1 ]; then
    EVENTS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["events"])' "$DIR/generate.json")
    log "$N users: REUSE=1, the trained database in $DIR is kept: generate, ingest and train skipped"
  else
    build_database
  fi
  serve_and_query
}

# generate, ingest and train into a fresh $DB.
build_database() {
  # generate
  rm -rf "$DIR/corpus"
  timed generate "$BIN" corpus generate --seed "$SEED" --users "$N" --items "$M" --out "$DIR/corpus" --json > "$DIR/generate.json"
  EVENTS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["events"])' "$DIR/generate.json" 2>/dev/null \
           || wc -l < "$DIR/corpus/events.jsonl")
  local corpus_mb; corpus_mb=$(calc "$(stat -c %s "$DIR/corpus/events.jsonl") / 1048576" 0)
  row generate "$WALL" "$RSS" "" "events.jsonl ${corpus_mb} MB"

  # ingest
  timed ingest "$BIN" ingest --db "$DB" --quiet "$DIR/corpus/events.jsonl" > "$DIR/ingest.txt"
  row ingest "$WALL" "$RSS" "$(dbmb "$DB")" "$(calc "$EVENTS / $WALL" 0) events/s"
  if [ "$KEEP_CORPUS" = 0 ]; then rm -f "$DIR/corpus/events.jsonl"; fi

  # train: the whole process, then its report's parts
  timed train "$BIN" train --db "$DB" --json > "$DIR/train.json" 2> "$DIR/train.log"
  cp "$DIR/train.json" "$OUT/train-$N.json"
  local train_wall="$WALL"
  row train "$WALL" "$RSS" "$(dbmb "$DB")" "whole process (train --json)"
  python3 - "$DIR/train.json" "$train_wall" <<'PY' > "$DIR/train-parts.tsv"
import json, sys
report, whole = json.load(open(sys.argv[1])), float(sys.argv[2])
order = ["tokenizer", "embedding", "vectors", "cf", "neighbours", "ranker"]
keys = [k for k in order if k in report] + sorted(k for k in report if k not in order)

def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)

def fmt(v):
    return f"{v:.4g}" if isinstance(v, float) else str(v)

def details(part):
    out = []
    for k, v in sorted(part.items()):
        if k in ("seconds", "version"):
            continue
        if num(v):
            out.append(f"{k}={fmt(v)}")
        elif isinstance(v, dict):
            out += [f"{k}.{kk}={fmt(vv)}" for kk, vv in sorted(v.items()) if num(vv) and kk != "seconds"]
    return " ".join(out)

total = 0.0
for k in keys:
    part = report[k]
    if isinstance(part, dict) and num(part.get("seconds")):
        total += part["seconds"]
        print(f"train: {k}\t{part['seconds']:.2f}\t{details(part)}")
        for kk, vv in sorted(part.items()):      # nested parts that time themselves
            if isinstance(vv, dict) and num(vv.get("seconds")):
                print(f"train: {k}.{kk}\t{vv['seconds']:.2f}\t(inside {k})")
    elif isinstance(part, list):                  # a list of {"name", "seconds"} stages
        for s in part:
            if isinstance(s, dict) and num(s.get("seconds")):
                total += s["seconds"]
                print(f"train: {k}.{s.get('name', '?')}\t{s['seconds']:.2f}\t{details(s)}")
print(f"train: other\t{whole - total:.2f}\twhole process − the parts above (loading rows, tuning, profiles, saving, … as not timed by the report)")
PY
  while IFS=$'\t' read -r stage secs detail; do row "$stage" "$secs" "" "" "$detail"; done < "$DIR/train-parts.tsv"
  "$BIN" stats --db "$DB" --json > "$DIR/stats.json" 2>/dev/null || true
}

# serve, batch recommend, terms, rank and (LIVE=1) the live run on the trained $DB.
serve_and_query() {

  # users for the batch and the single-user commands: evenly spread over u1…uN
  python3 - "$N" "$UW" "$BATCH_USERS" > "$DIR/users.txt" <<'PY'
import sys
n, width, k = int(sys.argv[1]), int(sys.argv[2]), min(int(sys.argv[3]), int(sys.argv[1]))
for i in range(k):
    print(f"u{1 + i * n // k:0{width}d}")
PY
  local user="${SCALE_USER:-$(head -n 1 "$DIR/users.txt")}"

  # serve: launch → listening → first answer; peak RSS after a short read load
  : > "$DIR/serve.log"
  start_server "$DIR/serve.log"
  row "serve: listening (/healthz)" "$LISTEN_S" "$(vmhwm "$SERVER_PID")" "" "launch to first /healthz 200"
  first_answer "$user"
  row "serve: first answer" "$FIRST_S" "$(vmhwm "$SERVER_PID")" "" "launch to first 200 of GET /v1/users/$user/recommendations?k=10"
  wrk_load "warm$N" 0 "$WARM_SECONDS" "$DIR/warm.txt"
  read -r _ secs rps p50 _ p99 _ non2xx sockerr _ < <(wrk_result "$DIR/warm.txt")
  row "serve: after warm reads" "$secs" "$(vmhwm "$SERVER_PID")" "$(dbmb "$DB")" \
      "VmHWM after ${WARM_SECONDS} s of reads on $LIVE_CONNECTIONS connections: $rps req/s, p50 $p50 ms, p99 $p99 ms, non-2xx $non2xx, socket errors $sockerr"
  stop_server

  # recommend batch
  timed recommend "$BIN" recommend --db "$DB" --top 10 --users "$DIR/users.txt" > "$DIR/recommend.jsonl"
  local lines; lines=$(wc -l < "$DIR/recommend.jsonl")
  row "recommend batch" "$WALL" "$RSS" "" "$lines lists of $(wc -l < "$DIR/users.txt") users, $(calc "$lines / $WALL" 0) users/s"

  # one terms process and one rank process, medians of REPEAT
  local cmd walls rsss i
  for cmd in terms rank; do
    walls=(); rsss=()
    for i in $(seq 1 "$REPEAT"); do
      timed "$cmd-$i" "$BIN" "$cmd" --db "$DB" --user "$user" --json > "$DIR/$cmd.json"
      walls+=("$WALL_MS"); rsss+=("$RSS")
    done
    row "$cmd (one process)" "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${rsss[@]}" | median)" "" \
        "median of $REPEAT, --user $user --json; walls (ms clock) ${walls[*]}"
  done

  [ "$LIVE" = 1 ] && live_run "$user"
  return 0
}

# The live run: mixed 90/10 load in windows while a POST /v1/train runs and activates.
live_run() {
  local user="$1" run="live$N$(date +%s)" w=0 state before total_req=0 total_s=0 worst_p99=0 bad=0 sockbad=0 train_s=""
  : > "$DIR/live-serve.log"
  start_server "$DIR/live-serve.log"
  first_answer "$user"
  log "$N users: live run, windows of ${LIVE_SECONDS} s, POST /v1/train ${LIVE_TRAIN_AFTER} s into the first (load before: $(cut -d' ' -f1-3 /proc/loadavg))"
  printf 'time\tstate\n' > "$DIR/live-train-poll.tsv"
  state="idle"
  while [ "$w" -lt "$LIVE_MAX_WINDOWS" ]; do
    w=$((w + 1))
    before="$state"
    # A LOAD_RUN per window: mixed.lua numbers its writes from 0 in every wrk process and opens
    # its acked files afresh, so a shared one would re-send the same event ids (duplicates) and
    # keep only the last window's acknowledgements.
    wrk_load "${run}w$w" 10 "$LIVE_SECONDS" "$DIR/live-w$w.txt" background "$LIVE_DELAY_MS"
    if [ "$w" = 1 ]; then
      sleep "$LIVE_TRAIN_AFTER"
      local code; code=$(curl -s -o "$DIR/live-train-post.json" -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/v1/train" || true)
      [ "$code" = 202 ] || { echo "POST /v1/train answered $code: $(cat "$DIR/live-train-post.json")" >&2; exit 1; }
      before="started"
    fi
    while kill -0 "$WRK_PID" 2>/dev/null; do
      state=$(train_state)
      printf '%s\t%s\n' "$(now)" "$state" >> "$DIR/live-train-poll.tsv"
      sleep 2
    done
    wait "$WRK_PID" || true
    WRK_PID=""
    state=$(train_state)
    local label
    case "$before/$state" in
      started/running|running/running) label="training" ;;
      started/*|running/*) label="training, then $state" ;;
      *) label="after ($state)" ;;
    esac
    read -r req secs rps p50 p90 p99 maxms non2xx sockerr statuses < <(wrk_result "$DIR/live-w$w.txt")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$N" "$w" "$label" "$secs" "$req" "$rps" "$p50" "$p90" "$p99" "$maxms" "$non2xx" "$sockerr" "$statuses" >> "$LIVE_TSV"
    log "$N users: live window $w ($label): $rps req/s, p50 $p50 ms, p99 $p99 ms, non-2xx $non2xx, socket errors $sockerr"
    total_req=$((total_req + req)); total_s=$(calc "$total_s + $secs" 3)
    bad=$((bad + non2xx)); sockbad=$((sockbad + sockerr))
    worst_p99=$(calc "($p99 > $worst_p99) ? $p99 : $worst_p99" 3)
    case "$label" in after*) break ;; esac
  done
  local hwm; hwm=$(vmhwm "$SERVER_PID")
  curl -s "http://127.0.0.1:$PORT/v1/train" > "$DIR/live-train-status.json" || true
  train_s=$(jfield "$DIR/live-train-status.json" train_seconds)
  stop_server
  local verify ok
  verify=$(python3 "$CHECKS" verify-acked "$DB" "$DIR"/acked-"$run"w*-*.tsv || true)
  echo "$verify" > "$DIR/live-verify.json"
  ok=$(jfield "$DIR/live-verify.json" verify)
  local final; final=$(jfield "$DIR/live-train-status.json" state)
  if [ "$final" = running ]; then
    final="still running after $w windows (LIVE_MAX_WINDOWS $LIVE_MAX_WINDOWS); the server was stopped, the run abandoned"
  fi
  row "live: train in server" "$train_s" "" "" "POST /v1/train under load: $final"
  row "live: 90/10 load" "$total_s" "$hwm" "$(dbmb "$DB")" \
      "$w windows, $LIVE_CONNECTIONS connections pausing ${LIVE_DELAY_MS} ms between requests, $(calc "$total_req / $total_s" 0) req/s overall, worst window p99 $worst_p99 ms, non-2xx $bad, socket errors $sockbad; writes: $ok; RSS = server VmHWM"
}

write_markdown() {
  python3 - "$TSV" "$LIVE_TSV" > "$OUT/scale.md" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
live = list(csv.DictReader(open(sys.argv[2]), delimiter="\t"))
sizes = sorted({int(r["users"]) for r in rows})
out = ["# Scale harness results", ""]
for n in sizes:
    rs = [r for r in rows if int(r["users"]) == n]
    out += [f"## {n:,} users, {int(rs[0]['items']):,} items, {int(rs[0]['events']):,} events", "",
            "| stage | wall s | peak RSS MB | DB MB | detail |", "|---|---:|---:|---:|---|"]
    out += [f"| {r['stage']} | {r['wall_s']} | {r['peak_rss_mb']} | {r['db_mb']} | {r['detail']} |" for r in rs]
    lw = [l for l in live if int(l["users"]) == n]
    if lw:
        out += ["", "Live windows (wrk, 90% GET recommendations / 10% POST /v1/events):", "",
                "| window | training | s | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors | statuses |",
                "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        out += [f"| {l['window']} | {l['train_state']} | {l['seconds']} | {l['requests']} | {l['req_per_s']} | {l['p50_ms']} | {l['p90_ms']} | "
                f"{l['p99_ms']} | {l['max_ms']} | {l['non_2xx']} | {l['socket_errors']} | {l['statuses']} |" for l in lw]
    out.append("")
if len(sizes) > 1:
    first, last = sizes[0], sizes[-1]
    ev = {n: int(next(r["events"] for r in rows if int(r["users"]) == n)) for n in sizes}
    out += [f"## Growth ({first:,} → {last:,} users; events × {ev[last] / ev[first]:.2f})", "",
            "| stage | " + " | ".join(f"wall s @{n:,}" for n in sizes) + " | wall × | " + " | ".join(f"RSS MB @{n:,}" for n in sizes) + " | RSS × |",
            "|---|" + "---:|" * (2 * len(sizes) + 2)]
    stages = list(dict.fromkeys(r["stage"] for r in rows))
    def val(stage, n, col):
        r = next((r for r in rows if r["stage"] == stage and int(r["users"]) == n), None)
        return r[col] if r and r[col] != "" else ""
    def ratio(a, b):
        try:
            return f"{float(b) / float(a):.2f}" if float(a) > 0 else ""
        except ValueError:
            return ""
    for s in stages:
        w = [val(s, n, "wall_s") for n in sizes]
        m = [val(s, n, "peak_rss_mb") for n in sizes]
        out.append(f"| {s} | " + " | ".join(w) + f" | {ratio(w[0], w[-1])} | " + " | ".join(m) + f" | {ratio(m[0], m[-1])} |")
    out.append("")
print("\n".join(out))
PY
}

for size in "$@"; do
  measure_size "$size"
  write_markdown
done
echo
cat "$OUT/scale.md"
