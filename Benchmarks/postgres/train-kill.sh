#!/usr/bin/env bash
# A training worker killed mid-run on PostgreSQL: the active generation must be untouched (same
# models, same lists) and the next run must succeed — at once, without --take-over (the dead
# run's lease went with its process).
#   Benchmarks/postgres/train-kill.sh [USERS] [KILL_AFTER_SECONDS]   (defaults: 20000, 10)
# Needs: a release build (swift build -c release --product interests), Debian postgresql.
set -euo pipefail
cd "$(dirname "$0")/../.."
USERS=${1:-20000}
KILL_AFTER=${2:-10}
BIN=${BIN:-.build/release/interests}
WORK=$(mktemp -d /tmp/interests-kill.XXXXXX)
eval "$(PGTMP_DURABLE=1 .ci/postgres.sh start)"
trap '.ci/postgres.sh stop "$PGTMP_DIR"; rm -rf "$WORK"' EXIT
DB="$INTERESTS_TEST_POSTGRES&schema=shop"
TRAIN=(--threads 1 --seed 1)
"$BIN" corpus generate --seed 1 --users "$USERS" --items $((USERS / 10)) --out "$WORK/corpus" --json >/dev/null
"$BIN" ingest --db "$DB" --quiet "$WORK/corpus/events.jsonl"
t0=$(date +%s.%N)
"$BIN" train --db "$DB" "${TRAIN[@]}" --quiet >/dev/null
echo "first run: $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s"
versions() { "$BIN" stats --db "$DB" --json | python3 -c 'import json,sys; s=json.load(sys.stdin); print(json.dumps(s.get("models"), sort_keys=True))'; }
states() { "$BIN" stats --db "$DB" --json | python3 -c 'import json,sys; s=json.load(sys.stdin); print(" ".join(str(g["id"]) + ":" + g["state"] for g in s.get("generations", [])))'; }
lists() { "$BIN" recommend --db "$DB" --method fused --all --top 10 --threads 1 2>/dev/null | md5sum | cut -c1-12; }
before_versions=$(versions); before_lists=$(lists)
echo "before: generations $(states); fused lists digest $before_lists"
"$BIN" train --db "$DB" "${TRAIN[@]}" --quiet >/dev/null 2>&1 &
worker=$!
sleep "$KILL_AFTER"
kill -9 "$worker"; wait "$worker" 2>/dev/null || true
echo "killed the second run after ${KILL_AFTER} s: generations $(states)"
after_versions=$(versions); after_lists=$(lists)
[ "$after_versions" = "$before_versions" ] && echo "active models unchanged" || echo "ACTIVE MODELS CHANGED: $before_versions -> $after_versions"
[ "$after_lists" = "$before_lists" ] && echo "fused lists unchanged ($after_lists)" || echo "LISTS CHANGED: $after_lists"
t0=$(date +%s.%N)
"$BIN" train --db "$DB" "${TRAIN[@]}" --quiet >/dev/null
echo "next run, no --take-over: succeeded in $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s; generations $(states)"
[ "$(lists)" = "$before_lists" ] && echo "lists of the new generation equal the first's (same data, same seed)" || echo "lists of the new generation differ from the first's"
