#!/usr/bin/env bash
# Several machines on this one: PostgreSQL, two `interests serve` replicas and a load generator,
# each in a network namespace of its own (ip netns, veth pairs on a bridge 10.77.0.0/24), a mixed
# load through both replicas, one replica killed mid-run and PostgreSQL restarted mid-run; then
# every acknowledged write is looked for in the database.
#   sudo Benchmarks/postgres/multihost.sh [SECONDS]      (default 60; needs root, iproute2,
#   Debian postgresql, python3 and a release build: swift build -c release --product interests)
# A training worker on a host of its own trains every model, text and behaviour, first
# (generation 1), and again while the load runs (its generation activates mid-run: the replicas
# pick it up through NOTIFY; their writes keep the active text tables current meanwhile). The
# load is 90% reads — half a user's history (GET /v1/users/{id}/history), half their fused
# recommendations (GET /v1/users/{id}/recommendations) — and 10% writes (POST /v1/events, one
# event with an explicit id each, half of them reviews with text); a forget through one replica
# is checked through the other.
#   MODE=steady sudo Benchmarks/postgres/multihost.sh [SECONDS]
# measures the issue's latency target instead: no faults and no training during the load; the
# same mixed load through both replicas for SECONDS, then through replica a alone for SECONDS
# (the pair's throughput against one replica's), and the acknowledged writes looked for.
# Writes go to items drawn from the whole catalogue; HOT_ITEM=1 sends every write to one item
# (its review sum is a row every review of it updates: those writes take turns).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TOTAL=${1:-60}
MODE=${MODE:-faults}
BIN=$(realpath "${BIN:-.build/release/interests}")
NET=10.77.0
WORK=$(mktemp -d /tmp/interests-multihost.XXXXXX)
chmod 755 "$WORK"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
declare -A IP=([db]=$NET.2 [a]=$NET.3 [b]=$NET.4 [load]=$NET.5 [train]=$NET.6)

