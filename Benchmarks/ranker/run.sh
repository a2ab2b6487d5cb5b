#!/usr/bin/env bash
# The fused ranker, measured (release build):
#  (1) quality on the shared splits (amazon-all-beauty, movielens-latest-small): `interests eval
#      --split` ranks the whole catalogue for every test user with popularity, text, CF and fused
#      (seen items excluded), writes the lists, and the lists are re-scored by
#      ../shared/peers/evaluate_lists.py — printed next to the peers' reference figures
#      (../shared/peers/results/SET.json: popularity, implicit ALS, LightFM, MiniLM text-only).
#      With PEERS=1 the peers are re-run first (peers.py, ~/.peers-venv) and those figures used.
#      SEEDS="1 2 3" repeats the fused method with other training seeds (movielens varies by seed).
#  (2) batch speed: `interests-bench recommend` on a generated shop of 20,000 users x 10,000 items
#      (users/s scoring, and including the one-off model and signal load), plus per-user rank latency;
#  (3) rank latency over a 100,000-item catalogue (generated: 30,000 users x 100,000 items).
# Usage: Benchmarks/ranker/run.sh [OUT_DIR]   (skips (1) when ../shared is absent; the generated
#        databases of (2) and (3) are kept in OUT_DIR and reused by the next run)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$HERE/../.."
OUT="${1:-$(mktemp -d)}"
PEERS_PY="${PEERS_PYTHON:-$HOME/.peers-venv/bin/python}"
SHARED="$(cd "$ROOT/.." && pwd)/shared"
SECTIONS="${SECTIONS:-123}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
(cd "$ROOT" && swift build -c release --product interests >/dev/null && swift build -c release --product interests-bench >/dev/null)
B="$ROOT/.build/release/interests"
BB="$ROOT/.build/release/interests-bench"

if [[ "$SECTIONS" == *1* ]] && [ -d "$SHARED/datasets" ] && [ -x "$PEERS_PY" ]; then
    PEER_RESULTS="$SHARED/peers/results"
    if [ "${PEERS:-0}" = 1 ]; then
        PEER_RESULTS="$OUT/peers"
        mkdir -p "$PEER_RESULTS"
    fi
    for SET in amazon-all-beauty movielens-latest-small; do
        SPLIT="$SHARED/datasets/$SET"
        echo "== (1) $SET"
        if [ "${PEERS:-0}" = 1 ]; then
            (cd "$SHARED/peers" && "$PEERS_PY" peers.py "$SET" --results "$PEER_RESULTS" >/dev/null)
        fi
        rm -rf "$OUT/$SET"
        "$B" eval --db "$OUT/$SET.sqlite" --split "$SPLIT" --report "$OUT/$SET" --quiet > "$OUT/$SET-eval.txt"
        cat "$OUT/$SET-eval.txt"
        for M in popularity text cf fused; do
            echo -n "evaluate_lists.py $M: "
            (cd "$SHARED/peers" && "$PEERS_PY" evaluate_lists.py "$SPLIT" "$OUT/$SET/lists/$M.jsonl" | sed -n 2,4p | tr '\n' ' ')
            echo
        done
        for S in ${SEEDS:-}; do
            rm -rf "$OUT/$SET-seed$S"
            "$B" eval --db "$OUT/$SET-seed$S.sqlite" --split "$SPLIT" --methods fused --seed "$S" --report "$OUT/$SET-seed$S" --quiet > /dev/null
            echo -n "fused, seed $S: "
            (cd "$SHARED/peers" && "$PEERS_PY" evaluate_lists.py "$SPLIT" "$OUT/$SET-seed$S/lists/fused.jsonl" | sed -n 2p)
        done
        python3 - "$PEER_RESULTS/$SET.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print("peers (%s):" % sys.argv[1])
for name, m in r["methods"].items():
    if "all" in m:
        cold = (m.get("cold") or {}).get("ndcg@10")
        print("  %-28s NDCG@10 %.4f  R@10 %.4f  cold NDCG@10 %s" % (name, m["all"]["ndcg@10"], m["all"]["recall@10"], "–" if cold is None else "%.4f" % cold))
EOF
    done
fi

if [[ "$SECTIONS" == *2* ]]; then
    echo "== (2) batch recommendations, 20,000 users x 10,000 items"
    DB="$OUT/r10k.sqlite"
    if [ ! -f "$DB" ]; then
        "$B" corpus generate --seed 11 --users 20000 --items 10000 --out "$OUT/r10k" >/dev/null
        "$B" ingest --db "$DB" --quiet "$OUT/r10k/events.jsonl" >/dev/null
        "$B" train --db "$DB" --quiet >/dev/null
    fi
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    "$BB" recommend --db "$DB" --method fused
    "$BB" recommend --db "$DB" --method cf --rank-users 0
fi

if [[ "$SECTIONS" == *3* ]]; then
    echo "== (3) rank latency, 100,000 items"
    DB="$OUT/c100k.sqlite"
    if [ ! -f "$DB" ]; then
        "$B" corpus generate --seed 5 --users 30000 --items 100000 --out "$OUT/c100k" >/dev/null
        "$B" ingest --db "$DB" --quiet "$OUT/c100k/events.jsonl" >/dev/null
        "$B" train --db "$DB" --quiet >/dev/null
    fi
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    "$BB" recommend --db "$DB" --method fused --rank-users 500
fi
