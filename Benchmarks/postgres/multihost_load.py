#!/usr/bin/env python3
"""Mixed load through several `interests serve` replicas (multihost.sh runs it in its own network
namespace). Each thread sends 90% reads — half a user's history, half their recommendations (the
fused ranker of the active generation) — and 10% one-event writes with explicit ids to the
replicas in turn; a replica that refuses the connection is skipped for the next one, as a load
balancer would; HTTP answers (503 included) are recorded as they are. Writes answered 200 are
listed in --acked. At the end a user is forgotten through the last replica and read through the
first: it must be gone there too."""
import argparse, http.client, json, random, statistics, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--seconds", type=float, default=60)
ap.add_argument("--replicas", required=True)
ap.add_argument("--users", required=True)
ap.add_argument("--threads", type=int, default=8)
ap.add_argument("--write-share", type=float, default=0.1)
ap.add_argument("--recommend-share", type=float, default=0.5, help="share of the reads that ask for recommendations")
ap.add_argument("--items", default="I-load", help="comma-separated items the writes go to, drawn uniformly (one item: every write on one hot item)")
ap.add_argument("--id-prefix", default="lw", help="prefix of the writes' event ids (distinct per run on one database)")
ap.add_argument("--no-forget", action="store_true", help="skip the forget check at the end")
ap.add_argument("--out", required=True)
ap.add_argument("--acked", required=True)
a = ap.parse_args()
replicas = [r.split(":") for r in a.replicas.split(",")]
users = a.users.split(",")
items = a.items.split(",")
# The user forgotten at the end gets no writes (their events go with them).
victim, users = users[0], users[1:]
started = time.time()
deadline = started + a.seconds
lock = threading.Lock()
records = []      # (second, op, status or 'conn', latency ms, retry_after)
acked = []
failovers = [0]
errors = []       # (second, op, status, body) of the first answers that are neither 2xx nor 503


def request(conn_cache, k, method, path, body):
    """Tries the replicas in turn from k; returns (status, latency ms, retry-after?) or None."""
    for i in range(len(replicas)):
        host, port = replicas[(k + i) % len(replicas)]
        key = (host, port)
        t0 = time.time()
        try:
            conn = conn_cache.get(key) or http.client.HTTPConnection(host, int(port), timeout=5)
            conn_cache[key] = conn
            conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, (time.time() - t0) * 1000, resp.getheader("Retry-After") is not None, data
        except (ConnectionError, OSError, http.client.HTTPException):
            conn_cache.pop(key, None)
            with lock:
                failovers[0] += 1
    return None


def worker(k):
    rng = random.Random(1000 + k)
    cache = {}
    n = 0
    while time.time() < deadline:
        n += 1
        user = rng.choice(users)
        if rng.random() < a.write_share:
            eid = f"{a.id_prefix}-{k}-{n}"
            # Half the writes are reviews with text: the replica encodes them with the active
            # text model and updates the item's review sum and the user's profile in the write.
            item = rng.choice(items)
            event = ({"type": "review", "id": eid, "user": user, "item": item, "rating": 4,
                      "text": f"light tent {n % 7} for summer trips", "ts": 1760000000 + n} if n % 2
                     else {"type": "interaction", "id": eid, "user": user, "item": item, "action": "view", "ts": 1760000000 + n})
            body = json.dumps([event]).encode()
            r = request(cache, k + n, "POST", "/v1/events", body)
            op = "write"
        elif rng.random() < a.recommend_share:
            r = request(cache, k + n, "GET", f"/v1/users/{user}/recommendations", None)
            op = "recommend"
        else:
            r = request(cache, k + n, "GET", f"/v1/users/{user}/history?limit=50", None)
            op = "read"
        second = int(time.time() - started)
        with lock:
            if r is None:
                records.append((second, op, "conn", 0.0, False))
                continue
            status, ms, retry, data = r
            if status >= 300 and status != 503 and len(errors) < 10:
                errors.append((second, op, status, data[:300].decode("utf-8", "replace")))
            records.append((second, op, status, ms, retry))
            if op == "write" and status == 200:
                acked.append(eid)
        if r is not None and r[0] == 503:
            time.sleep(0.05)


threads = [threading.Thread(target=worker, args=(k,)) for k in range(a.threads)]
for t in threads: t.start()
for t in threads: t.join()

# Forget through the last replica, read through the first (both up again by now).
cache = {}
forget = after = None
if not a.no_forget:
    forget = request(cache, len(replicas) - 1, "DELETE", f"/v1/users/{victim}", None)
    after = request(cache, 0, "GET", f"/v1/users/{victim}/history", None)


def pct(xs, p):
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(p / 100 * len(xs)))], 1) if xs else None


ok = [r for r in records if r[2] == 200]
by_status = {}
for r in records:
    by_status[str(r[2])] = by_status.get(str(r[2]), 0) + 1
per_second = {}
for s, op, status, ms, retry in records:
    b = per_second.setdefault(s, {"ok": 0, "503": 0, "other": 0, "ms": []})
    if status == 200:
        b["ok"] += 1; b["ms"].append(ms)
    elif status == 503:
        b["503"] += 1
    else:
        b["other"] += 1
series = {s: {"ok": b["ok"], "503": b["503"], "other": b["other"], "p99_ms": pct(b["ms"], 99)} for s, b in sorted(per_second.items())}
s503 = [r for r in records if r[2] == 503]
report = {
    "started": started, "seconds": a.seconds, "threads": a.threads,
    "requests": len(records), "ok": len(ok), "by_status": by_status, "connection_failovers": failovers[0],
    "ok_per_second": round(len(ok) / a.seconds, 1),
    "ok_latency_ms": {"p50": pct([r[3] for r in ok], 50), "p99": pct([r[3] for r in ok], 99)},
    "reads_ok": sum(1 for r in ok if r[1] == "read"), "recommendations_ok": sum(1 for r in ok if r[1] == "recommend"),
    "writes_ok": sum(1 for r in ok if r[1] == "write"),
    "latency_ms_by_op": {op: {"p50": pct([r[3] for r in ok if r[1] == op], 50), "p99": pct([r[3] for r in ok if r[1] == op], 99)}
                         for op in ("read", "recommend", "write")},
    "by_status_and_op": {f"{op} {st}": sum(1 for r in records if r[1] == op and str(r[2]) == st)
                         for op in ("read", "recommend", "write") for st in sorted({str(r[2]) for r in records})
                         if any(r[1] == op and str(r[2]) == st for r in records)},
    "503": {"count": len(s503), "with_retry_after": sum(1 for r in s503 if r[4]), "max_ms": pct([r[3] for r in s503], 100)},
    "forget_through_last_replica": "not asked" if a.no_forget else (forget[0] if forget else "unanswered"),
    "history_through_first_replica_after": "not asked" if a.no_forget else (after[0] if after else "unanswered"),
    "per_second": series,
    "errors": errors,
}
json.dump(report, open(a.out, "w"))
open(a.acked, "w").write("\n".join(acked) + "\n")
