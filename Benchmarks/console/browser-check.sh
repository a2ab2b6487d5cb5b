#!/usr/bin/env bash
# The web console in a real browser: builds the demo database, starts `interests serve` on a
# free port, opens every page in headless Chromium (Debian `chromium`) driven over the DevTools
# protocol (devtools_check.py), and fails on a page that answers the wrong status, lacks its
# expected elements, logs anything to the console (a script error, a refused resource, a
# Content-Security-Policy violation), throws, has an image that did not load or a chart (SVG)
# that did not lay out. The DOM as Chromium built it and a screenshot of each page go to a
# temporary folder (printed at the end; not committed).
#
#   Benchmarks/console/browser-check.sh            # release build of `interests`, demo database
#   BIN=.build/debug/interests DB=shop.sqlite Benchmarks/console/browser-check.sh
#
# BIN: the `interests` binary (default .build/release/interests, built if missing).
# DB: an existing trained database to check instead of building the demo one.
# USERS: the user ids to open (default: the demo's u000001 English, u000002 Chinese, u000005 with
#   several interests); the first also gets a personalised search and gives the item page's item.
# QUERY: the search's text (default: tent).
# OUT: where screenshots and dumps go (default: a new temporary folder).
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${BIN:-.build/release/interests}
OUT=${OUT:-$(mktemp -d /tmp/console-check.XXXXXX)}
mkdir -p "$OUT"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v chromium >/dev/null; then
    echo "installing chromium (and CJK fonts, so Chinese text renders in the screenshots)"
    as_root apt-get update -qq
    as_root apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
if [ ! -x "$BIN" ]; then
    echo "building $BIN"
    case "$BIN" in
        *release*) swift build -c release --product interests ;;
        *) swift build --product interests ;;
    esac
fi

if [ -z "${DB:-}" ]; then
    DB="$OUT/demo.sqlite"
    echo "building the demo database $DB"
    "$BIN" demo --db "$DB" --no-eval >"$OUT/demo.log" 2>&1
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
"$BIN" serve --db "$DB" --port "$PORT" >"$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "$BASE/healthz" >/dev/null

read -r -a users <<<"${USERS:-u000001 u000002 u000005}"
quote() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
FIRST=$(quote "${users[0]}")
QUERY=$(quote "${QUERY:-tent}")
# The item page's item: the first user's first recommendation (so the page has an audience to
# show), or an item of their history when nothing is recommended.
ITEM=$( (curl -fsS "$BASE/v1/users/$FIRST/recommendations?k=10"; echo; curl -fsS "$BASE/v1/users/$FIRST/history?limit=100") | python3 -c '
import json, sys, urllib.parse
answers = [json.loads(l) for l in sys.stdin if l.strip()]
items = [x["item"] for x in answers[0].get("items", [])] + [x["item"] for x in answers[1]["events"] if x.get("item")]
print(urllib.parse.quote(items[0], safe=""))')

# name | path | expected status | the elements the page must hold (ids, grep -F each)
PAGES=("shop|/console|200|id=\"counts\" id=\"generations\" id=\"evaluation\" id=\"service\" <svg")
for k in "${!users[@]}"; do
    PAGES+=("user-$((k + 1))|/console/users/$(quote "${users[$k]}")|200|id=\"interests\" id=\"recommendations\" id=\"history\" <svg")
done
PAGES+=(
    "user-search|/console/users/$FIRST?query=$QUERY&limit=5|200|id=\"search\" Personalised class=\"ranked\""
    "item|/console/items/$ITEM|200|id=\"record\" id=\"neighbours\" id=\"lookalikes\" id=\"terms\" id=\"audience\""
    "unknown-user|/console/users/no-such-user|404|id=\"error\" unknown_user"
    "unknown-item|/console/items/no-such-item|404|id=\"error\" unknown_items"
)

failures=0
fail() { echo "FAIL $1"; failures=$((failures + 1)); }

# One headless Chromium driven over the DevTools protocol (devtools_check.py): per page every
# console message, uncaught exception and log entry (refused resources, Content-Security-Policy
# violations), images that did not load and SVGs that did not lay out; the DOM as Chromium built
# it and a screenshot.
PROFILE=$(mktemp -d /tmp/console-chromium.XXXXXX)
chromium --headless --disable-gpu --no-sandbox --hide-scrollbars --remote-debugging-port=0 --user-data-dir="$PROFILE" \
    about:blank >"$OUT/chromium.log" 2>&1 &
BROWSER=$!
trap 'kill $SERVER $BROWSER 2>/dev/null || true; wait $BROWSER 2>/dev/null || true; rm -rf "$PROFILE" 2>/dev/null || true' EXIT
WS=""
for _ in $(seq 1 100); do
    WS=$(grep -o 'ws://[^ ]*' "$OUT/chromium.log" | head -1 || true)
    [ -n "$WS" ] && break
    sleep 0.1
done
[ -n "$WS" ] || { echo "chromium did not open its DevTools endpoint:"; cat "$OUT/chromium.log"; exit 1; }

args=()
for entry in "${PAGES[@]}"; do
    IFS='|' read -r name path status expected <<<"$entry"
    got=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$path")
    [ "$got" = "$status" ] || fail "$name: status $got, expected $status"
    args+=("$name=$BASE$path")
done
python3 "$(dirname "$0")/devtools_check.py" "$WS" "$OUT" "${args[@]}" >"$OUT/devtools.jsonl" || fail "the DevTools check did not run"
for entry in "${PAGES[@]}"; do
    IFS='|' read -r name path status expected <<<"$entry"
    line=$(grep -F "\"name\": \"$name\"" "$OUT/devtools.jsonl" || true)
    [ -n "$line" ] || { fail "$name: not checked"; continue; }
    problems=$(python3 -c 'import json,sys; [print("    " + p) for p in json.loads(sys.argv[1])["problems"]]' "$line")
    [ -z "$problems" ] || { fail "$name: in the browser:"; echo "$problems"; }
    for want in $expected; do
        grep -qF -- "$want" "$OUT/$name.html" || fail "$name: no '$want' in the rendered page"
    done
    [ -s "$OUT/$name.png" ] || fail "$name: no screenshot"
    echo "checked $name ($path): status $status, $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["svgs"])' "$line") charts"
done

echo "screenshots and rendered pages: $OUT"
if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all ${#PAGES[@]} pages passed"
