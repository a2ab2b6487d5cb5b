#!/usr/bin/env bash
# With a write token and a read token set (INTERESTS_TOKEN, INTERESTS_READ_TOKEN): reads and
# writes without a token or with a wrong one get 401 and change nothing; the read token reads and
# its writes get 403; the write token reads and writes; /healthz and /metrics need no token.
source "$(dirname "$0")/common.sh"
PORT="${PORT:-18083}"
build_release
small_database
trap stop_server EXIT
copy_db "$SMALL_DB" "$WORK/auth.sqlite"
TOKEN="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
READ_TOKEN="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
export INTERESTS_TOKEN="$TOKEN" INTERESTS_READ_TOKEN="$READ_TOKEN"
start_server "$WORK/auth.sqlite" "$PORT"
unset INTERESTS_TOKEN INTERESTS_READ_TOKEN
python3 "$HERE/checks.py" auth "$PORT" "$WORK/auth.sqlite" "$TOKEN" "$READ_TOKEN"
