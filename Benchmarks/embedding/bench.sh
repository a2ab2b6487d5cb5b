#!/usr/bin/env bash
# Runs bench.py in its own virtual environment with gensim (the skip-gram peer).
#
#   Benchmarks/embedding/bench.sh [bench.py options]      e.g. --bin DIR --out DIR --sections 12
#
# The environment lives at ${EMB_VENV:-$HOME/.embedding-bench-venv}; it is created on first use
# (with ${PYTHON:-python3}, 3.11 or newer) and gets gensim (${GENSIM_VERSION:-4.4.0}, the version in
# the peers' environment), numpy and scipy from PyPI. Section 3 still runs evaluate_lists.py and
# peers.py with the peers' Python (--peers-python, default ~/.peers-venv/bin/python; create it with
# ../shared/peers/setup.sh). Every argument is passed to bench.py.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${EMB_VENV:-$HOME/.embedding-bench-venv}"
PY="${PYTHON:-python3}"
GENSIM="${GENSIM_VERSION:-4.4.0}"

if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "bench.sh: $PY is missing or older than Python 3.11; set PYTHON=/path/to/python3.11" >&2
        exit 2
    fi
    echo "bench.sh: creating virtual environment $VENV" >&2
    "$PY" -m venv "$VENV"
fi
# Install (or repair) only when the packages are not importable at the expected gensim version.
if ! "$VENV/bin/python" -c "import sys, numpy, scipy, gensim; from gensim.models.word2vec import FAST_VERSION; sys.exit(gensim.__version__ != '$GENSIM')" 2>/dev/null; then
    echo "bench.sh: installing gensim==$GENSIM numpy scipy into $VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "gensim==$GENSIM" numpy scipy
fi
exec "$VENV/bin/python" "$HERE/bench.py" "$@"
