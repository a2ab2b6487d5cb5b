#!/usr/bin/env python3
"""Clients and checks for the reliability scripts (stdlib only; loopback only).

  verify-acked DB ACKED_TSV…      every acknowledged event is stored: count and checksum
  stream PORT EVENTS.jsonl BATCH [PROGRESS]  POST the file in batches of BATCH lines, in order
  make-stream OUT N SEED          N events (reviews, queries, interactions; some with ids)
  dump-compare DB_A DB_B          every table of A equals B, row for row
  badinput PORT DB                bad bodies and paths: 400 (a batch of only bad events: 200,
                                  each rejected; hostile but valid ids: 200, the cold start),
                                  nothing written, still up
  auth PORT DB TOKEN READ_TOKEN   reads and writes without/with a wrong token: 401; the read
                                  token reads, and writes get 403; nothing written
"""
import hashlib
import http.client
import json
import os
import random
import sqlite3
import sys
import time


def connect(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    return con


def counts(db):
    con = connect(db)
    out = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("user", "item", "review", "query", "interaction")}
    con.close()
    return out


def request(port, method, path, body=None, headers=None, timeout=60):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def verify_acked(db, files):
    acked = []
    for f in files:
        with open(f) as fh:
            acked += [line.rstrip("\n").split("\t") for line in fh if line.strip()]
    ids = [a[0] for a in acked]
    assert len(ids) == len(set(ids)), "duplicate acked ids"
    expected = hashlib.sha256("\n".join(sorted("|".join(a) for a in acked)).encode()).hexdigest()
    con = connect(db)
    found = []
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        q = ",".join("?" * len(part))
        found += con.execute(f"""SELECT x.event_id, u.external_id, i.external_id, x.ts FROM interaction x
                                 JOIN user u ON u.id = x.user_id JOIN item i ON i.id = x.item_id
                                 WHERE x.event_id IN ({q})""", part).fetchall()
    prefixes = sorted({i.split("-")[0] + "-" for i in ids})
    stored_all = sum(con.execute("SELECT count(*) FROM interaction WHERE event_id LIKE ?", (p + "%",)).fetchone()[0] for p in prefixes)
    con.close()
    got = hashlib.sha256("\n".join(sorted("|".join(str(v) for v in row) for row in found)).encode()).hexdigest()
    result = {"acked": len(ids), "present": len(found), "stored_with_run_prefix": stored_all,
              "checksum_acked": expected[:16], "checksum_stored": got[:16], "ok": len(found) == len(ids) and got == expected}
    print(json.dumps(result))
    return 0 if result["ok"] else 1


def make_stream(out, n, seed):
    rng = random.Random(seed)
    with open(out, "w") as f:
        for k in range(n):
            user = f"s{rng.randrange(400):04d}"
            item = f"P{rng.randrange(1, 600):05d}"
            ts = 1765000000 + k
            kind = rng.random()
            if kind < 0.15:
                e = {"type": "review", "user": user, "item": item, "rating": rng.randrange(1, 6), "text": f"review {k}: warm and light, good value", "ts": ts}
            elif kind < 0.35:
                e = {"type": "query", "user": user, "text": f"query {k} trail shoes", "ts": ts}
            else:
                e = {"type": "interaction", "user": user, "item": item, "action": rng.choice(["view", "click", "cart", "purchase"]), "ts": ts}
            if rng.random() < 0.5:
                e["id"] = f"K{k}"
            f.write(json.dumps(e, ensure_ascii=False) + "\n")


def stream(port, path, batch, progress=None):
    lines = open(path, encoding="utf-8").read().splitlines()
    sent = 0
    for start in range(0, len(lines), batch):
        body = ("\n".join(lines[start:start + batch]) + "\n").encode()
        try:
            status, data = request(port, "POST", "/v1/events", body)
        except (ConnectionError, OSError) as e:
            print(json.dumps({"batches_acked": sent, "stopped": str(e)}))
            return 3
        if status != 200:
            print(json.dumps({"batches_acked": sent, "status": status, "body": data[:200].decode("utf-8", "replace")}))
            return 2
        sent += 1
        if progress:
            with open(progress + ".tmp", "w") as f:
                f.write(str(sent))
            os.replace(progress + ".tmp", progress)
    print(json.dumps({"batches_acked": sent}))
    return 0


