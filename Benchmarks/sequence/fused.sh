#!/usr/bin/env bash
# The fused ranker with and without the sequence feature (README "Sequence model"), side by side
# in one run, on the shared splits: `interests eval --split` with --threads 1 (bit-for-bit
# reproducible), `--sequence none` against the default, the fused lists re-scored by
# ../shared/peers/evaluate_lists.py.
#
#   Benchmarks/sequence/fused.sh [SPLIT…] [OUT]     (release build; SEED (1))
# SPLIT defaults to amazon-all-beauty and movielens-latest-small under ../shared/datasets.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:-/tmp/interests-fused-sequence}
seed=${SEED:-1}
splits=("$@")
[ ${#splits[@]} -eq 0 ] && splits=(amazon-all-beauty movielens-latest-small)
mkdir -p "$out"
for split in "${splits[@]}"; do
  dir=$root/../shared/datasets/$split
  for mode in none auto; do
    "$root/.build/release/interests" eval --db "$out/$split-$mode.sqlite" --split "$dir" --threads 1 --seed "$seed" --sequence "$mode" \
      --report "$out/$split-$mode" --json > "$out/$split-$mode.json"
    fused=$(python3 "$root/../shared/peers/evaluate_lists.py" "$dir" "$out/$split-$mode/lists/fused.jsonl" | awk '$1 == "all" {print $4}')
    python3 - "$out/$split-$mode.json" "$split" "$mode" "$fused" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
m = {x["method"]: round(x["all"]["ndcg"], 4) for x in r["methods"]}
print(json.dumps({"split": sys.argv[2], "sequence": sys.argv[3], "ndcg@10": m, "fused_rescored": float(sys.argv[4]),
                  "ranker_weights_warm": dict(zip(r["training"]["ranker"]["features"], [round(w, 3) for w in r["training"]["ranker"]["warmWeights"]]))}))
PY
  done
done
