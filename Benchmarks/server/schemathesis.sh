#!/usr/bin/env bash
# docs/openapi.yaml against the running service: schemathesis with every check (--checks all)
# and its default phases and data (positive and negative; of the phases, coverage and fuzzing
# run — the spec has no examples and no links, so examples and stateful have nothing to do), on
# a fresh copy of the demo database (Corpora/default, trained), with a write token and a read
# token set (the requests carry the write token). Exits non-zero on any failure.
#
#   Benchmarks/server/schemathesis.sh            # release build, seed 1
#   SEED=7 Benchmarks/server/schemathesis.sh     # another seed
#   INTERESTS_BIN=.build/debug/interests Benchmarks/server/schemathesis.sh
#   Benchmarks/server/schemathesis.sh --max-examples 500   # further arguments go to `st run`
#
# The venv (default out/venv-schemathesis, or ST_VENV) is created with a pinned schemathesis
# when absent; its report (JUnit XML and the NDJSON event log) goes to out/server/schemathesis/.
source "$(dirname "$0")/common.sh"
PORT="${PORT:-18084}"
SEED="${SEED:-1}"
ST_VERSION="4.32.5"
VENV="${ST_VENV:-$ROOT/out/venv-schemathesis}"

if [ ! -x "$VENV/bin/st" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "schemathesis==$ST_VERSION"
fi
build_release

DEMO="$WORK/schemathesis-demo.sqlite"
if [ ! -f "$DEMO" ]; then
  "$BIN" demo --db "$DEMO" --corpus "$ROOT/Corpora/default" --no-eval >"$WORK/schemathesis-demo.log" 2>&1
fi
trap stop_server EXIT
copy_db "$DEMO" "$WORK/schemathesis.sqlite"
TOKEN="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
READ_TOKEN="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
export INTERESTS_TOKEN="$TOKEN" INTERESTS_READ_TOKEN="$READ_TOKEN"
start_server "$WORK/schemathesis.sqlite" "$PORT"
unset INTERESTS_TOKEN INTERESTS_READ_TOKEN

REPORT="$WORK/schemathesis"
rm -rf "$REPORT"
set +e
# From $WORK: schemathesis keeps its example database (.schemathesis/) in the working directory.
cd "$WORK"
"$VENV/bin/st" run "$ROOT/docs/openapi.yaml" --url "http://127.0.0.1:$PORT" --checks all --seed "$SEED" \
  --header "Authorization: Bearer $TOKEN" --report junit,ndjson --report-dir "$REPORT" "$@" | tee "$REPORT.txt"
status=${PIPESTATUS[0]}
set -e
echo "schemathesis $("$VENV/bin/st" --version | awk '{print $3}'), seed $SEED: $(grep -E '[0-9]+ generated' "$REPORT.txt" | sed 's/^ *//'); exit status $status (report in $REPORT)"
exit "$status"