cleanup() {
  for h in a b; do [ -f "$WORK/$h.pid" ] && kill -9 "$(cat "$WORK/$h.pid")" 2>/dev/null || true; done
  ip netns exec im-db runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m immediate stop >/dev/null 2>&1 || true
  for h in "${!IP[@]}"; do ip netns del "im-$h" 2>/dev/null || true; done
  ip link del imbr0 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

# The network: a bridge in this namespace, one veth pair per host.
ip link add imbr0 type bridge && ip addr add $NET.1/24 dev imbr0 && ip link set imbr0 up
for h in "${!IP[@]}"; do
  ip netns add "im-$h"
  ip link add "im-$h" type veth peer name eth0 netns "im-$h"
  ip link set "im-$h" master imbr0 up
  ip -n "im-$h" addr add "${IP[$h]}/24" dev eth0
  ip -n "im-$h" link set eth0 up
  ip -n "im-$h" link set lo up
done

# PostgreSQL on its host, default durability, reachable from the subnet.
mkdir -p "$WORK/pg" && chown postgres "$WORK/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
echo "host all all $NET.0/24 trust" >> "$WORK/pg/data/pg_hba.conf"
pg() { ip netns exec im-db runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 60 \
         -o "-p 5432 -k $WORK/pg -c listen_addresses=${IP[db]} -c max_connections=200" "$@" >/dev/null; }
pg start
URL="postgres://postgres@${IP[db]}:5432/postgres?sslmode=disable&schema=shop&connect_timeout=2"

# A shop to read: 2,000 generated users, ingested from this namespace over the bridge.
"$BIN" corpus generate --seed 3 --users 2000 --items 200 --out "$WORK/corpus" --json >/dev/null
"$BIN" ingest --db "$URL" --quiet "$WORK/corpus/events.jsonl" >/dev/null || true
# Generation 1, from the training worker's host.
TRAIN=(--threads 1 --seed 1 --quiet)
ip netns exec im-train "$BIN" train --db "$URL" "${TRAIN[@]}" >/dev/null

start_replica() {
  ip netns exec "im-$1" "$BIN" serve --db "$URL" --host "${IP[$1]}" --port 8080 >"$WORK/$1.log" 2>&1 &
  echo $! > "$WORK/$1.pid"
  for _ in $(seq 100); do
    ip netns exec im-load curl -s -o /dev/null "http://${IP[$1]}:8080/metrics" && return 0
    sleep 0.1
  done
  echo "replica $1 did not start" >&2; cat "$WORK/$1.log" >&2; exit 1
}
start_replica a
start_replica b

if [ "$MODE" = faults ]; then
  # A second training run from the worker's host while the load runs (its outcome is reported).
  (
    sleep 1; echo "$(date +%s.%N) train-start" >> "$WORK/events.log"
    if ip netns exec im-train "$BIN" train --db "$URL" "${TRAIN[@]}" >"$WORK/train2.log" 2>&1; then
      echo "$(date +%s.%N) train-activated" >> "$WORK/events.log"
    else
      echo "$(date +%s.%N) train-failed" >> "$WORK/events.log"
    fi
  ) &
  TRAINER=$!

  # Faults on a schedule while the load runs: replica a killed at 1/3, PostgreSQL restarted at 1/2
  # (down 5 s), replica a started again at 2/3.
  (
    sleep $((SECONDS_TOTAL / 3)); kill -9 "$(cat "$WORK/a.pid")"; echo "$(date +%s.%N) kill-a" >> "$WORK/events.log"
    sleep $((SECONDS_TOTAL / 2 - SECONDS_TOTAL / 3)); echo "$(date +%s.%N) pg-stop" >> "$WORK/events.log"
    pg -m fast stop; sleep 5; pg start; echo "$(date +%s.%N) pg-up" >> "$WORK/events.log"
    sleep $((2 * SECONDS_TOTAL / 3 - SECONDS_TOTAL / 2 - 5)); start_replica a; echo "$(date +%s.%N) start-a" >> "$WORK/events.log"
  ) &
  FAULTS=$!
fi

users=$(python3 -c 'import json,sys; print(",".join(sorted({json.loads(l).get("user","") for l in open(sys.argv[1]) if "\"user\"" in l} - {""})[:500]))' "$WORK/corpus/events.jsonl")
items=$(python3 -c 'import json,sys; print(",".join(sorted({json.loads(l).get("item","") for l in open(sys.argv[1]) if "\"item\"" in l} - {""})))' "$WORK/corpus/events.jsonl")
[ "${HOT_ITEM:-0}" = 1 ] && items=I-load
load() {
  ip netns exec im-load python3 "$(dirname "$0")/multihost_load.py" --seconds "$SECONDS_TOTAL" --users "$users" --items "$items" "$@"
}
if [ "$MODE" = faults ]; then
  load --replicas "${IP[a]}:8080,${IP[b]}:8080" --out "$WORK/load.json" --acked "$WORK/acked.txt"
  wait $FAULTS || true
  wait $TRAINER || true
else
  : > "$WORK/events.log"
  load --replicas "${IP[a]}:8080,${IP[b]}:8080" --out "$WORK/load.json" --acked "$WORK/acked.txt" --no-forget
  load --replicas "${IP[a]}:8080" --out "$WORK/load-one.json" --acked "$WORK/acked-one.txt" --id-prefix one
  cat "$WORK/acked-one.txt" >> "$WORK/acked.txt"
fi
for h in a b; do echo "replica $h /healthz after: $(ip netns exec im-load curl -s "http://${IP[$h]}:8080/healthz")" >> "$WORK/health.txt"; done

# Every acknowledged write must be in the database.
python3 - "$WORK" "$URL" <<'PY'
import json, subprocess, sys
work, url = sys.argv[1], sys.argv[2]
acked = sorted({l.strip() for l in open(f"{work}/acked.txt") if l.strip()})
base = url.split("?")[0] + "?sslmode=disable"
ids = ",".join("'" + a + "'" for a in acked) or "''"
sql = f"SELECT (SELECT count(*) FROM shop.interaction WHERE event_id IN ({ids})) + (SELECT count(*) FROM shop.review WHERE event_id IN ({ids}))"
found = int(subprocess.run(["psql", base, "-At", "-f", "-"], input=sql.encode(), check=True, capture_output=True).stdout.strip())
report = json.load(open(f"{work}/load.json"))
try:
    one = json.load(open(f"{work}/load-one.json"))
    report["one_replica"] = {k: one[k] for k in ("requests", "ok", "by_status", "ok_per_second", "ok_latency_ms", "latency_ms_by_op")}
    report["pair_vs_one_throughput"] = round(report["ok_per_second"] / one["ok_per_second"], 2)
except FileNotFoundError:
    pass
report["acknowledged_writes"] = len(acked)
report["acknowledged_writes_found"] = found
report["faults"] = [l.split()[1] + " at +%.1f s" % (float(l.split()[0]) - report["started"]) for l in open(f"{work}/events.log")]
report["replicas_after"] = [l.strip() for l in open(f"{work}/health.txt")]
gens = subprocess.check_output(["psql", base, "-At", "-c", "SELECT id || ':' || state FROM shop.generation ORDER BY id"]).decode().split()
report["generations"] = gens
print(json.dumps(report, indent=1))
PY
