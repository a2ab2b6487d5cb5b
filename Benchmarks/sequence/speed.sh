#!/usr/bin/env bash
# Sequence-model training speed against the PyTorch peer (README "Sequence model"): the same
# architecture, loss (full softmax), batch size (128 histories), dimension 64, 2 blocks, 1 head,
# 50 positions, dropout 0.5, on 2 threads each, on the same event file — alternating runs of
# --epochs epochs each, ROUNDS times; prints each run's epoch seconds and the medians.
#
#   Benchmarks/sequence/speed.sh [TRAIN_JSONL] [ROUNDS]    (release build; PYTHON: a Python with torch)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
train=${1:-$root/../shared/datasets/seq-beauty/train.jsonl}
rounds=${2:-3}
epochs=${EPOCHS:-3}
python=${PYTHON:-python3}
out=$(mktemp -d)
common=(--batch 128 --dimension 64 --blocks 2 --heads 1 --max-length 50 --dropout 0.5 --lr 0.002 --seed 1)
for r in $(seq 1 "$rounds"); do
  "$root/.build/release/interests-bench" sequence --train "$train" --epochs "$epochs" --threads 2 --validation-users 0 --loss full \
    "${common[@]}" 2> "$out/ours-$r.log" > /dev/null
  OMP_NUM_THREADS=2 "$python" "$here/sasrec_torch.py" bench --train "$train" --epochs "$epochs" --threads 2 "${common[@]}" \
    > "$out/torch-$r.log" 2>&1
  echo "round $r: interests $(grep -o '"epochs":\[[^]]*\]' "$out/ours-$r.log")  pytorch $(grep -o '"epochs": \[[^]]*\]' "$out/torch-$r.log")"
done
"$python" - "$out" "$rounds" <<'PY'
import json, re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def epochs(path, key):
    m = re.search(key + r'\s*:\s*\[([^\]]*)\]', open(path).read())
    return [float(x) for x in m.group(1).split(",")]
ours = [e for r in range(1, rounds + 1) for e in epochs(f"{out}/ours-{r}.log", '"epochs"')]
torch = [e for r in range(1, rounds + 1) for e in epochs(f"{out}/torch-{r}.log", '"epochs"')]
a, b = statistics.median(ours), statistics.median(torch)
print(json.dumps({"interests_median_epoch_s": round(a, 3), "pytorch_median_epoch_s": round(b, 3), "speedup": round(b / a, 2),
                  "epochs_each": len(ours)}))
PY
