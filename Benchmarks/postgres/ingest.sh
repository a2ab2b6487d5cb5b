#!/usr/bin/env bash
# Ingest into PostgreSQL (COPY into a staging table, then INSERT … ON CONFLICT DO NOTHING) against
# SQLite, side by side in one run, whole processes (`interests ingest`), one client each:
#   Benchmarks/postgres/ingest.sh [USERS] [ROUNDS]        (defaults: 100000 users, 3 rounds)
# The shop is `interests corpus generate --seed 1` (items 10% of users); each round ingests it into
# a fresh SQLite file (first load: one transaction, indexes built at the end), into a fresh SQLite
# file holding one event already (the chunked path every later ingest takes), into a fresh
# schema of a throw-away PostgreSQL cluster on loopback with PostgreSQL's default durability
# (.ci/postgres.sh, PGTMP_DURABLE=1; a first load there too), and into a fresh schema holding one
# event already (PostgreSQL's chunked path: COPY into staging, INSERT … ON CONFLICT), in that
# order; medians and ratios at the end.
# Needs: a release build (swift build -c release --product interests), Debian postgresql.
set -euo pipefail
cd "$(dirname "$0")/../.."
USERS=${1:-100000}
ROUNDS=${2:-3}
BIN=${BIN:-.build/release/interests}
WORK=${WORK:-/tmp/interests-pg-bench}
mkdir -p "$WORK"
CORPUS="$WORK/corpus-$USERS"
[ -f "$CORPUS/events.jsonl" ] || "$BIN" corpus generate --seed 1 --users "$USERS" --items $((USERS / 10 > 100000 ? 100000 : USERS / 10)) --out "$CORPUS" --json >/dev/null
EVENTS="$CORPUS/events.jsonl"
eval "$(PGTMP_DURABLE=1 .ci/postgres.sh start)"
trap '.ci/postgres.sh stop "$PGTMP_DIR"' EXIT
RESULTS="$WORK/results-$USERS.tsv"
: > "$RESULTS"
# One event already stored: the corpus then takes the chunked path (a first load needs empty event tables).
echo '{"type":"interaction","user":"seed-user","item":"seed-item","action":"view","ts":1700000000}' > "$WORK/seed.jsonl"

# One ingest; appends "backend  seconds  events/s  peakRSS_KB" to the results.
run() {
  local name=$1 db=$2
  local out
  out=$(/usr/bin/time -f "%e %M" "$BIN" ingest --db "$db" --quiet --json "$EVENTS" 2>"$WORK/time.txt")
  local rate
  rate=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(round(r["read"]/r["seconds"]))' "$out")
  read -r wall rss < <(tail -1 "$WORK/time.txt")
  printf '%s\t%s\t%s\t%s\n' "$name" "$wall" "$rate" "$rss" | tee -a "$RESULTS"
}

for r in $(seq 1 "$ROUNDS"); do
  rm -f "$WORK"/r.sqlite*
  run sqlite-first-load "$WORK/r.sqlite"
  rm -f "$WORK"/r.sqlite*
  "$BIN" ingest --db "$WORK/r.sqlite" --quiet "$WORK/seed.jsonl" >/dev/null
  run sqlite-chunked "$WORK/r.sqlite"
  rm -f "$WORK"/r.sqlite*
  run postgres-first-load "$INTERESTS_TEST_POSTGRES&schema=round$r"
  "$BIN" ingest --db "$INTERESTS_TEST_POSTGRES&schema=chunked$r" --quiet "$WORK/seed.jsonl" >/dev/null
  run postgres-chunked "$INTERESTS_TEST_POSTGRES&schema=chunked$r"
done

python3 - "$RESULTS" "$EVENTS" <<'PY'
import statistics, sys
rows = [l.split('\t') for l in open(sys.argv[1]).read().split('\n') if l]
by = {}
for name, wall, rate, rss in rows:
    by.setdefault(name, []).append((float(wall), int(rate), int(rss)))
med = {k: (statistics.median(w for w, _, _ in v), statistics.median(r for _, r, _ in v), max(m for _, _, m in v)) for k, v in by.items()}
events = sum(1 for _ in open(sys.argv[2], 'rb'))
print(f"{events:,} events; medians of {len(by['postgres-first-load'])} rounds (wall s, events/s from the ingest report, peak RSS MB)")
for k, (w, r, m) in med.items():
    print(f"  {k:20} {w:8.1f} s  {r:9,} events/s  {m / 1024:6.0f} MB")
for path in ('first-load', 'chunked'):
    print(f"  postgres / sqlite, {path}: {med['postgres-' + path][1] / med['sqlite-' + path][1]:.2f}x")
PY
