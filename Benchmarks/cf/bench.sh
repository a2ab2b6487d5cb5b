#!/usr/bin/env bash
# Runs bench.py in its own virtual environment with implicit (the ALS peer).
#
#   Benchmarks/cf/bench.sh [bench.py options]      e.g. --bin DIR --out DIR --sections 1
#
# The environment lives at ${CF_VENV:-$HOME/.cf-bench-venv}; it is created on first use (with
# ${PYTHON:-python3}, 3.11 or newer) and gets implicit (${IMPLICIT_VERSION:-0.7.3}, the version in the
# peers' environment), numpy, scipy and threadpoolctl from PyPI. Section 1 runs implicit with this
# Python. Section 2 runs evaluate_lists.py and the peers' own ALS (peers.py's tune_als_alpha and
# fit_als) with the peers' Python (--peers-python, default ~/.peers-venv/bin/python; create it with
# ../shared/peers/setup.sh). Every argument is passed to bench.py.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${CF_VENV:-$HOME/.cf-bench-venv}"
PY="${PYTHON:-python3}"
IMPLICIT="${IMPLICIT_VERSION:-0.7.3}"

if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "bench.sh: $PY is missing or older than Python 3.11; set PYTHON=/path/to/python3.11" >&2
        exit 2
    fi
    echo "bench.sh: creating virtual environment $VENV" >&2
    "$PY" -m venv "$VENV"
fi
# Install (or repair) only when the packages are not importable at the expected implicit version.
if ! "$VENV/bin/python" -c "import sys, numpy, scipy, threadpoolctl, implicit; from implicit.cpu import _als; sys.exit(implicit.__version__ != '$IMPLICIT')" 2>/dev/null; then
    echo "bench.sh: installing implicit==$IMPLICIT numpy scipy threadpoolctl into $VENV" >&2
    if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "implicit==$IMPLICIT" numpy scipy threadpoolctl; then
        echo "bench.sh: pip could not install implicit==$IMPLICIT (no wheel for this Python/platform and the" >&2
        echo "source build failed?); use PYTHON=/path/to/another/python3, or run bench.py with the peers' Python:" >&2
        echo "  ~/.peers-venv/bin/python $HERE/bench.py [options]" >&2
        exit 2
    fi
fi
exec "$VENV/bin/python" "$HERE/bench.py" "$@"
