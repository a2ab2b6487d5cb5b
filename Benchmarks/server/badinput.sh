#!/usr/bin/env bash
# Bad input against a running server: malformed JSON, wrong types, huge numbers, deep nesting,
# invalid UTF-8, an oversized body, SQL and ../ in user ids. Each must get a 4xx, the server
# must stay up, and nothing may be written. (The seeded fuzz run is in `swift test`:
# BadInputTests.seededFuzz.)
source "$(dirname "$0")/common.sh"
PORT="${PORT:-18082}"
build_release
small_database
trap stop_server EXIT
copy_db "$SMALL_DB" "$WORK/bad.sqlite"
start_server "$WORK/bad.sqlite" "$PORT"
python3 "$HERE/checks.py" badinput "$PORT" "$WORK/bad.sqlite"
