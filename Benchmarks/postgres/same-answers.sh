#!/usr/bin/env bash
# The same answers from both backends: a prepared split (train.jsonl + test.jsonl, e.g.
# ../shared/datasets/amazon-all-beauty) ingested into an SQLite file and into a throw-away
# PostgreSQL, every model (tokenizer, text vectors, terms, profiles, CF, neighbours, sequence
# model, fused ranker) trained on each with the same seed and one thread, every method's lists
# for every user compared line by line and scored by the shared protocol
# (../shared/peers/evaluate_lists.py); `TRAIN_ARGS="--no-text"` compares the behaviour models alone.
#   Benchmarks/postgres/same-answers.sh DATASET_DIR [TOP]
# Needs: a release build (swift build -c release --product interests), Debian postgresql,
# python3 with numpy (the peers' evaluate_lists.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=$(cd "${1:?usage: same-answers.sh DATASET_DIR [TOP]}" && pwd)
TOP=${2:-10}
BIN=${BIN:-.build/release/interests}
PEERS=${PEERS:-../shared/peers}
WORK=$(mktemp -d /tmp/interests-same.XXXXXX)
eval "$(.ci/postgres.sh start)"
trap '.ci/postgres.sh stop "$PGTMP_DIR"; rm -rf "$WORK"' EXIT
FILE="$WORK/shop.sqlite"
PG="$INTERESTS_TEST_POSTGRES&schema=same"
read -r -a EXTRA <<< "${TRAIN_ARGS:-}"
TRAIN=(--threads 1 --seed 1 --sequence sasrec "${EXTRA[@]}")
for db in "$FILE" "$PG"; do
  "$BIN" ingest --db "$db" --quiet "$DATA/train.jsonl" >/dev/null
  start=$(date +%s.%N)
  "$BIN" train --db "$db" "${TRAIN[@]}" --quiet >/dev/null
  echo "trained on ${db%%\?*} in $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"
done
status=0
METHODS=(text cf sequence popularity fused)
[[ " ${EXTRA[*]:-} " == *" --no-text "* ]] && METHODS=(cf sequence popularity fused)
for method in "${METHODS[@]}"; do
  "$BIN" recommend --db "$FILE" --method "$method" --all --top "$TOP" --threads 1 2>/dev/null > "$WORK/sqlite-$method.jsonl"
  "$BIN" recommend --db "$PG" --method "$method" --all --top "$TOP" --threads 1 2>/dev/null > "$WORK/postgres-$method.jsonl"
  lines=$(wc -l < "$WORK/sqlite-$method.jsonl")
  if cmp -s "$WORK/sqlite-$method.jsonl" "$WORK/postgres-$method.jsonl"; then same="identical"; else same="DIFFERENT"; status=1; fi
  ndcg() { python3 "$PEERS/evaluate_lists.py" "$DATA" "$1" --k "$TOP" --json "$WORK/score.json" >/dev/null && python3 -c "import json; r=json.load(open('$WORK/score.json')); print(round(r['all']['ndcg@$TOP'], 4))"; }
  echo "$method: $lines lists, $same; NDCG@$TOP SQLite $(ndcg "$WORK/sqlite-$method.jsonl"), PostgreSQL $(ndcg "$WORK/postgres-$method.jsonl")"
done
exit $status
