#!/usr/bin/env bash
# Interest profiles and terms, measured (release build):
#  (1) precision@10 of `interests terms` against Corpora/default's planted terms, English and
#      Chinese users apart, and how often a multi-interest user's planted interests land in
#      separate clusters (ground_truth.py);
#  (2) ../shared/peers/terms_eval.py on every shared event set with a split ($SETS, default
#      amazon-all-beauty movielens-latest-small seq-beauty seq-toys): our terms as BM25 queries
#      against the two naive baselines, for train seeds $SEEDS (default 1 2 3): with the "what
#      next" settings train chose, with the fallback ones (--fixed-next-terms) and without next
#      terms (--next 0) (terms_eval.py needs only python3);
#  (3) per-user `terms` latency with models loaded (interests-bench terms) and whole-process
#      `interests terms` wall time, on a generated world of 100,000 users;
#  (4) ingest rate with vectors and profile updates into that trained database (1.1 M events).
# Usage: [SECTIONS="1 2 3 4"] [SEEDS="1 2 3"] [SETS="…"] Benchmarks/terms/run.sh [OUT_DIR]
#        (skips (2) when ../shared is absent)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$HERE/../.."
OUT="${1:-$(mktemp -d)}"
PEERS_PY="${PEERS_PYTHON:-python3}"
SECTIONS="${SECTIONS:-1 2 3 4}"
section() { [[ " $SECTIONS " == *" $1 "* ]]; }
SHARED="$ROOT/../shared"
mkdir -p "$OUT"
(cd "$ROOT" && swift build -c release --product interests >/dev/null && swift build -c release --product interests-bench >/dev/null)
B="$ROOT/.build/release/interests"
BB="$ROOT/.build/release/interests-bench"

if section 1; then
echo "== (1) Corpora/default ground truth"
rm -f "$OUT/corpus.sqlite"*
"$B" ingest --db "$OUT/corpus.sqlite" --quiet "$ROOT/Corpora/default/events.jsonl" >/dev/null
"$B" train --db "$OUT/corpus.sqlite" --cf none --quiet >/dev/null
python3 -c "import json,sys; print('\n'.join(json.loads(l)['user'] for l in open(sys.argv[1])))" "$ROOT/Corpora/default/ground_truth.jsonl" > "$OUT/gt_users.txt"
"$B" terms --db "$OUT/corpus.sqlite" --users "$OUT/gt_users.txt" --json > "$OUT/terms10.jsonl"
python3 "$HERE/ground_truth.py" "$ROOT/Corpora/default/ground_truth.jsonl" "$OUT/terms10.jsonl"
"$B" terms --db "$OUT/corpus.sqlite" --users "$OUT/gt_users.txt" --json --top 30 > "$OUT/terms30.jsonl"
echo -n "(clusters judged on the top 30 terms) "; python3 "$HERE/ground_truth.py" "$ROOT/Corpora/default/ground_truth.jsonl" "$OUT/terms30.jsonl" | tail -1
fi

if section 2 && [ -d "$SHARED/datasets" ]; then
    for set in ${SETS:-amazon-all-beauty movielens-latest-small seq-beauty seq-toys}; do
        data="$SHARED/datasets/$set"
        [ -f "$data/train.jsonl" ] || { echo "(2) $set: no split, skipped"; continue; }
        # Terms are words of texts: a set of bare interactions (the sequence sets) has none.
        grep -q '"text"' "$data/train.jsonl" || { echo "(2) $set: no texts (interactions only), no terms to measure"; continue; }
        echo "== (2) $set: terms as BM25 queries (terms_eval.py), train seeds ${SEEDS:-1 2 3}"
        python3 -c "import json,sys; print('\n'.join(sorted({json.loads(l)['user'] for l in open(sys.argv[1])})))" "$data/test.jsonl" > "$OUT/$set-users.txt"
        for seed in ${SEEDS:-1 2 3}; do
            # The database's own choice of the "what next" settings, the fallback settings
            # (--fixed-next-terms), and no next terms at all (--next 0).
            for mode in chosen fallback; do
                rm -f "$OUT/$set.sqlite"*
                "$B" ingest --db "$OUT/$set.sqlite" --quiet "$data/train.jsonl" >/dev/null
                fixed=(); [ "$mode" = fallback ] && fixed=(--fixed-next-terms)
                "$B" train --db "$OUT/$set.sqlite" --cf none --seed "$seed" "${fixed[@]}" --quiet | grep "what next" || true
                for next in default 0; do
                    [ "$mode" = fallback ] && [ "$next" = 0 ] && continue
                    flag=(); [ "$next" = 0 ] && flag=(--next 0)
                    "$B" terms --db "$OUT/$set.sqlite" --users "$OUT/$set-users.txt" --json "${flag[@]}" > "$OUT/$set-terms.jsonl"
                    echo -n "$set seed $seed, $mode settings$([ "$next" = 0 ] && echo ', --next 0'): "
                    (cd "$SHARED/peers" && "$PEERS_PY" terms_eval.py "$data" "$OUT/$set-terms.jsonl")
                done
            done
        done
    done
fi

if section 3; then
echo "== (3) latency on 100,000 users"
if [ ! -f "$OUT/w100k.sqlite" ]; then
    "$B" corpus generate --seed 11 --users 100000 --out "$OUT/w100k" >/dev/null
    "$B" ingest --db "$OUT/w100k.sqlite" --quiet "$OUT/w100k/events.jsonl" >/dev/null
    "$B" train --db "$OUT/w100k.sqlite" --cf none --quiet >/dev/null
fi
python3 -c "import random; random.seed(1); print('\n'.join('u%06d' % random.randint(1, 100000) for _ in range(300)))" > "$OUT/users300.txt"
"$BB" terms --db "$OUT/w100k.sqlite" --users "$OUT/users300.txt"
for u in u000001 u050000 u099999; do
    /usr/bin/time -f "whole process: interests terms --user $u %e s, %M KB" "$B" terms --db "$OUT/w100k.sqlite" --user "$u" --json >/dev/null
done

fi

if section 4; then
echo "== (4) ingest with vectors and profile updates"
"$B" corpus generate --seed 12 --users 20000 --out "$OUT/w20k" >/dev/null
cp "$OUT/w100k.sqlite" "$OUT/w100k-ingest.sqlite"
"$B" ingest --db "$OUT/w100k-ingest.sqlite" --quiet "$OUT/w20k/events.jsonl"
rm -f "$OUT/w100k-ingest.sqlite"*
fi
echo "output in $OUT"
