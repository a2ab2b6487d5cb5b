#!/usr/bin/env python3
"""Cold-item split for the sequence model's text-aware inputs (README "Sequence model").

A seeded 10% of the items that have positive events are removed from training entirely: none of
their events reach train.jsonl, only their item records (title, text) do. Each user with a
positive event on such an item and at least `--min-history` positive events on other items is a
test user; the held-out item is the latest cold item they acted on, and their history is all
their events on warm items (the protocol of cold-start item evaluation, e.g. Kula, "Metadata
Embeddings for User and Item Cold-start Recommendations", 2015). Lists are scored with
../shared/peers/evaluate_lists.py (full ranking, training items excluded).

    python3 Benchmarks/sequence/cold_split.py ../shared/datasets/movielens-latest-small/events.jsonl OUT_DIR [--seed 1] [--share 0.1]

Writes OUT_DIR/train.jsonl, OUT_DIR/test.jsonl, OUT_DIR/cold_items.txt and OUT_DIR/split_stats.json.
A positive event: any review or interaction without a rating, or with a rating of at least 1
(as InterestMiner counts them).
"""
import argparse
import json
import os
import random


def positive(e):
    r = e.get("rating")
    return r is None or r >= 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("events")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--share", type=float, default=0.1)
    ap.add_argument("--min-history", type=int, default=3)
    a = ap.parse_args()
    records, events = [], []
    with open(a.events) as f:
        for n, line in enumerate(f):
            if not line.strip():
                continue
            e = json.loads(line)
            if e.get("type") == "item":
                records.append(e)
            else:
                events.append((n, e))
    acted = sorted({str(e["item"]) for _, e in events if "item" in e and positive(e)})
    rng = random.Random(a.seed)
    cold = set(rng.sample(acted, max(1, round(len(acted) * a.share))))
    by_user = {}
    for n, e in events:
        by_user.setdefault(str(e["user"]), []).append((e.get("ts", 0), n, e))
    train, test = [], []
    for user, rows in sorted(by_user.items()):
        rows.sort(key=lambda r: (r[0], r[1]))
        warm = sum(1 for _, _, e in rows if e.get("item") is not None and str(e["item"]) not in cold and positive(e))
        held = [str(e["item"]) for _, _, e in rows if e.get("item") is not None and str(e["item"]) in cold and positive(e)]
        for ts, n, e in rows:
            if e.get("item") is not None and str(e["item"]) in cold:
                continue
            train.append((n, e))
        if held and warm >= a.min_history:
            test.append({"user": user, "item": held[-1]})
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "train.jsonl"), "w") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
        for _, e in sorted(train, key=lambda x: x[0]):
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    with open(os.path.join(a.out, "test.jsonl"), "w") as f:
        for t in test:
            f.write(json.dumps(t) + "\n")
    with open(os.path.join(a.out, "cold_items.txt"), "w") as f:
        f.write("\n".join(sorted(cold)) + "\n")
    stats = {"events": len(events), "train": len(train), "test_users": len(test), "cold_items": len(cold),
             "items_with_positive_events": len(acted), "seed": a.seed, "share": a.share, "min_history": a.min_history}
    with open(os.path.join(a.out, "split_stats.json"), "w") as f:
        json.dump(stats, f, indent=1)
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