def dump_compare(a, b):
    ca, cb = connect(a), connect(b)
    tables = [r[0] for r in ca.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    diffs = {}
    for t in tables:
        ha, hb = hashlib.sha256(), hashlib.sha256()
        for con, h in ((ca, ha), (cb, hb)):
            n = len(con.execute(f"SELECT * FROM {t} LIMIT 0").description)
            for row in con.execute(f"SELECT * FROM {t} ORDER BY " + ", ".join(str(k + 1) for k in range(n))):
                h.update(repr(row).encode())
        if ha.digest() != hb.digest():
            diffs[t] = [ca.execute(f"SELECT count(*) FROM {t}").fetchone()[0], cb.execute(f"SELECT count(*) FROM {t}").fetchone()[0]]
    print(json.dumps({"tables": len(tables), "different": diffs, "identical": not diffs}))
    return 0 if not diffs else 1


# (name, body, outcome): "no batch" — 400, the body is not a batch of events; "all rejected" —
# 200, every event reported in `errors`, none written.
BAD_BODIES = [
    ("empty body", b"", "no batch"),
    ("empty array", b"[]", "no batch"),
    ("malformed JSON line", b'{"type":"query","user":"x","text":', "all rejected"),
    ("unclosed array", b'[{"type":"query","user":"x","text":"a","ts":1760000000}', "no batch"),
    ("wrong types", b'[{"type":"review","user":["u"],"item":{"a":1},"rating":"five","text":7,"ts":true}]', "all rejected"),
    ("huge numbers", b'[{"type":"review","user":"x","item":"i","rating":1e400,"text":"ok","ts":99999999999999999999999}]', "all rejected"),
    ("deeply nested arrays", b"[" * 200000 + b"]" * 200000, "no batch"),
    ("deeply nested field", b'{"type":"query","user":"x","text":"a","ts":1760000000,"n":' + b"[" * 100000 + b"]" * 100000 + b"}", "all rejected"),
    ("invalid UTF-8", b'{"type":"query","user":"x","text":"\xc3\x28\xff","ts":1760000000}', "all rejected"),
    ("unpaired surrogate", b'{"type":"query","user":"x","text":"\\ud800","ts":1760000000}', "all rejected"),
    ("NUL in text", b'[{"type":"query","user":"x","text":"\\u0000tent","ts":1760000000}]', "all rejected"),
    ("not objects", b"[1, 2, null]", "no batch"),
    ("SQL in a field", b'{"type":"query","user":"x\'); DROP TABLE user;--","ts":1760000000}', "all rejected"),
    ("gzip bytes", b"\x1f\x8b\x08\x00\x00\x00", "no batch"),
]
# Hostile but valid user ids: only ever SQL parameters, so users without events (200, the cold start).
HOSTILE_READS = [
    ("GET", "/v1/users/x'%20OR%20'1'='1/recommendations", None),
    ("GET", "/v1/users/1;DROP%20TABLE%20user/interests", None),
    ("GET", "/v1/users/..%2F..%2Fetc%2Fpasswd/recommendations", None),
    ("GET", "/v1/users/%2E%2E/interests", None),
    ("POST", "/v1/rank", b'{"user": "x\'); DROP TABLE user;--"}'),
]
BAD_PATHS = [
    ("GET", "/v1/users/%FF/interests"),
    ("GET", "/v1/users/a%00b/recommendations"),
    ("GET", "/v1/users/u000001/recommendations?k=99999999999999999999"),
    ("GET", "/v1/users/u000001/interests?top=-1"),
    ("DELETE", "/v1/users/x'%20OR%20'1'='1"),
    ("DELETE", "/v1/users/..%2F..%2Fetc"),
    ("GET", "/../../etc/passwd"),
]
BAD_RANK_BODIES = [
    ("rank: malformed JSON", b'{"user": "u000001"'),
    ("rank: wrong types", b'{"user": 7, "k": "ten"}'),
    ("rank: huge k", b'{"user": "u000001", "k": 99999999999999999999}'),
    ("rank: unknown items", b'{"user": "u000001", "items": ["../../etc/passwd", "x\' OR 1=1"]}'),
    ("rank: deeply nested", b'{"user": "u000001", "items": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    ("rank: invalid UTF-8", b'{"user": "\xff\xfe"}'),
]


def badinput(port, db):
    before = counts(db)
    rows, bad = [], 0
    for name, body, outcome in BAD_BODIES:
        status, data = request(port, "POST", "/v1/events", body)
        answer = json.loads(data) if data.startswith(b"{") else {}
        if outcome == "no batch":
            ok = status == 400
            note = answer.get("error", "")
        else:
            ok = status == 200 and answer.get("inserted") == 0 and answer.get("rejected") == answer.get("read", -1) > 0
            note = f"rejected {answer.get('rejected')} of {answer.get('read')}"
        bad += not ok
        rows.append((f"{name} ({outcome})", status, note))
    status, _ = request(port, "POST", "/v1/events", b" " * (8 * 1024 * 1024 + 1))
    rows.append(("oversized body (8 MiB + 1)", status, ""))
    bad += not (status == 413)
    for method, path in BAD_PATHS:
        status, data = request(port, method, path)
        ok = 400 <= status < 500
        bad += not ok
        rows.append((f"{method} {path}", status, json.loads(data).get("error") if data.startswith(b"{") else ""))
    for name, body in BAD_RANK_BODIES:
        status, data = request(port, "POST", "/v1/rank", body)
        ok = 400 <= status < 500
        bad += not ok
        rows.append((name, status, json.loads(data).get("error") if data.startswith(b"{") else ""))
    for method, path, body in HOSTILE_READS:
        status, data = request(port, method, path, body)
        bad += not (status == 200)
        rows.append((f"{method} {path} {body.decode() if body else ''} (a user without events: 200)", status, ""))
    health, _ = request(port, "GET", "/healthz")
    after = counts(db)
    for r in rows:
        print(f"  {r[1]}  {r[0]}  {r[2]}")
    result = {"cases": len(rows), "unexpected_status": bad, "server_up": health == 200, "nothing_written": before == after}
    print(json.dumps(result))
    return 0 if bad == 0 and health == 200 and before == after else 1


def auth(port, db, token, read_token):
    before = counts(db)
    body = b'[{"type":"query","user":"auth-check","text":"rain jacket","ts":1760000000}]'
    bad = [("no token", {}), ("wrong token", {"Authorization": "Bearer wrong"}),
           ("token with a byte more", {"Authorization": f"Bearer {token}x"}),
           ("other scheme", {"Authorization": f"Basic {token}"})]
    read_token_header = {"Authorization": f"Bearer {read_token}"}
    write_token_header = {"Authorization": f"Bearer {token}"}

    def reads(headers):
        return [request(port, "GET", "/v1/users/u000001/recommendations", None, headers)[0],
                request(port, "GET", "/v1/users/u000001/interests", None, headers)[0],
                request(port, "POST", "/v1/rank", b'{"user":"u000001","k":3}', headers)[0]]

    def writes(headers):
        return [request(port, "POST", "/v1/events", body, headers)[0],
                request(port, "DELETE", "/v1/users/u000001", None, headers)[0],
                request(port, "POST", "/v1/train", None, headers)[0]]

    rows = [(label, reads(h), writes(h)) for label, h in bad]
    with_read_token = (reads(read_token_header), writes(read_token_header))
    unchanged = counts(db) == before
    open_routes = [request(port, "GET", "/healthz")[0], request(port, "GET", "/metrics")[0]]
    with_write_token = (reads(write_token_header), request(port, "POST", "/v1/events", body, write_token_header)[0])
    for label, r, w in rows:
        print(f"  {label}: reads {r}, writes (events, delete, train) {w}")
    print(f"  read token: reads {with_read_token[0]}, writes {with_read_token[1]}")
    print(f"  write token: reads {with_write_token[0]}, events {with_write_token[1]}; /healthz, /metrics without a token: {open_routes}")
    all401 = all(s == 401 for _, r, w in rows for s in r + w)
    read_token_ok = all(s == 200 for s in with_read_token[0]) and all(s == 403 for s in with_read_token[1])
    write_token_ok = all(s == 200 for s in with_write_token[0]) and with_write_token[1] == 200
    result = {"unauthorized_all_401": all401, "read_token_reads_200_writes_403": read_token_ok, "nothing_written": unchanged,
              "write_token_ok": write_token_ok, "open_routes_200": open_routes == [200, 200]}
    print(json.dumps(result))
    return 0 if all(result.values()) else 1


def main(argv):
    cmd = argv[1]
    if cmd == "verify-acked":
        return verify_acked(argv[2], argv[3:])
    if cmd == "stream":
        return stream(int(argv[2]), argv[3], int(argv[4]), argv[5] if len(argv) > 5 else None)
    if cmd == "make-stream":
        return make_stream(argv[2], int(argv[3]), int(argv[4])) or 0
    if cmd == "dump-compare":
        return dump_compare(argv[2], argv[3])
    if cmd == "badinput":
        return badinput(int(argv[2]), argv[3])
    if cmd == "auth":
        return auth(int(argv[2]), argv[3], argv[4], argv[5])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
