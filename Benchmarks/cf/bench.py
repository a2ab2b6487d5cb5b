"""InterestMiner's collaborative filtering (ALS) against the peers: training speed and ranking quality.

The run has two sections (pick with --sections, default 12):

  (1) ALS TRAINING SPEED, side by side, on three binary presence matrices (users x items, 1 where the
      user has a positive review/interaction with the item -- a review or an interaction, with a
      rating only if the rating is >= 1 -- exactly ../shared/peers/peers.py's interaction_matrix):
        * amazon-all-beauty/train.jsonl and movielens-latest-small/train.jsonl, built by the peers'
          own common.SplitData + peers.interaction_matrix (identical copies if they cannot be imported);
        * a synthetic shop from `interests corpus generate --seed 1 --users 300000 --items 20000`
          (--synthetic-*), same rule, streamed from its events.jsonl; the run stops unless it has at
          least 200,000 rows and 5,000,000 non-zeros.
      Each matrix is written once as an IMCSR1 file (see README.md) that both sides read. Per round, in
      a fresh process each: implicit 0.7.3 AlternatingLeastSquares(factors=64, regularization=0.05,
      alpha=10, iterations=15, random_state=1, num_threads=2, calculate_training_loss=False) under
      threadpool_limits(1, "blas"), fit() timed as a whole with a per-iteration callback; then
      `interests-bench als MATRIX --factors 64 --iterations 15 --regularization 0.05 --alpha 10
      --threads 2 --seed 1`. implicit, ours, implicit, ours, ... for --rounds (default 3). Reported:
      median seconds/iteration (= fit/train seconds / 15) of each side, ratio ours/implicit per round
      and its median (target <= 1.0), median per-iteration time, peak RSS of each process (VmHWM;
      implicit's includes the Python interpreter, numpy, scipy and implicit, and its peak just after
      the imports is shown too; ours is interests-bench's), CPU/wall of each process, the load average.
  (2) RANKING QUALITY with the peers' protocol, seeds 1..5 (--seeds), per split (amazon-all-beauty,
      movielens-latest-small):
        (a) ours, defaults: a fresh database gets train.jsonl (`interests ingest`), then per seed
            `interests train --no-text --cf als --seed S --json` (graded weights, alpha auto), then
            `interests recommend --method cf --top 100 --users TEST_USERS`, scored by
            ../shared/peers/evaluate_lists.py;
        (b) ours with the peers' settings: the same with `--cf-weights binary --alpha 10,20,40`;
        (c) implicit exactly as peers.py runs it: peers.SEED = S, tune_als_alpha (leave-last-out
            validation over alpha 10, 20, 40), fit_als, rank_scores, metrics_from_ranks -- peers.py
            imported from --peers and run by the peers' Python (--peers-python).
      Reported: per-seed and mean NDCG@10, mean Recall@10 (plus MRR@10, AUC, cold slice in the JSON),
      the alpha each run chose, the ratio of means ours/implicit (target >= 0.97), and the peers'
      committed reference (../shared/peers/results/SPLIT.json, method als, SEED 0) for context.

Usage (paths are resolved from this file's location, so it runs from anywhere):

  Benchmarks/cf/bench.sh [options]                                     # creates its own venv
  ~/.cf-bench-venv/bin/python Benchmarks/cf/bench.py --bin DIR [options]

Writes OUT/report.txt (the printed tables), OUT/cf-bench.json (every number), the matrices
(OUT/matrices/), the databases, lists and evaluations (OUT/quality/). The generated events.jsonl (about
1.6 GB) is deleted once its matrix is written unless --keep-corpus. OUT defaults to a new temp dir and
is never inside the repository. Any failed command stops the run with its stderr.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))  # Benchmarks/cf -> repository root
SHARED = os.path.join(os.path.dirname(REPO_ROOT), "shared")

# ALS settings of ../shared/peers/peers.py fit_als (alpha fixed at 10, the peers' smallest grid value).
ALS = {"factors": 64, "regularization": 0.05, "alpha": 10.0, "iterations": 15, "threads": 2, "seed": 1}
RATIO_TARGET = 1.0        # section 1: ours s/it / implicit s/it <= 1.0
QUALITY_TARGET = 0.97     # section 2: mean NDCG@10 ours / implicit >= 0.97
SYN_MIN_ROWS = 200_000
SYN_MIN_NNZ = 5_000_000
K = 10
MAGIC = b"IMCSR1\0\0"

SPLITS = ["amazon-all-beauty", "movielens-latest-small"]
EVENT_TYPES = ("review", "interaction")
CONFIGS = [  # section 2, ours
    ("defaults", "ours (a) defaults: graded, alpha auto", []),
    ("peers-settings", "ours (b) binary, alpha 10,20,40", ["--cf-weights", "binary", "--alpha", "10,20,40"]),
]


class BenchError(Exception):
    """A problem the user must fix (missing data, a failed command, unreadable output...)."""


# ------------------------------------------------------------------ matrices
def is_positive(ev: dict) -> bool:
    """common.is_positive: review/interaction; with a rating, rating >= 1."""
    if ev.get("type") not in EVENT_TYPES:
        return False
    r = ev.get("rating")
    return r is None or r >= 1


def write_matrix(path: str, X) -> None:
    """IMCSR1: magic, int64 rows, columns, nonzeros, int64 indptr[rows+1], int32 indices, float32 values."""
    import numpy as np
    X = X.tocsr()
    X.sort_indices()
    with open(path, "wb") as f:
        f.write(MAGIC)
        np.array([X.shape[0], X.shape[1], X.nnz], dtype="<i8").tofile(f)
        X.indptr.astype("<i8").tofile(f)
        X.indices.astype("<i4").tofile(f)
        X.data.astype("<f4").tofile(f)


def read_matrix(path: str):
    """An IMCSR1 file as a scipy CSR matrix (float32 values)."""
    import numpy as np
    import scipy.sparse as sp
    with open(path, "rb") as f:
        if f.read(8) != MAGIC:
            raise BenchError(f"{path} is not an IMCSR1 matrix file")
        rows, cols, nnz = (int(x) for x in np.fromfile(f, dtype="<i8", count=3))
        indptr = np.fromfile(f, dtype="<i8", count=rows + 1)
        indices = np.fromfile(f, dtype="<i4", count=nnz)
        values = np.fromfile(f, dtype="<f4", count=nnz)
    if len(indptr) != rows + 1 or len(indices) != nnz or len(values) != nnz:
        raise BenchError(f"{path} is truncated")
    return sp.csr_matrix((values, indices, indptr), shape=(rows, cols))


def split_matrix(split_dir: str, peers_dir: str | None):
    """(X, source): the peers' binary train matrix of a split -- common.SplitData + peers.interaction_matrix
    when importable, else the copy below (same users, catalog and rule)."""
    if peers_dir and os.path.isfile(os.path.join(peers_dir, "peers.py")):
        sys.path.insert(0, peers_dir)
        try:
            import peers  # noqa: PLC0415  (imports common, numpy, scipy, threadpoolctl)
            data = peers.SplitData(split_dir)
            return peers.interaction_matrix(data), os.path.join(peers_dir, "peers.py") + " (SplitData + interaction_matrix)"
        except ImportError as e:
            print(f"note: cannot import peers.py ({e}); using bench.py's copy", file=sys.stderr)
        finally:
            sys.path.remove(peers_dir)
    import numpy as np
    import scipy.sparse as sp
    items, users, pos = set(), set(), set()
    for ev in read_jsonl(os.path.join(split_dir, "train.jsonl")):
        t = ev.get("type")
        if t == "item":
            items.add(str(ev["item"]))
        elif t in EVENT_TYPES:
            u, i = str(ev["user"]), str(ev["item"])
            items.add(i)
            users.add(u)
            if is_positive(ev):
                pos.add((u, i))
        elif t == "query":
            users.add(str(ev["user"]))
    for r in read_jsonl(os.path.join(split_dir, "test.jsonl")):
        users.add(str(r["user"]))
        items.add(str(r["item"]))
    ui = {u: k for k, u in enumerate(sorted(users))}
    ii = {i: k for k, i in enumerate(sorted(items))}
    rows = [ui[u] for u, _ in pos]
    cols = [ii[i] for _, i in pos]
    X = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(ui), len(ii)))
    X.sum_duplicates()
    X.data[:] = 1.0
    return X, "bench.py (copy of SplitData + interaction_matrix)"


def events_matrix(events_path: str):
    """Binary presence matrix of a generated events.jsonl, streamed: rows = every user with a review,
    interaction or query (sorted ids), columns = every item in an item record or event (sorted ids),
    1 where the user has a positive review/interaction with the item (peers' rule)."""
    import numpy as np
    import scipy.sparse as sp
    from array import array
    users: dict[str, int] = {}
    items: dict[str, int] = {}
    rows, cols = array("i"), array("i")
    loads = json.loads
    with open(events_path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            ev = loads(line)
            t = ev.get("type")
            if t == "item":
                items.setdefault(str(ev["item"]), len(items))
            elif t in EVENT_TYPES:
                u = users.setdefault(str(ev["user"]), len(users))
                i = items.setdefault(str(ev["item"]), len(items))
                if is_positive(ev):
                    rows.append(u)
                    cols.append(i)
            elif t == "query" and "user" in ev:
                users.setdefault(str(ev["user"]), len(users))
    # Renumber in sorted id order, as SplitData does.
    uorder = np.empty(len(users), dtype=np.int64)
    uorder[np.array([users[u] for u in sorted(users)], dtype=np.int64)] = np.arange(len(users))
    iorder = np.empty(len(items), dtype=np.int64)
    iorder[np.array([items[i] for i in sorted(items)], dtype=np.int64)] = np.arange(len(items))
    r = uorder[np.frombuffer(rows, dtype=np.int32)]
    c = iorder[np.frombuffer(cols, dtype=np.int32)]
    X = sp.csr_matrix((np.ones(len(r), dtype=np.float32), (r, c)), shape=(len(users), len(items)))
    X.sum_duplicates()
    X.data[:] = 1.0
    return X, len(rows)


# ------------------------------------------------------------------ workers (fresh processes)
def vm_hwm_mb() -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def implicit_speed_worker(argv: list[str]) -> None:
    """`bench.py implicit-speed MATRIX`: one implicit ALS fit in this fresh process; prints one JSON object."""
    ap = argparse.ArgumentParser(prog="bench.py implicit-speed")
    ap.add_argument("matrix")
    a = ap.parse_args(argv)
    import resource
    import numpy
    import scipy
    import implicit
    from implicit.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_info, threadpool_limits
    rss_after_imports = vm_hwm_mb()
    t = time.perf_counter()
    X = read_matrix(a.matrix)
    load_s = time.perf_counter() - t
    times: list[float] = []
    last = [0.0]

    def callback(iteration, elapsed, loss):
        now = time.perf_counter()
        times.append(now - last[0])
        last[0] = now

    with threadpool_limits(1, "blas"):
        blas = [{k: p.get(k) for k in ("internal_api", "num_threads", "version", "threading_layer")}
                for p in threadpool_info() if p.get("user_api") == "blas"]
        m = AlternatingLeastSquares(factors=ALS["factors"], regularization=ALS["regularization"], alpha=ALS["alpha"],
                                    iterations=ALS["iterations"], random_state=ALS["seed"], num_threads=ALS["threads"],
                                    calculate_training_loss=False)
        t, c = time.perf_counter(), time.process_time()
        last[0] = t
        m.fit(X, show_progress=False, callback=callback)
        fit_s, fit_cpu_s = time.perf_counter() - t, time.process_time() - c
    print(json.dumps({"implicit": implicit.__version__, "implicit_file": implicit.__file__, "numpy": numpy.__version__,
                      "scipy": scipy.__version__, "blas_under_limit": blas, "model": type(m).__module__ + "." + type(m).__name__,
                      "rows": X.shape[0], "columns": X.shape[1], "nonZeros": int(X.nnz), "load_s": load_s,
                      "fit_s": fit_s, "fit_cpu_s": fit_cpu_s, "iteration_s": times,
                      "s_per_iteration": fit_s / ALS["iterations"],
                      # VmHWM, not ru_maxrss: on Linux a child's ru_maxrss starts from its parent's peak (kept
                      # across fork + exec), so it would report bench.py's own peak, not this process's.
                      "peak_rss_mb": vm_hwm_mb(), "peak_rss_after_imports_mb": rss_after_imports,
                      "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def implicit_quality_worker(argv: list[str]) -> None:
    """`bench.py implicit-quality SPLIT_DIR --seeds 1,2 --peers DIR`: peers.py's ALS per seed, exactly as
    peers.run() does it (tune_als_alpha, fit_als, rank_scores, metrics_from_ranks); prints one JSON object.
    Meant for the peers' Python."""
    ap = argparse.ArgumentParser(prog="bench.py implicit-quality")
    ap.add_argument("split")
    ap.add_argument("--seeds", required=True)
    ap.add_argument("--peers", required=True)
    a = ap.parse_args(argv)
    sys.path.insert(0, a.peers)
    import numpy as np
    import implicit
    import peers
    data = peers.SplitData(a.split)
    X = peers.interaction_matrix(data)
    excl = peers.exclusion_mask(data)
    cold = data.cold_users()
    cold_mask = np.array([u in cold for u in data.test_users])
    out = {"implicit": implicit.__version__, "implicit_file": implicit.__file__, "peers_py": os.path.abspath(peers.__file__),
           "python": sys.version.split()[0], "peers_threads": peers.THREADS, "alpha_grid": list(peers.ALS_ALPHAS),
           "users": len(data.users), "items": len(data.catalog), "nonZeros": int(X.nnz),
           "test_users": len(data.test_users), "seeds": []}
    for s in (int(x) for x in a.seeds.split(",")):
        peers.SEED = s
        t = time.perf_counter()
        alpha, grid, n_val = peers.tune_als_alpha(data)
        tune_s = time.perf_counter() - t
        t = time.perf_counter()
        scorer = peers.fit_als(data, X, alpha)
        fit_s = time.perf_counter() - t
        ranks, n_cands, _, _ = peers.rank_scores(data, scorer(), excl)
        out["seeds"].append({"seed": s, "alpha": alpha, "alpha_grid_val_ndcg": {str(k): v for k, v in grid.items()},
                             "val_users": n_val, "tune_s": tune_s, "fit_s": fit_s,
                             "all": peers.metrics_from_ranks(ranks, n_cands, k=K),
                             "cold": peers.metrics_from_ranks(ranks[cold_mask], n_cands[cold_mask], k=K)})
    print(json.dumps(out))


# ------------------------------------------------------------------ helpers
@dataclass
class Binaries:
    interests: str
    bench: str


def is_inside(path: str, root: str) -> bool:
    path, root = os.path.realpath(path), os.path.realpath(root)
    return os.path.commonpath([path, root]) == root


def resolve_bins(bin_dir: str | None) -> Binaries:
    """--bin DIR, or build both products in release mode (one `swift build` each) and use .build/release."""
    if bin_dir is None:
        if shutil.which("swift") is None:
            raise BenchError("`swift` is not on PATH; build the tools elsewhere and pass --bin DIR")
        for product in ("interests", "interests-bench"):  # swift build keeps only the last --product
            cmd = ["swift", "build", "-c", "release", "--product", product]
            print(f"building: {' '.join(cmd)}  (in {REPO_ROOT})", file=sys.stderr, flush=True)
            p = subprocess.run(cmd, cwd=REPO_ROOT)
            if p.returncode != 0:
                raise BenchError(f"`{' '.join(cmd)}` failed with status {p.returncode}")
        bin_dir = os.path.join(REPO_ROOT, ".build", "release")
    bins = Binaries(os.path.join(bin_dir, "interests"), os.path.join(bin_dir, "interests-bench"))
    for b in (bins.interests, bins.bench):
        if not (os.path.isfile(b) and os.access(b, os.X_OK)):
            raise BenchError(f"no executable {b} (--bin must hold `interests` and `interests-bench`)")
    return bins


def binary_identity(bins: Binaries) -> dict:
    """Size, modification time and SHA-256 of each binary: `.build/release` can be rebuilt by anyone, and a
    rebuild from other sources changes the figures (section 2 on amazon-all-beauty is very sensitive)."""
    import hashlib
    out = {}
    for b in (bins.interests, bins.bench):
        st = os.stat(b)
        h = hashlib.sha256()
        with open(b, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        out[os.path.basename(b)] = {"path": b, "bytes": st.st_size, "sha256": h.hexdigest(),
                                    "modified": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(st.st_mtime))}
    return out


def repository_state() -> dict:
    """HEAD and the modified/untracked files under the paths the binaries are built from (best effort)."""
    def git(*args):
        try:
            p = subprocess.run(["git", "-C", REPO_ROOT, *args], capture_output=True, text=True, timeout=30)
            return p.stdout.strip() if p.returncode == 0 else None
        except (OSError, subprocess.TimeoutExpired):
            return None
    status = git("status", "--porcelain", "--", "Sources", "Package.swift", "Benchmarks/InterestsBench")
    return {"head": git("rev-parse", "HEAD"), "head_subject": git("log", "-1", "--format=%s"),
            "modified_build_inputs": status.splitlines() if status else ([] if status is not None else None)}


def run(cmd: list[str], what: str, env: dict | None = None, cwd: str | None = None,
        timeout: int = 3600, stdout_file: str | None = None) -> subprocess.CompletedProcess:
    """Runs a command; on failure raises with its status and stderr (and the end of stdout)."""
    print(f"  $ {' '.join(cmd)}", file=sys.stderr, flush=True)
    try:
        if stdout_file:
            with open(stdout_file, "w", encoding="utf-8") as f:
                p = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                   env=env, cwd=cwd, timeout=timeout)
            p.stdout = ""
        else:
            p = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", env=env, cwd=cwd, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what}: timed out after {timeout} s: {' '.join(cmd)}") from None
    except OSError as e:
        raise BenchError(f"{what}: cannot run {cmd[0]}: {e.strerror}") from None
    if p.returncode != 0:
        out = (p.stdout or "")[-2000:]
        raise BenchError(f"{what} failed (status {p.returncode}): {' '.join(cmd)}\n--- stderr ---\n{p.stderr[-6000:]}"
                         + (f"\n--- stdout (end) ---\n{out}" if out.strip() else ""))
    return p


def run_measured(cmd: list[str], what: str) -> tuple[subprocess.CompletedProcess, float, float]:
    """run() plus the child's wall seconds and CPU seconds (user + system, all its threads)."""
    import resource
    r0, t = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    p = run(cmd, what)
    wall, r1 = time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN)
    return p, wall, (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)


def parse_json(text: str, what: str):
    """The last JSON object line of a command's stdout (or the whole output when it is one pretty-printed object)."""
    for line in reversed([l for l in text.split("\n") if l.strip()]):
        if line.lstrip().startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                break
    try:
        obj = json.loads(text)
        if isinstance(obj, dict):
            return obj
    except json.JSONDecodeError:
        pass
    raise BenchError(f"{what}: no JSON object in its output:\n{text[-2000:]}")


def read_jsonl(path: str):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as e:
                    raise BenchError(f"{path}:{n}: not JSON ({e.msg})") from None


def median(xs):
    return statistics.median(xs) if xs else None


def mean(xs):
    return statistics.fmean(xs) if xs else None


def f4(x) -> str:
    return "-" if x is None else f"{x:.4f}"


def ms(x) -> str:
    """Seconds as milliseconds with about three significant digits."""
    if x is None:
        return "-"
    v = x * 1000
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}" if v >= 1 else f"{v:.3f}"


def fa(x) -> str:
    return "-" if x is None else f"{x:g}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


class Report:
    """Prints as it goes and keeps the text for OUT/report.txt."""

    def __init__(self):
        self.lines: list[str] = []

    def __call__(self, s: str = "") -> None:
        print(s, flush=True)
        self.lines.append(s)

    def table(self, headers: list[str], rows: list[list]) -> None:
        cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
        numeric = [all(re.fullmatch(r"[-+0-9.,%x/ ]*|PASS|FAIL|yes|NO", r[i] or "") for r in cells[1:])
                   for i in range(len(headers))]
        numeric[0] = False

        def fmt(row):
            return "  ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric)).rstrip()
        self(fmt(cells[0]))
        self("  ".join("-" * w for w in widths))
        for r in cells[1:]:
            self(fmt(r))

    def section(self, title: str) -> None:
        self()
        self(title)
        self("=" * len(title))


# ------------------------------------------------------------------ data
def check_data(a) -> dict:
    """Every input the chosen sections need, or one error naming all that is missing."""
    d = os.path.abspath(a.data)
    peers = os.path.abspath(a.peers)
    missing, need = [], {}
    for s in a.sets:
        for part in ("train", "test"):
            p = os.path.join(d, s, f"{part}.jsonl")
            need[f"{s}:{part}"] = p
            if not os.path.isfile(p):
                missing.append(p)
    if "2" in a.sections:
        for f in ("evaluate_lists.py", "common.py", "peers.py"):
            if not os.path.isfile(os.path.join(peers, f)):
                missing.append(os.path.join(peers, f))
    if missing:
        raise BenchError("missing data or scripts:\n  " + "\n  ".join(missing)
                         + f"\n(--data {d} must hold the splits, see ../shared/datasets/README.md; --peers {peers} "
                           "must be ../shared/peers)")
    if "2" in a.sections and not (os.path.isfile(a.peers_python) and os.access(a.peers_python, os.X_OK)):
        raise BenchError(f"no Python at {a.peers_python}: create it with {os.path.join(peers, 'setup.sh')} "
                         "(PEERS_MINIMAL=1 is enough here), or pass --peers-python")
    return need


# ------------------------------------------------------------------ (1) ALS speed
def build_matrices(a, bins: Binaries, need: dict, out_dir: str) -> dict:
    """Writes OUT/matrices/NAME.imcsr for each split and the synthetic shop; returns their descriptions."""
    mdir = os.path.join(out_dir, "matrices")
    os.makedirs(mdir, exist_ok=True)
    mats = {}
    for s in a.sets:
        t = time.perf_counter()
        X, source = split_matrix(os.path.dirname(need[f"{s}:train"]), os.path.abspath(a.peers))
        path = os.path.join(mdir, f"{s}.imcsr")
        write_matrix(path, X)
        mats[s] = {"file": path, "source": f"{s}/train.jsonl via {source}", "rows": X.shape[0], "columns": X.shape[1],
                   "nonZeros": int(X.nnz), "build_s": time.perf_counter() - t}
        print(f"[1] matrix {s}: {X.shape[0]:,} x {X.shape[1]:,}, {X.nnz:,} non-zeros", file=sys.stderr, flush=True)

    name = f"synthetic-{a.synthetic_users // 1000}k"
    cdir = os.path.join(out_dir, "synthetic")
    cmd = [bins.interests, "corpus", "generate", "--seed", str(a.synthetic_seed), "--users", str(a.synthetic_users),
           "--items", str(a.synthetic_items), "--out", cdir]
    print(f"[1] generating the synthetic shop ({a.synthetic_users:,} users, {a.synthetic_items:,} items)",
          file=sys.stderr, flush=True)
    t = time.perf_counter()
    run(cmd, "interests corpus generate")
    gen_s = time.perf_counter() - t
    events = os.path.join(cdir, "events.jsonl")
    events_bytes = os.path.getsize(events)
    print(f"[1] matrix {name}: reading {events_bytes / 1e9:.2f} GB of events (about a minute)", file=sys.stderr, flush=True)
    t = time.perf_counter()
    X, positive_events = events_matrix(events)
    path = os.path.join(mdir, f"{name}.imcsr")
    write_matrix(path, X)
    mats[name] = {"file": path, "source": f"`{' '.join(cmd[1:])}` events.jsonl via bench.py events_matrix",
                  "rows": X.shape[0], "columns": X.shape[1], "nonZeros": int(X.nnz), "positive_events": positive_events,
                  "events_bytes": events_bytes, "generate_s": gen_s, "build_s": time.perf_counter() - t}
    print(f"[1] matrix {name}: {X.shape[0]:,} x {X.shape[1]:,}, {X.nnz:,} non-zeros", file=sys.stderr, flush=True)
    if not a.keep_corpus:
        for f in ("events.jsonl", "ground_truth.jsonl"):
            if os.path.exists(os.path.join(cdir, f)):
                os.remove(os.path.join(cdir, f))
        mats[name]["corpus_deleted"] = True
    if X.shape[0] < SYN_MIN_ROWS or X.nnz < SYN_MIN_NNZ:
        raise BenchError(f"the synthetic matrix has {X.shape[0]:,} rows and {X.nnz:,} non-zeros; section 1 needs at least "
                         f"{SYN_MIN_ROWS:,} rows and {SYN_MIN_NNZ:,} non-zeros (raise --synthetic-users)")
    return mats


def section_speed(rep: Report, a, bins: Binaries, need: dict, out_dir: str) -> dict:
    mats = build_matrices(a, bins, need, out_dir)
    res = {"settings": ALS, "matrices": {}}
    for name, m in mats.items():
        print(f"[1] {name}: {a.rounds} rounds, implicit then ours", file=sys.stderr, flush=True)
        rounds = []
        for r in range(a.rounds):
            p, wall, cpu = run_measured([sys.executable, os.path.abspath(__file__), "implicit-speed", m["file"]],
                                        f"implicit ALS on {name}")
            imp = {**parse_json(p.stdout, "implicit worker"), "process_wall_s": wall, "process_cpu_s": cpu}
            p, wall, cpu = run_measured([bins.bench, "als", m["file"], "--factors", str(ALS["factors"]),
                                         "--iterations", str(ALS["iterations"]), "--regularization", str(ALS["regularization"]),
                                         "--alpha", f"{ALS['alpha']:g}", "--threads", str(ALS["threads"]),
                                         "--seed", str(ALS["seed"])], f"interests-bench als on {name}")
            ours = {**parse_json(p.stdout, "interests-bench als"), "process_wall_s": wall, "process_cpu_s": cpu}
            for key in ("rows", "columns", "nonZeros", "secondsPerIteration", "iterationSeconds", "peakRSSMegabytes"):
                if key not in ours:
                    raise BenchError(f"interests-bench als printed no `{key}`: {ours}")
            shape = (m["rows"], m["columns"], m["nonZeros"])
            for side, o in (("implicit", imp), ("interests-bench", ours)):
                if (o["rows"], o["columns"], o["nonZeros"]) != shape:
                    raise BenchError(f"{side} read {o['rows']} x {o['columns']} / {o['nonZeros']} from {m['file']}, "
                                     f"expected {shape}")
            if len(imp["iteration_s"]) != ALS["iterations"] or len(ours["iterationSeconds"]) != ALS["iterations"]:
                raise BenchError(f"{name}: expected {ALS['iterations']} iteration times, got {len(imp['iteration_s'])} "
                                 f"(implicit) and {len(ours['iterationSeconds'])} (ours)")
            ratio = ours["secondsPerIteration"] / imp["s_per_iteration"]
            rounds.append({"round": r + 1, "implicit": imp, "ours": ours, "ratio": ratio,
                           "load_after": os.getloadavg()})
            print(f"    round {r + 1}: implicit {ms(imp['s_per_iteration'])} ms/it, ours "
                  f"{ms(ours['secondsPerIteration'])} ms/it, ratio {ratio:.3f}", file=sys.stderr, flush=True)
        x = {**m, "rounds": rounds,
             "implicit_median_s_per_iteration": median([r["implicit"]["s_per_iteration"] for r in rounds]),
             "ours_median_s_per_iteration": median([r["ours"]["secondsPerIteration"] for r in rounds]),
             "implicit_median_iteration_s": median([t for r in rounds for t in r["implicit"]["iteration_s"]]),
             "ours_median_iteration_s": median([t for r in rounds for t in r["ours"]["iterationSeconds"]]),
             "ratios": [r["ratio"] for r in rounds], "median_ratio": median([r["ratio"] for r in rounds]),
             "implicit_peak_rss_mb": median([r["implicit"]["peak_rss_mb"] for r in rounds]),
             "implicit_peak_rss_after_imports_mb": median([r["implicit"]["peak_rss_after_imports_mb"] or 0 for r in rounds]),
             "ours_peak_rss_mb": median([r["ours"]["peakRSSMegabytes"] for r in rounds])}
        x["iteration_median_ratio"] = x["ours_median_iteration_s"] / x["implicit_median_iteration_s"]
        x["meets_target"] = x["median_ratio"] <= RATIO_TARGET
        res["matrices"][name] = x

    rows = []
    for name, x in res["matrices"].items():
        rows.append([name, f"{x['rows']:,}", f"{x['columns']:,}", f"{x['nonZeros']:,}",
                     ms(x["implicit_median_s_per_iteration"]), ms(x["ours_median_s_per_iteration"]),
                     " ".join(f"{r:.3f}" for r in x["ratios"]), f"{x['median_ratio']:.3f}", verdict(x["meets_target"])])
    rep.table(["matrix", "rows", "columns", "non-zeros", "implicit ms/it (med)", "ours ms/it (med)",
               "ours/implicit per round", "median", f"<= {RATIO_TARGET:.1f}"], rows)
    rep()
    rows = []
    for name, x in res["matrices"].items():
        rows.append([name, ms(x["implicit_median_iteration_s"]), ms(x["ours_median_iteration_s"]),
                     f"{x['iteration_median_ratio']:.3f}", f"{x['implicit_peak_rss_mb']:.0f}",
                     f"{x['implicit_peak_rss_after_imports_mb']:.0f}",
                     f"{x['implicit_peak_rss_mb'] - x['implicit_peak_rss_after_imports_mb']:.0f}",
                     f"{x['ours_peak_rss_mb']:.0f}"])
    rep.table(["matrix", "implicit ms/it (med of its.)", "ours ms/it (med of its.)", "ratio", "implicit peak RSS MB",
               "after imports MB", "implicit above imports MB", "ours peak RSS MB"], rows)
    rep()
    rows = []
    for name, x in res["matrices"].items():
        for r in x["rounds"]:
            i, o = r["implicit"], r["ours"]
            rows.append([name, r["round"], f"{i['fit_s']:.3f}", ms(i["s_per_iteration"]), f"{i['peak_rss_mb']:.0f}",
                         f"{i['process_cpu_s'] / i['process_wall_s']:.2f}",
                         f"{o['secondsPerIteration'] * ALS['iterations']:.3f}", ms(o["secondsPerIteration"]),
                         f"{o['peakRSSMegabytes']:.0f}", f"{o['process_cpu_s'] / o['process_wall_s']:.2f}",
                         f"{r['ratio']:.3f}", f"{r['load_after'][0]:.2f}"])
    rep.table(["matrix", "round", "implicit fit s", "implicit ms/it", "implicit RSS MB", "cpu/wall", "ours train s",
               "ours ms/it", "ours RSS MB", "cpu/wall", "ratio", "load 1m after"], rows)
    first = next(iter(res["matrices"].values()))["rounds"][0]["implicit"]
    blas = ", ".join(f"{b.get('internal_api')} {b.get('version')} x{b.get('num_threads')}" for b in first["blas_under_limit"]) or "none found"
    rep(f"  implicit {first['implicit']} ({first['model']}; numpy {first['numpy']}, scipy {first['scipy']}; BLAS under "
        f"the limit: {blas}), Python {sys.version.split()[0]}, a fresh process per run.")
    rep(f"  Settings both: factors {ALS['factors']}, regularization {ALS['regularization']}, alpha {ALS['alpha']:g} "
        f"(confidence 1 + alpha x 1), {ALS['iterations']} iterations, 3 CG steps (both defaults), {ALS['threads']} threads, "
        f"seed {ALS['seed']}, no loss.")
    rep("  ms/it = the whole fit()/train() call / 15 (transpose, initialisation and all iterations; not reading the file);")
    rep("  'med of its.' = median of the individual iteration times of all rounds (ratio: ours/implicit of those medians).")
    rep("  Order per round: implicit, ours. cpu/wall = the whole process's CPU seconds (user + system, all threads) over")
    rep(f"  its wall seconds; well below {ALS['threads']} on the large matrix means the process did not get both cores.")
    rep("  Peak RSS = VmHWM of each process: implicit's Python process (interpreter, numpy, scipy and implicit included;")
    rep("  'after imports' = its peak right after importing them), ours = interests-bench (holds the whole file while")
    rep("  parsing it). Not ru_maxrss: a child's ru_maxrss starts from its parent's peak on Linux (the JSON has it too).")
    for name, x in res["matrices"].items():
        rep(f"  {name}: {x['source']}")
    return res


# ------------------------------------------------------------------ (2) quality
def evaluate(a, split_dir: str, lists: str, ev_json: str) -> dict:
    peers_dir = os.path.abspath(a.peers)
    run([a.peers_python, os.path.join(peers_dir, "evaluate_lists.py"), split_dir, lists, "--json", ev_json],
        "evaluate_lists.py", cwd=peers_dir)
    with open(ev_json, encoding="utf-8") as f:
        return json.load(f)


def ours_quality(a, bins: Binaries, split: str, split_dir: str, users_file: str, sdir: str, key: str,
                 extra: list[str]) -> dict:
    db = os.path.join(sdir, f"{key}.sqlite")
    for suffix in ("", "-wal", "-shm", "-journal"):  # fresh: our own file from an earlier run goes
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    t = time.perf_counter()
    run([bins.interests, "ingest", "--db", db, "--quiet", os.path.join(split_dir, "train.jsonl")], f"interests ingest ({split})")
    res = {"db": db, "ingest_wall_s": time.perf_counter() - t, "train_args": ["--no-text", "--cf", "als", *extra], "seeds": []}
    for s in a.seeds:
        print(f"[2] {split} {key} seed {s}", file=sys.stderr, flush=True)
        t = time.perf_counter()
        tr = run([bins.interests, "train", "--db", db, "--quiet", "--no-text", "--cf", "als", "--seed", str(s), *extra, "--json"],
                 f"interests train ({split}, {key}, seed {s})")
        train_s = time.perf_counter() - t
        cf = parse_json(tr.stdout, "interests train --json").get("cf")
        if not isinstance(cf, dict) or "alpha" not in cf:
            raise BenchError(f"interests train --json printed no cf.alpha:\n{tr.stdout[-2000:]}")
        lists = os.path.join(sdir, f"lists-{key}-seed{s}.jsonl")
        t = time.perf_counter()
        run([bins.interests, "recommend", "--db", db, "--method", "cf", "--top", str(a.top), "--users", users_file],
            f"interests recommend ({split}, {key}, seed {s})", stdout_file=lists)
        rec_s = time.perf_counter() - t
        m = evaluate(a, split_dir, lists, os.path.join(sdir, f"eval-{key}-seed{s}.json"))
        res["seeds"].append({"seed": s, "alpha": cf["alpha"], "alpha_tuning": cf.get("alphaTuning"), "cf": cf,
                             "train_wall_s": train_s, "recommend_wall_s": rec_s, "lists": lists,
                             "all": m["all"], "cold": m["cold"], "coverage": m.get("coverage")})
    return res


def summarize(x: dict) -> dict:
    nd = [s["all"][f"ndcg@{K}"] for s in x["seeds"]]
    rc = [s["all"][f"recall@{K}"] for s in x["seeds"]]
    x.update({"ndcg": nd, "mean_ndcg": mean(nd), "sd_ndcg": statistics.stdev(nd) if len(nd) > 1 else 0.0,
              "recall": rc, "mean_recall": mean(rc), "alphas": [s["alpha"] for s in x["seeds"]],
              "mean_mrr": mean([s["all"][f"mrr@{K}"] for s in x["seeds"]]),
              "mean_auc": mean([s["all"]["auc"] for s in x["seeds"]]),
              "mean_cold_ndcg": mean([s["cold"][f"ndcg@{K}"] for s in x["seeds"] if s["cold"][f"ndcg@{K}"] is not None])})
    return x


def section_quality(rep: Report, a, bins: Binaries, need: dict, out_dir: str) -> dict:
    peers_dir = os.path.abspath(a.peers)
    res = {"seeds": a.seeds, "top": a.top, "sets": {}}
    for split in a.sets:
        split_dir = os.path.dirname(need[f"{split}:train"])
        sdir = os.path.join(out_dir, "quality", split)
        os.makedirs(sdir, exist_ok=True)
        users = sorted({str(r["user"]) for r in read_jsonl(need[f"{split}:test"])})
        ufile = os.path.join(sdir, "test-users.txt")
        with open(ufile, "w", encoding="utf-8", newline="\n") as f:
            f.writelines(u + "\n" for u in users)
        s = {"test_users": len(users)}
        for key, _, extra in CONFIGS:
            s[key] = summarize(ours_quality(a, bins, split, split_dir, ufile, sdir, key, extra))
        print(f"[2] {split}: implicit as peers.py (seeds {','.join(map(str, a.seeds))}, peers' Python)", file=sys.stderr, flush=True)
        env = dict(os.environ, PEERS_RESULTS=os.path.join(out_dir, "peers-results"))
        t = time.perf_counter()
        imp = parse_json(run([a.peers_python, os.path.abspath(__file__), "implicit-quality", split_dir,
                              "--seeds", ",".join(map(str, a.seeds)), "--peers", peers_dir],
                             f"implicit as peers.py ({split})", env=env, cwd=peers_dir).stdout, "implicit-quality worker")
        imp["wall_s"] = time.perf_counter() - t
        s["implicit"] = summarize(imp)
        ref_file = os.path.join(peers_dir, "results", f"{split}.json")
        if os.path.isfile(ref_file):
            with open(ref_file, encoding="utf-8") as f:
                als = json.load(f).get("methods", {}).get("als")
            if als:
                s["peers_reference"] = {"file": ref_file, "seed": 0, "all": als["all"], "cold": als.get("cold"),
                                        "alpha": als.get("params", {}).get("alpha"), "tuning": als.get("tuning")}
        for key, _, _ in CONFIGS:
            s[f"ratio_{key}"] = s[key]["mean_ndcg"] / s["implicit"]["mean_ndcg"] if s["implicit"]["mean_ndcg"] else None
            s[f"meets_target_{key}"] = s[f"ratio_{key}"] is not None and s[f"ratio_{key}"] >= QUALITY_TARGET
        res["sets"][split] = s

    seeds_h = [f"s{x}" for x in a.seeds]
    rows = []
    for split, s in res["sets"].items():
        for key, label in [(k, l) for k, l, _ in CONFIGS] + [("implicit", "implicit, peers.py ALS")]:
            x = s[key]
            rows.append([f"{split}: {label}", *[f4(v) for v in x["ndcg"]], f4(x["mean_ndcg"]), f4(x["sd_ndcg"]),
                         f4(x["mean_recall"]), " ".join(fa(v) for v in x["alphas"])])
        ref = s.get("peers_reference")
        if ref:
            rows.append([f"{split}: peers' results/ (SEED 0)", *["" for _ in a.seeds], f4(ref["all"][f"ndcg@{K}"]), "",
                         f4(ref["all"][f"recall@{K}"]), fa(ref["alpha"])])
    rep.table(["split / system", *[f"NDCG@{K} {h}" for h in seeds_h], "mean", "sd", f"mean R@{K}", "alpha per seed"], rows)
    rep()
    rows = []
    for split, s in res["sets"].items():
        rows.append([split, f4(s["defaults"]["mean_ndcg"]), f4(s["peers-settings"]["mean_ndcg"]), f4(s["implicit"]["mean_ndcg"]),
                     f"{s['ratio_defaults']:.3f}", verdict(s["meets_target_defaults"]),
                     f"{s['ratio_peers-settings']:.3f}", verdict(s["meets_target_peers-settings"])])
    rep.table(["split", f"(a) NDCG@{K}", f"(b) NDCG@{K}", f"implicit NDCG@{K}", "(a)/implicit", f">= {QUALITY_TARGET}",
               "(b)/implicit", f">= {QUALITY_TARGET}"], rows)
    rep()
    rows = []
    for split, s in res["sets"].items():
        for key, label in [(k, l) for k, l, _ in CONFIGS] + [("implicit", "implicit, peers.py ALS")]:
            x = s[key]
            rows.append([f"{split}: {label}", f4(x["mean_mrr"]), f4(x["mean_auc"]), f4(x["mean_cold_ndcg"])])
    rep.table(["split / system (means over seeds)", f"MRR@{K}", "AUC", f"cold NDCG@{K}"], rows)
    imp0 = next(iter(res["sets"].values()))["implicit"]
    rep(f"  ours: a fresh database per split and system gets train.jsonl; per seed `interests train --no-text --cf als --seed S`")
    rep(f"  ((a) as is: graded weights, alpha auto; (b) --cf-weights binary --alpha 10,20,40), then `interests recommend")
    rep(f"  --method cf --top {a.top}` for the test users, scored by evaluate_lists.py (peers' Python). implicit: peers.py's")
    rep(f"  tune_als_alpha + fit_als with peers.SEED = S, scored in-process by its rank_scores/metrics_from_ranks; implicit")
    rep(f"  {imp0['implicit']}, Python {imp0['python']} ({a.peers_python}). Ratios are of the means over seeds "
        f"{','.join(map(str, a.seeds))}.")
    rep("  peers' results/: the committed reference (peers.py, SEED 0, its own machine and day), for context only.")
    for split, s in res["sets"].items():
        for key in ("defaults", "peers-settings"):
            tun = [x["alpha_tuning"] for x in s[key]["seeds"] if x.get("alpha_tuning")]
            if tun:
                grid = tun[0].get("grid", [])
                vals = " ".join(f"{g:g}:{n:.3f}" for g, n in zip(grid, tun[0].get("ndcg", [])))
                rep(f"  {split} ({key}) validation NDCG@{K} by alpha, seed {a.seeds[0]}: {vals}")
        g = s["implicit"]["seeds"][0]["alpha_grid_val_ndcg"]
        rep(f"  {split} (implicit) validation NDCG@{K} by alpha, seed {a.seeds[0]}: "
            + " ".join(f"{k}:{v:.3f}" for k, v in g.items()))
    return res


# ------------------------------------------------------------------ driver
def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", help="directory holding `interests` and `interests-bench` (default: build them)")
    ap.add_argument("--data", default=os.path.join(SHARED, "datasets"),
                    help="datasets directory (default: ../shared/datasets next to the repository)")
    ap.add_argument("--peers", default=os.path.join(SHARED, "peers"),
                    help="the peers' scripts (default: ../shared/peers next to the repository)")
    ap.add_argument("--peers-python", default=os.path.expanduser("~/.peers-venv/bin/python"),
                    help="Python that runs evaluate_lists.py and peers.py's ALS in section 2 (default ~/.peers-venv/bin/python)")
    ap.add_argument("--out", help="output directory (default: a new temp dir); never inside the repository")
    ap.add_argument("--sections", default="12", help="which of 1 (ALS speed), 2 (ranking quality) to run")
    ap.add_argument("--rounds", type=int, default=3, help="alternating implicit/ours rounds per matrix (default 3)")
    ap.add_argument("--seeds", default="1,2,3,4,5", help="seeds for section 2 (comma-separated, default 1,2,3,4,5)")
    ap.add_argument("--top", type=int, default=100, help="items per user from `interests recommend` (default 100)")
    ap.add_argument("--sets", default=",".join(SPLITS), help="splits for both sections (comma-separated)")
    ap.add_argument("--synthetic-users", type=int, default=300_000, help="interests corpus generate --users (default 300000)")
    ap.add_argument("--synthetic-items", type=int, default=20_000, help="interests corpus generate --items (default 20000)")
    ap.add_argument("--synthetic-seed", type=int, default=1, help="interests corpus generate --seed (default 1)")
    ap.add_argument("--keep-corpus", action="store_true", help="keep the generated events.jsonl (about 1.6 GB) in OUT")
    a = ap.parse_args(argv)
    if not a.sections or set(a.sections) - set("12"):
        ap.error("--sections takes digits from 12")
    if a.rounds < 1 or a.top < 1:
        ap.error("--rounds and --top must be at least 1")
    try:
        a.seeds = [int(x) for x in a.seeds.split(",") if x.strip()]
    except ValueError:
        ap.error("--seeds takes comma-separated integers")
    if not a.seeds:
        ap.error("--seeds is empty")
    a.sets = [s.strip() for s in a.sets.split(",") if s.strip()]
    if not a.sets:
        ap.error("--sets is empty")
    return a


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    try:
        import numpy  # noqa: F401
        import scipy  # noqa: F401
        if "1" in a.sections:
            import threadpoolctl  # noqa: F401
            import implicit  # noqa: F401
    except ImportError as e:
        raise BenchError(f"Python package `{e.name}` is missing from {sys.executable} "
                         "(bench.sh installs implicit, numpy, scipy, threadpoolctl)") from None
    need = check_data(a)
    bins = resolve_bins(a.bin)
    if a.out:
        out_dir = os.path.abspath(a.out)
        if is_inside(out_dir, REPO_ROOT):
            raise BenchError(f"--out {out_dir} is inside the repository; choose a directory outside {REPO_ROOT}")
        os.makedirs(out_dir, exist_ok=True)
    else:
        out_dir = tempfile.mkdtemp(prefix="cf-bench-")
        if is_inside(out_dir, REPO_ROOT):  # e.g. TMPDIR pointing into the checkout
            shutil.rmtree(out_dir)
            raise BenchError(f"the temp dir {out_dir} is inside the repository; set TMPDIR or pass --out")

    rep = Report()
    results = {"python": sys.version.split()[0], "executable": sys.executable, "bin": os.path.dirname(bins.interests),
               "data": os.path.abspath(a.data), "peers": os.path.abspath(a.peers), "peers_python": a.peers_python,
               "out": out_dir, "cpus": os.cpu_count(), "load_at_start": os.getloadavg(),
               "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "args": vars(a)}
    rep("InterestMiner collaborative-filtering benchmark (Benchmarks/cf/bench.py)")
    rep(f"binaries {os.path.dirname(bins.interests)}; data {os.path.abspath(a.data)}; output {out_dir}")
    rep(f"{os.cpu_count()} CPUs, load average at start {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results["binaries_at_start"] = binary_identity(bins)
    results["repository"] = repository_state()
    rs = results["repository"]
    rep("binaries: " + "; ".join(f"{k} {v['sha256'][:12]} ({v['modified']})" for k, v in results["binaries_at_start"].items())
        + f"; repository HEAD {(rs['head'] or '?')[:12]}"
        + (f", {len(rs['modified_build_inputs'])} modified/untracked build inputs" if rs["modified_build_inputs"] else ""))
    t0 = time.perf_counter()

    def save():
        results["load_at_end"] = os.getloadavg()
        results["total_s"] = round(time.perf_counter() - t0, 1)
        with open(os.path.join(out_dir, "cf-bench.json"), "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1, ensure_ascii=False)
        with open(os.path.join(out_dir, "report.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(rep.lines) + "\n")

    try:
        if "1" in a.sections:
            rep.section(f"(1) ALS training speed: implicit vs interests-bench als, {a.rounds} alternating rounds "
                        f"(target ours/implicit <= {RATIO_TARGET:.1f})")
            results["speed"] = section_speed(rep, a, bins, need, out_dir)
        if "2" in a.sections:
            rep.section(f"(2) ranking quality, peers' protocol, seeds {','.join(map(str, a.seeds))} "
                        f"(target mean NDCG@{K} ours/implicit >= {QUALITY_TARGET})")
            results["quality"] = section_quality(rep, a, bins, need, out_dir)
    finally:
        save()

    verdicts = []
    for name, x in ((results.get("speed") or {}).get("matrices") or {}).items():
        verdicts.append((f"ALS speed {name}: ours/implicit {x['median_ratio']:.3f} <= {RATIO_TARGET:.1f}", x["meets_target"]))
    for split, s in ((results.get("quality") or {}).get("sets") or {}).items():
        for key, label, _ in CONFIGS:
            verdicts.append((f"{split} {label}: NDCG@{K} {s[key]['mean_ndcg']:.4f} / implicit {s['implicit']['mean_ndcg']:.4f}"
                             f" = {s[f'ratio_{key}']:.3f} >= {QUALITY_TARGET}", s[f"meets_target_{key}"]))
    results["binaries_at_end"] = binary_identity(bins)
    changed = [k for k, v in results["binaries_at_end"].items() if v["sha256"] != results["binaries_at_start"][k]["sha256"]]
    results["binaries_changed_during_run"] = changed
    rep.section("Targets")
    if changed:
        rep(f"  WARNING: {', '.join(changed)} changed during the run (rebuilt?); the figures mix two builds")
    for text, ok in verdicts:
        rep(f"  {verdict(ok)}  {text}")
    results["verdicts"] = [{"check": t, "pass": ok} for t, ok in verdicts]
    rep()
    rep(f"total {time.perf_counter() - t0:.0f} s; load average at end {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rep(f"wrote {os.path.join(out_dir, 'report.txt')} and {os.path.join(out_dir, 'cf-bench.json')}")
    save()
    return 0


if __name__ == "__main__":
    workers = {"implicit-speed": implicit_speed_worker, "implicit-quality": implicit_quality_worker}
    if len(sys.argv) > 1 and sys.argv[1] in workers:
        try:
            workers[sys.argv[1]](sys.argv[2:])
        except BenchError as e:
            print(f"bench.py {sys.argv[1]}: error: {e}", file=sys.stderr)
            sys.exit(2)
        sys.exit(0)
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as e:
        print(f"bench.py: error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
