#!/usr/bin/env bash
# Cold items (README "Sequence model"): the text-aware sequence model against the ID-only one on
# a split where a seeded 10% of the items never occur in training (cold_split.py), side by side
# in one run. Each model ranks the whole catalogue for the test users (training items excluded);
# ../shared/peers/evaluate_lists.py scores the full ranking, and NDCG@10 / Recall@10 are also
# computed over the cold items alone (the held-out item among the items new to the model: a
# shop's "new arrivals for you").
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
  "$bin" recommend --db "$db" --method sequence --users "$out/users.txt" --top 1000000 --json > "$out/lists-$mode.jsonl"
  echo "== $mode-aware sequence model" | sed 's/id-aware/ID-only/'
  python3 "$root/../shared/peers/evaluate_lists.py" "$out/split" "$out/lists-$mode.jsonl" --json "$out/eval-$mode.json" | tail -4 | head -2
done
python3 - "$out" <<'PY'
import json, math, sys
out = sys.argv[1]
cold = set(open(f"{out}/split/cold_items.txt").read().split())
test = {json.loads(l)["user"]: json.loads(l)["item"] for l in open(f"{out}/split/test.jsonl") if l.strip()}
result = {}
for mode in ("text", "id"):
    full = json.load(open(f"{out}/eval-{mode}.json"))["all"]["ndcg@10"]
    ndcg = recall = 0.0
    for line in open(f"{out}/lists-{mode}.jsonl"):
        r = json.loads(line)
        ranked = [i for i in r["items"] if i in cold]
        t = test.get(r["user"])
        if t in ranked[:10]:
            k = ranked.index(t)
            ndcg += 1 / math.log2(k + 2)
            recall += 1
    result[mode] = {"ndcg@10_full_catalogue": full, "ndcg@10_among_cold": ndcg / len(test), "recall@10_among_cold": recall / len(test)}
a, b = result["text"]["ndcg@10_among_cold"], result["id"]["ndcg@10_among_cold"]
result["ratio_among_cold"] = a / b if b > 0 else None
result["test_users"], result["cold_items"] = len(test), len(cold)
print(json.dumps(result, indent=1))
PY
