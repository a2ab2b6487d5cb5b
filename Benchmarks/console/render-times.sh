#!/usr/bin/env bash
# Time to answer each console page, against a running `interests serve`: N requests per page,
# one at a time, timed by curl to the first byte of the answer (the page is rendered whole
# before it is sent, so this is the server's read + render time plus a loopback round trip);
# prints p50 and p95 per page in milliseconds.
#
#   BASE=http://127.0.0.1:8080 USERS="u000001 u000002" ITEMS="B0001" N=50 Benchmarks/console/render-times.sh
#
# BASE: the server (default http://127.0.0.1:8080). USERS / ITEMS: ids to cycle through
# (default: the first 20 users and items the server's own /v1 history answers for u000001..u000020).
# TOKEN: a read token, when the server needs one. N: requests per page (default 50).
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8080}
N=${N:-50}
AUTH=()
[ -n "${TOKEN:-}" ] && AUTH=(-H "Authorization: Bearer $TOKEN")

if [ -z "${USERS:-}" ]; then
    USERS=$(for k in $(seq 1 20); do printf 'u%06d ' "$k"; done)
fi
if [ -z "${ITEMS:-}" ]; then
    ITEMS=$(for u in $USERS; do
        curl -fsS "${AUTH[@]}" "$BASE/v1/users/$u/history?limit=20" 2>/dev/null \
            | python3 -c 'import json,sys,urllib.parse
try:
    e=[x for x in json.load(sys.stdin)["events"] if x.get("item")]
    print(urllib.parse.quote(e[-1]["item"], safe="")) if e else None
except Exception: pass'
    done | tr '\n' ' ')
fi
read -r -a users <<<"$USERS"
read -r -a items <<<"$ITEMS"
[ ${#users[@]} -gt 0 ] || { echo "no users to ask for" >&2; exit 1; }

# Times (seconds) of N requests to the paths the function prints, one a line.
measure() {
    local label=$1; shift
    local times=()
    for k in $(seq 0 $((N - 1))); do
        local path
        path=$("$@" "$k")
        local status time
        read -r status time < <(curl -s -o /dev/null "${AUTH[@]}" -w '%{http_code} %{time_starttransfer}\n' "$BASE$path")
        [ "$status" = 200 ] || { echo "$label: $path answered $status" >&2; exit 1; }
        times+=("$time")
    done
    printf '%s\n' "${times[@]}" | python3 -c '
import math, sys
t = sorted(float(x) * 1000 for x in sys.stdin if x.strip())
def q(p): return t[min(len(t) - 1, max(0, math.ceil(p * len(t)) - 1))]
print(f"%-14s n=%-4d p50 %8.1f ms   p95 %8.1f ms   max %8.1f ms" % (sys.argv[1], len(t), q(0.5), q(0.95), t[-1]))' "$label"
}
shop() { echo "/console"; }
user() { echo "/console/users/${users[$(($1 % ${#users[@]}))]}"; }
search() { echo "/console/users/${users[$(($1 % ${#users[@]}))]}?query=gift"; }
item() { echo "/console/items/${items[$(($1 % ${#items[@]}))]}"; }

echo "$N requests per page against $BASE (${#users[@]} users, ${#items[@]} items cycled)"
measure shop shop
measure user user
measure user+search search
if [ ${#items[@]} -gt 0 ]; then measure item item; fi
