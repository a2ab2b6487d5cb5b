#!/usr/bin/env bash
# With a token set (INTERESTS_TOKEN), writes and deletes without it or with a wrong one get 401
# and change nothing; reads need no token; the right token writes.
source "$(dirname "$0")/common.sh"
PORT="${PORT:-18083}"
build_release
small_database
trap stop_server EXIT
copy_db "$SMALL_DB" "$WORK/auth.sqlite"
TOKEN="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
export INTERESTS_TOKEN="$TOKEN"
start_server "$WORK/auth.sqlite" "$PORT"
unset INTERESTS_TOKEN
python3 "$HERE/checks.py" auth "$PORT" "$WORK/auth.sqlite" "$TOKEN"
