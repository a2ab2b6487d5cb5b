#!/usr/bin/env bash
# The whole `interests tokenize --file` process against Hugging Face tokenizers' encode_batch plus
# json.dumps of the same fields, also a whole process, run alternately; prints medians and ratio.
#
#   Benchmarks/tokenizer/cli.sh [--bin DIR] [--file F] [--tokenizer T.json] [--runs N] [--special] [--out DIR]
#
# Without --bin it builds `swift build -c release --product interests` in the repository and uses
# .build/release. The Python environment is venv.sh's. The other options are cli.py's (defaults:
# ../shared/datasets/womens-clothing/corpus.txt, the all-MiniLM-L6-v2 tokenizer.json, 7 runs).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
args=("$@")
given_bin=0
for a in "$@"; do [[ "$a" == --bin || "$a" == --bin=* ]] && given_bin=1; done
if [ "$given_bin" = 0 ]; then
    echo "building interests (release)" >&2
    (cd "$ROOT" && swift build -c release --product interests >&2)
    args+=(--bin "$ROOT/.build/release")
fi
source "$HERE/venv.sh"
exec "$PY" "$HERE/cli.py" bench "${args[@]}"
