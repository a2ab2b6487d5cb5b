#!/usr/bin/env bash
# Cold items (README "Sequence model"): the text-aware sequence model against the ID-only one on
# a split where a seeded 10% of the items never occur in training (cold_split.py), side by side
# in one run. Scores each model's top-10 lists of the test users with
# ../shared/peers/evaluate_lists.py (full ranking over every item, training items excluded).
#
#   Benchmarks/sequence/cold_items.sh [EVENTS] [OUT]   (release build: swift build -c release)
#
# EVENTS defaults to ../shared/datasets/movielens-latest-small/events.jsonl (items carry titles,
# genres and tags; the all-beauty items carry no text of their own, so a cold item there has none).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
events=${1:-$root/../shared/datasets/movielens-latest-small/events.jsonl}
out=${2:-/tmp/interests-cold-items}
bin=$root/.build/release/interests
seed=${SEED:-1}
mkdir -p "$out"
python3 "$here/cold_split.py" "$events" "$out/split" --seed "$seed"
python3 -c "import json,sys; [print(json.loads(l)['user']) for l in open(sys.argv[1]) if l.strip()]" "$out/split/test.jsonl" > "$out/users.txt"
for mode in text id; do
  db=$out/$mode.sqlite
  rm -f "$db" "$db-wal" "$db-shm"
  "$bin" ingest --db "$db" "$out/split/train.jsonl" > /dev/null
  extra=()
  [ "$mode" = id ] && extra=(--sequence-id-only)
  "$bin" train --db "$db" --seed "$seed" --json "${extra[@]}" > "$out/train-$mode.json"
  "$bin" recommend --db "$db" --method sequence --users "$out/users.txt" --top 10 --json > "$out/lists-$mode.jsonl"
  echo "== $mode-aware sequence model" | sed 's/id-aware/ID-only/'
  python3 "$root/../shared/peers/evaluate_lists.py" "$out/split" "$out/lists-$mode.jsonl" --json "$out/eval-$mode.json" | tail -4
done
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
t = json.load(open(f"{out}/eval-text.json")); i = json.load(open(f"{out}/eval-id.json"))
def ndcg(r): return r["all"]["ndcg@10"] if "all" in r else r["ndcg@10"]
a, b = ndcg(t), ndcg(i)
print(json.dumps({"text_aware_ndcg@10": a, "id_only_ndcg@10": b, "ratio": (a / b) if b > 0 else None}))
PY
