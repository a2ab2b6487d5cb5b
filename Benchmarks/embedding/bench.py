"""InterestMiner's text embeddings against the peers: training speed, embedding speed, ranking quality.

The run has three sections (pick with --sections, default 123):

  (1) skip-gram TRAINING THROUGHPUT, side by side, on womens-clothing/corpus.txt and
      cn-online-shopping/corpus.txt: gensim Word2Vec exactly as ../shared/peers/w2vbench.py runs it
      (lowercase + whitespace tokens, every CJK ideograph its own token when the corpus is mostly
      CJK; sg=1, dim 64, window 5, negative 5, min_count 3, epochs 5, workers 2, seed 0) versus
      `interests-bench skipgram CORPUS --dim 64 --window 5 --negatives 5 --min-count 3 --epochs 5
      --threads 2`. Both: words/s = corpus tokens x 5 / training seconds. Each side runs in a fresh
      process, alternating gensim, ours, gensim, ours, ... (--rounds, default 3). Reports the median
      words/s of each side, the ratio ours/gensim per round and its median (target >= 1.5x), and
      checks that both saw the same number of tokens.
  (2) EMBEDDING SPEED: a fresh database gets amazon-all-beauty/train.jsonl (`interests ingest`) and
      `interests train`; `interests-bench embed --db DB --file F` (one thread) embeds every review
      text of amazon-all-beauty (events.jsonl, newlines inside a text replaced by spaces) and,
      separately, the real search queries in queries/*.txt. Target >= 50,000 texts/s.
  (3) TEXT-ONLY RANKING QUALITY with the peers' protocol: per split (amazon-all-beauty,
      movielens-latest-small), a fresh database gets train.jsonl, `interests train`, then
      `interests recommend --method text --top 100 --users TEST_USERS` is scored by
      ../shared/peers/evaluate_lists.py (NDCG@10, Recall@10, MRR@10, AUC, cold slice). In the same
      run ../shared/peers/peers.py re-runs its MiniLM text-only peer and popularity on the same
      machine (--peer-methods). Target for amazon-all-beauty: NDCG@10 >= 0.44.
      `interests train` wall-clock (and its own per-stage report) is recorded per split.

Usage (paths are resolved from this file's location, so it runs from anywhere):

  Benchmarks/embedding/bench.sh [options]                              # creates its own venv
  ~/.peers-venv/bin/python Benchmarks/embedding/bench.py --bin DIR [options]

Writes OUT/report.txt (the printed tables), OUT/embedding-bench.json (every number), the databases,
lists, evaluations and the peers' output. OUT defaults to a new temp dir and is never inside the
repository. Any failed command stops the run with its stderr.
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
from collections import Counter
from dataclasses import dataclass

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))  # Benchmarks/embedding -> repository root
SHARED = os.path.join(os.path.dirname(REPO_ROOT), "shared")

# Settings of ../shared/peers/w2vbench.py (SETTINGS there) and the targets of the task.
W2V = {"sg": 1, "dim": 64, "window": 5, "negative": 5, "min_count": 3, "epochs": 5, "threads": 2, "seed": 0}
SPEEDUP_TARGET = 1.5
EMBED_TARGET = 50_000.0
NDCG_TARGET = {"amazon-all-beauty": 0.44}
K = 10

CORPORA = [("womens-clothing", os.path.join("womens-clothing", "corpus.txt")),
           ("cn-online-shopping", os.path.join("cn-online-shopping", "corpus.txt"))]
EMBED_SET = "amazon-all-beauty"
RANK_SETS = ["amazon-all-beauty", "movielens-latest-small"]


class BenchError(Exception):
    """A problem the user must fix (missing data, a failed command, unreadable output...)."""


# ------------------------------------------------------------------ w2vbench's tokenization
# The same functions as ../shared/peers/w2vbench.py; main() imports the originals when the peers
# folder is there (and says which it used), these identical copies are the fallback.
_CJK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f])")


def _tokenize(line, cjk):
    line = line.lower()
    if cjk:
        line = _CJK.sub(r" \1 ", line)
    return line.split()


def _cjk_share(lines):
    text = "".join(lines[:2000])
    return len(_CJK.findall(text)) / max(len(text.replace(" ", "")), 1)


def w2v_functions(peers_dir: str | None):
    """(tokenize, cjk_share, source): w2vbench's own functions when importable, else the copies."""
    if peers_dir and os.path.isfile(os.path.join(peers_dir, "w2vbench.py")):
        sys.path.insert(0, peers_dir)
        try:
            import w2vbench  # noqa: PLC0415  (needs the peers' common.py, which needs numpy)
            return w2vbench.tokenize, w2vbench.cjk_share, os.path.join(peers_dir, "w2vbench.py")
        except ImportError as e:
            print(f"note: cannot import w2vbench ({e}); using bench.py's identical copy", file=sys.stderr)
        finally:
            sys.path.remove(peers_dir)
    return _tokenize, _cjk_share, "bench.py (copy of w2vbench.tokenize / cjk_share)"


def gensim_worker(argv: list[str]) -> None:
    """`bench.py gensim-worker CORPUS [--peers DIR]`: one gensim training in this fresh process,
    exactly as w2vbench.bench() does it; prints one JSON object."""
    ap = argparse.ArgumentParser(prog="bench.py gensim-worker")
    ap.add_argument("corpus")
    ap.add_argument("--peers")
    a = ap.parse_args(argv)
    tokenize, cjk_share, source = w2v_functions(a.peers)
    import gensim
    from gensim.models import Word2Vec
    from gensim.models.word2vec import FAST_VERSION

    with open(a.corpus, encoding="utf-8") as f:  # w2vbench reads lines this way (universal newlines)
        lines = [l.rstrip("\n") for l in f if l.strip()]
    share = cjk_share(lines)
    cjk = share > 0.3  # w2vbench's --cjk auto
    sents = [tokenize(l, cjk) for l in lines]
    n_tokens = sum(len(s) for s in sents)
    counts = Counter(w for s in sents for w in s)
    t = time.perf_counter()
    m = Word2Vec(vector_size=W2V["dim"], window=W2V["window"], negative=W2V["negative"], min_count=W2V["min_count"],
                 sg=W2V["sg"], workers=W2V["threads"], epochs=W2V["epochs"], seed=W2V["seed"])
    m.build_vocab(sents)
    vocab_s = time.perf_counter() - t
    t = time.perf_counter()
    eff, raw = m.train(sents, total_examples=m.corpus_count, epochs=m.epochs)
    train_s = time.perf_counter() - t
    # Neighbours of the 101st-103rd most frequent tokens: the probes interests-bench skipgram uses.
    neighbours = {}
    for w, _ in counts.most_common(103)[100:103]:
        try:
            neighbours[w] = [x for x, _ in m.wv.most_similar(w, topn=5)]
        except KeyError:
            neighbours[w] = None
    print(json.dumps({"gensim": gensim.__version__, "fast_version": FAST_VERSION, "tokenize_from": source,
                      "lines": len(lines), "cjk_share": round(share, 4), "cjk_split": cjk, "tokens": n_tokens,
                      "vocabulary": len(m.wv), "build_vocab_s": vocab_s, "train_s": train_s,
                      "words_per_s": n_tokens * W2V["epochs"] / train_s, "effective_words": eff, "raw_words": raw,
                      "neighbours": neighbours}, ensure_ascii=False))


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


def parse_json(text: str, what: str):
    """The last JSON object line of a command's stdout."""
    for line in reversed([l for l in text.split("\n") if l.strip()]):
        if line.lstrip().startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                break
    raise BenchError(f"{what}: no JSON object in its output:\n{text[-2000:]}")


def read_jsonl(path: str):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as e:
                    raise BenchError(f"{path}:{n}: not JSON ({e.msg})") from None


def read_text_lines(path: str) -> list[str]:
    """Lines as `interests` reads them: split on "\\n" only, a trailing "\\r" dropped, blank ones skipped."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    return [l[:-1] if l.endswith("\r") else l for l in text.split("\n") if l.strip()]


def one_line(text: str) -> str:
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def median(xs):
    return statistics.median(xs) if xs else None


def f0(x) -> str:
    return "-" if x is None else f"{x:,.0f}"


def f4(x) -> str:
    return "-" if x is None else f"{x:.4f}"


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
    missing, need = [], {}

    def want(key, rel):
        p = os.path.join(d, rel)
        need[key] = p
        if not os.path.isfile(p):
            missing.append(p)

    if "1" in a.sections:
        for name, rel in CORPORA:
            want(f"corpus:{name}", rel)
    if "2" in a.sections:
        want("embed:train", os.path.join(EMBED_SET, "train.jsonl"))
        want("embed:events", os.path.join(EMBED_SET, "events.jsonl"))
        qdir = os.path.join(d, "queries")
        need["queries"] = sorted(os.path.join(qdir, f) for f in os.listdir(qdir) if f.endswith(".txt")) \
            if os.path.isdir(qdir) else []
        if not need["queries"]:
            missing.append(os.path.join(qdir, "*.txt"))
    if "3" in a.sections:
        for s in a.sets:
            want(f"rank:{s}:train", os.path.join(s, "train.jsonl"))
            want(f"rank:{s}:test", os.path.join(s, "test.jsonl"))
    if missing:
        raise BenchError("missing data:\n  " + "\n  ".join(missing)
                         + f"\n(--data {d} must hold them; see ../shared/datasets/README.md)")
    if "3" in a.sections:
        peers = os.path.abspath(a.peers)
        for f in ["evaluate_lists.py", "common.py"] + ([] if a.no_peers else ["peers.py"]):
            if not os.path.isfile(os.path.join(peers, f)):
                raise BenchError(f"missing {os.path.join(peers, f)} (--peers must be ../shared/peers)")
        if not (os.path.isfile(a.peers_python) and os.access(a.peers_python, os.X_OK)):
            raise BenchError(f"no Python at {a.peers_python}: create it with {os.path.join(peers, 'setup.sh')}, "
                             "or pass --peers-python (and --no-peers to skip the peers' re-run)")
    return need


# ------------------------------------------------------------------ (1) skip-gram throughput
def section_skipgram(rep: Report, a, bins: Binaries, need: dict, out_dir: str) -> dict:
    res = {}
    for name, _ in CORPORA:
        corpus = need[f"corpus:{name}"]
        print(f"[1] {name}: {a.rounds} rounds, gensim then ours", file=sys.stderr, flush=True)
        rounds = []
        for r in range(a.rounds):
            g = parse_json(run([sys.executable, os.path.abspath(__file__), "gensim-worker", corpus,
                                "--peers", os.path.abspath(a.peers)], f"gensim Word2Vec on {name}").stdout,
                           "gensim worker")
            o = parse_json(run([bins.bench, "skipgram", corpus, "--dim", str(W2V["dim"]), "--window", str(W2V["window"]),
                                "--negatives", str(W2V["negative"]), "--min-count", str(W2V["min_count"]),
                                "--epochs", str(W2V["epochs"]), "--threads", str(W2V["threads"])],
                               f"interests-bench skipgram on {name}").stdout, "interests-bench skipgram")
            for key in ("tokens", "trainSeconds", "wordsPerSecond"):
                if key not in o:
                    raise BenchError(f"interests-bench skipgram printed no `{key}`: {o}")
            rounds.append({"round": r + 1, "gensim": g, "ours": o, "ratio": o["wordsPerSecond"] / g["words_per_s"],
                           "load_1m_after": os.getloadavg()[0]})
            print(f"    round {r + 1}: gensim {g['words_per_s']:,.0f} w/s, ours {o['wordsPerSecond']:,.0f} w/s, "
                  f"ratio {rounds[-1]['ratio']:.2f}x", file=sys.stderr, flush=True)
        g_tokens = {x["gensim"]["tokens"] for x in rounds}
        o_tokens = {x["ours"]["tokens"] for x in rounds}
        res[name] = {
            "corpus": corpus, "rounds": rounds,
            "gensim_median_words_per_s": median([x["gensim"]["words_per_s"] for x in rounds]),
            "ours_median_words_per_s": median([x["ours"]["wordsPerSecond"] for x in rounds]),
            "ratios": [x["ratio"] for x in rounds], "median_ratio": median([x["ratio"] for x in rounds]),
            "gensim_tokens": sorted(g_tokens), "ours_tokens": sorted(o_tokens),
            "same_tokens": len(g_tokens) == 1 and g_tokens == o_tokens,
            "gensim_vocabulary": rounds[0]["gensim"]["vocabulary"], "ours_vocabulary": rounds[0]["ours"].get("vocabulary"),
            "cjk_split": rounds[0]["gensim"]["cjk_split"], "gensim_version": rounds[0]["gensim"]["gensim"],
            "gensim_fast_version": rounds[0]["gensim"]["fast_version"],
            "tokenize_from": rounds[0]["gensim"]["tokenize_from"],
            "neighbours": {"gensim": rounds[-1]["gensim"]["neighbours"], "ours": rounds[-1]["ours"].get("neighbours")}}
        res[name]["meets_target"] = res[name]["median_ratio"] >= SPEEDUP_TARGET

    rows = []
    for name, x in res.items():
        rows.append([name, f"{x['gensim_tokens'][0]:,}" if len(x["gensim_tokens"]) == 1 else "varies",
                     f"{x['ours_tokens'][0]:,}" if len(x["ours_tokens"]) == 1 else "varies",
                     "yes" if x["same_tokens"] else "NO",
                     f"{x['gensim_vocabulary']:,} / {x['ours_vocabulary']:,}" if x["ours_vocabulary"] is not None else "",
                     f0(x["gensim_median_words_per_s"]), f0(x["ours_median_words_per_s"]),
                     " ".join(f"{r:.2f}" for r in x["ratios"]), f"{x['median_ratio']:.2f}x",
                     verdict(x["meets_target"])])
    rep.table(["corpus", "tokens gensim", "tokens ours", "same", "vocab g / ours", "gensim w/s (med)",
               "ours w/s (med)", "ours/gensim per round", "median", f">= {SPEEDUP_TARGET}x"], rows)
    rep()
    rows = []
    for name, x in res.items():
        for r in x["rounds"]:
            rows.append([name, r["round"], f"{r['gensim']['train_s']:.3f}", f0(r["gensim"]["words_per_s"]),
                         f"{r['ours']['trainSeconds']:.3f}", f0(r["ours"]["wordsPerSecond"]), f"{r['ratio']:.2f}x",
                         f"{r['load_1m_after']:.2f}"])
    rep.table(["corpus", "round", "gensim train s", "gensim w/s", "ours train s", "ours w/s", "ratio", "load 1m"], rows)
    first = next(iter(res.values()))
    rep(f"  gensim {first['gensim_version']} (FAST_VERSION {first['gensim_fast_version']}"
        f"{', NOT the compiled routines' if first['gensim_fast_version'] < 0 else ''}), fresh process per run, "
        f"tokenization from {first['tokenize_from']}.")
    rep("  Settings: skip-gram, dim 64, window 5, negatives 5, min_count 3, 5 epochs, 2 threads; gensim seed 0.")
    rep("  words/s = corpus tokens x 5 / training seconds (gensim: Word2Vec.train() only, as w2vbench;")
    rep("  ours: the trainSeconds interests-bench reports). Order per round: gensim first, then ours.")
    for name, x in res.items():
        for side in ("gensim", "ours"):
            nb = x["neighbours"][side] or {}
            shown = "; ".join(f"{w}: {', '.join(v[:5]) if v else '-'}" for w, v in nb.items())
            rep(f"  neighbours {name} {side:<6} {shown}")
    return res


# ------------------------------------------------------------------ databases (sections 2 and 3)
class Databases:
    """One fresh database per split: ingest train.jsonl, then a timed `interests train`."""

    def __init__(self, bins: Binaries, data_dir: str, out_dir: str):
        self.bins, self.data_dir, self.out_dir = bins, data_dir, out_dir
        self.built: dict[str, dict] = {}

    def get(self, name: str) -> dict:
        if name in self.built:
            return self.built[name]
        ddir = os.path.join(self.out_dir, "db")
        os.makedirs(ddir, exist_ok=True)
        db = os.path.join(ddir, f"{name}.sqlite")
        for suffix in ("", "-wal", "-shm", "-journal"):  # fresh: our own file from an earlier run goes
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        train = os.path.join(self.data_dir, name, "train.jsonl")
        print(f"[db] {name}: ingest + train", file=sys.stderr, flush=True)
        t = time.perf_counter()
        ing = run([self.bins.interests, "ingest", "--db", db, "--quiet", "--json", train], f"interests ingest ({name})")
        ingest_s = time.perf_counter() - t
        t = time.perf_counter()
        tr = run([self.bins.interests, "train", "--db", db, "--quiet", "--json"], f"interests train ({name})")
        train_s = time.perf_counter() - t
        try:
            report = parse_json(tr.stdout, "interests train --json")
        except BenchError:
            report = None
        try:
            ingest = parse_json(ing.stdout, "interests ingest --json")
        except BenchError:
            ingest = None
        self.built[name] = {"db": db, "ingest_wall_s": ingest_s, "ingest": ingest,
                            "train_wall_s": train_s, "train": report}
        return self.built[name]


def train_rows(dbs: Databases) -> list[list]:
    rows = []
    for name, b in dbs.built.items():
        tr = b["train"] or {}
        tok, emb, vec = tr.get("tokenizer", {}), tr.get("embedding", {}), tr.get("vectors", {})
        rows.append([name, f"{b['ingest_wall_s']:.2f}", f"{b['train_wall_s']:.2f}",
                     f"{tok['seconds']:.2f}" if "seconds" in tok else "", f"{emb['seconds']:.2f}" if "seconds" in emb else "",
                     f"{emb['epochs']}" if "epochs" in emb else "", f"{vec['seconds']:.2f}" if "seconds" in vec else "",
                     f"{tok['vocabularySize']:,}" if "vocabularySize" in tok else "",
                     f"{emb['dimension']}" if "dimension" in emb else ""])
    return rows


def report_training(rep: Report, dbs: Databases) -> None:
    rep.section("`interests train` wall-clock (fresh database, default settings, 2 threads)")
    rep.table(["split", "ingest s", "train wall s", "tokenizer s", "skip-gram s", "epochs", "vectors s",
               "vocab", "dim"], train_rows(dbs))
    rep("  wall = the whole `interests train --db DB --quiet --json` process; the stage columns are its own report.")


# ------------------------------------------------------------------ (2) embedding speed
def section_embed(rep: Report, a, bins: Binaries, need: dict, dbs: Databases, out_dir: str) -> dict:
    b = dbs.get(EMBED_SET)
    files = []
    texts = [one_line(ev["text"]) for ev in read_jsonl(need["embed:events"])
             if ev.get("type") == "review" and isinstance(ev.get("text"), str) and ev["text"].strip()]
    p = os.path.join(out_dir, f"embed-{EMBED_SET}-reviews.txt")
    with open(p, "w", encoding="utf-8", newline="\n") as f:
        f.writelines(t + "\n" for t in texts)
    files.append((f"{EMBED_SET} reviews", p, len(texts)))
    queries = [q for qf in need["queries"] for q in read_text_lines(qf)]
    p = os.path.join(out_dir, "embed-queries.txt")
    with open(p, "w", encoding="utf-8", newline="\n") as f:
        f.writelines(q + "\n" for q in queries)
    files.append((f"queries ({', '.join(os.path.basename(q) for q in need['queries'])})", p, len(queries)))

    res = {"db": b["db"], "repeat": a.embed_repeat, "files": []}
    rows = []
    for label, path, n in files:
        print(f"[2] embed {label}", file=sys.stderr, flush=True)
        o = parse_json(run([bins.bench, "embed", "--db", b["db"], "--file", path, "--repeat", str(a.embed_repeat)],
                           f"interests-bench embed ({label})").stdout, "interests-bench embed")
        for key in ("texts", "seconds", "textsPerSecond"):
            if key not in o:
                raise BenchError(f"interests-bench embed printed no `{key}`: {o}")
        if o["texts"] != n:
            raise BenchError(f"interests-bench embed read {o['texts']} texts from {path}, the file has {n}")
        ok = o["textsPerSecond"] >= EMBED_TARGET
        res["files"].append({"label": label, "file": path, **o, "meets_target": ok})
        rows.append([label, f"{o['texts']:,}", f"{o.get('bytes', 0) / max(o['texts'], 1):.0f}",
                     f"{o['seconds'] * 1000:.2f}", f0(o["textsPerSecond"]), f"{1e6 / o['textsPerSecond']:.2f}",
                     verdict(ok)])
    rep.table(["texts", "n", "bytes/text", "ms (median)", "texts/s", "us/text", f">= {EMBED_TARGET:,.0f}/s"], rows)
    rep(f"  interests-bench embed: tokenize + pool each text with the trained model of a fresh {EMBED_SET} database")
    rep(f"  (train.jsonl ingested, `interests train`), one thread, median of {a.embed_repeat}. Reviews: every review in")
    rep(f"  {EMBED_SET}/events.jsonl (train and held-out), newlines inside a text replaced by spaces.")
    return res


# ------------------------------------------------------------------ (3) ranking quality
def eval_row(label: str, m: dict) -> list:
    al, co = m["all"], m["cold"]
    return [label, f4(al[f"ndcg@{K}"]), f4(al[f"recall@{K}"]), f4(al[f"mrr@{K}"]), f4(al["auc"]),
            f"{co['n']}", f4(co[f"ndcg@{K}"]), f4(co[f"recall@{K}"])]


def section_ranking(rep: Report, a, bins: Binaries, need: dict, dbs: Databases, out_dir: str) -> dict:
    peers_dir = os.path.abspath(a.peers)
    res = {"top": a.top, "sets": {}}
    for name in a.sets:
        b = dbs.get(name)
        sdir = os.path.join(out_dir, "rank", name)
        os.makedirs(sdir, exist_ok=True)
        users = [str(r["user"]) for r in read_jsonl(need[f"rank:{name}:test"])]
        ufile = os.path.join(sdir, "test-users.txt")
        with open(ufile, "w", encoding="utf-8", newline="\n") as f:
            f.writelines(u + "\n" for u in users)
        lists = os.path.join(sdir, "lists-text.jsonl")
        print(f"[3] {name}: recommend + evaluate", file=sys.stderr, flush=True)
        t = time.perf_counter()
        run([bins.interests, "recommend", "--db", b["db"], "--method", "text", "--top", str(a.top), "--users", ufile],
            f"interests recommend ({name})", stdout_file=lists)
        rec_s = time.perf_counter() - t
        n_lines = sum(1 for _ in read_jsonl(lists))
        ev_json = os.path.join(sdir, "eval-text.json")
        ev = run([a.peers_python, os.path.join(peers_dir, "evaluate_lists.py"), os.path.join(os.path.abspath(a.data), name),
                  lists, "--json", ev_json], f"evaluate_lists.py ({name})", cwd=peers_dir)
        with open(ev_json, encoding="utf-8") as f:
            m = json.load(f)
        res["sets"][name] = {"db": b["db"], "test_users": len(users), "lists": lists, "list_lines": n_lines,
                             "recommend_wall_s": rec_s, "ours_text": m, "evaluate_stdout": ev.stdout,
                             "train_wall_s": b["train_wall_s"]}

    if not a.no_peers:
        pdir = os.path.join(out_dir, "peers")
        os.makedirs(pdir, exist_ok=True)
        env = dict(os.environ, PEERS_RESULTS=pdir)
        peers_data = os.path.realpath(os.path.join(os.path.dirname(peers_dir), "datasets"))
        if peers_data != os.path.realpath(a.data):
            rep(f"  WARNING: peers.py reads its own {peers_data}, not --data {os.path.realpath(a.data)}")
        print(f"[3] peers.py {' '.join(a.sets)} --methods {a.peer_methods} (about a minute)", file=sys.stderr, flush=True)
        t = time.perf_counter()
        p = run([a.peers_python, os.path.join(peers_dir, "peers.py"), *a.sets, "--methods", a.peer_methods,
                 "--results", pdir], "peers.py", env=env, cwd=peers_dir)
        peers_s = time.perf_counter() - t
        with open(os.path.join(pdir, "peers.log"), "w", encoding="utf-8") as f:
            f.write(p.stdout + "\n--- stderr ---\n" + p.stderr)
        res["peers_wall_s"] = peers_s
        for name in a.sets:
            pj = os.path.join(pdir, f"{name}.json")
            if not os.path.isfile(pj):
                raise BenchError(f"peers.py wrote no {pj}; its output:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
            with open(pj, encoding="utf-8") as f:
                res["sets"][name]["peers"] = json.load(f)["methods"]

    rows = []
    for name, s in res["sets"].items():
        rows.append(eval_row(f"{name}: ours text", s["ours_text"]))
        for meth in ("minilm", "popularity", *[m for m in (s.get("peers") or {}) if m not in ("minilm", "popularity")]):
            if meth in (s.get("peers") or {}):
                rows.append(eval_row(f"{name}: peer {meth}", s["peers"][meth]))
    rep.table(["split / method", f"NDCG@{K}", f"R@{K}", f"MRR@{K}", "AUC", "cold n", f"cold NDCG@{K}", f"cold R@{K}"], rows)
    rep()
    rows = []
    for name, s in res["sets"].items():
        ours = s["ours_text"]["all"][f"ndcg@{K}"]
        mini = (s.get("peers") or {}).get("minilm", {}).get("all", {}).get(f"ndcg@{K}")
        tgt = NDCG_TARGET.get(name)
        s["meets_target"] = None if tgt is None else ours >= tgt
        rows.append([name, f4(ours), f4(mini), "-" if mini is None else f"{ours - mini:+.4f}",
                     "-" if tgt is None else f"{tgt:.2f}", "-" if tgt is None else verdict(ours >= tgt),
                     f"{s['train_wall_s']:.2f}", f"{s['recommend_wall_s']:.2f}",
                     f"{(s.get('peers') or {}).get('minilm', {}).get('fit_s', 0):.1f}" if mini is not None else "-"])
    rep.table(["split", f"ours NDCG@{K}", f"MiniLM NDCG@{K}", "ours - MiniLM", "target", "verdict",
               "ours train s", "ours recommend s", "MiniLM fit s"], rows)
    rep(f"  ours: `interests recommend --method text --top {a.top}` for the test users of a fresh database (train.jsonl),")
    rep("  scored by ../shared/peers/evaluate_lists.py; peers: peers.py re-run now on this machine. Cold = test users")
    rep(f"  with <= 4 positive train events. AUC is exact only where {a.top} items cover a user's whole candidate list.")
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
                    help="Python that runs evaluate_lists.py and peers.py (default ~/.peers-venv/bin/python)")
    ap.add_argument("--out", help="output directory (default: a new temp dir); never inside the repository")
    ap.add_argument("--sections", default="123", help="which of 1 (skip-gram), 2 (embed), 3 (ranking) to run")
    ap.add_argument("--rounds", type=int, default=3, help="alternating gensim/ours rounds per corpus (default 3)")
    ap.add_argument("--embed-repeat", type=int, default=10, help="interests-bench embed --repeat (median of N, default 10)")
    ap.add_argument("--top", type=int, default=100, help="items per user from `interests recommend` (default 100)")
    ap.add_argument("--sets", default=",".join(RANK_SETS), help="splits for section 3 (comma-separated)")
    ap.add_argument("--peer-methods", default="popularity,minilm",
                    help="peers.py --methods (default popularity,minilm; 'all' for every peer)")
    ap.add_argument("--no-peers", action="store_true", help="skip the peers.py re-run in section 3")
    a = ap.parse_args(argv)
    if not a.sections or set(a.sections) - set("123"):
        ap.error("--sections takes digits from 123")
    if a.rounds < 1 or a.embed_repeat < 1 or a.top < 1:
        ap.error("--rounds, --embed-repeat and --top must be at least 1")
    a.sets = [s.strip() for s in a.sets.split(",") if s.strip()]
    if "3" in a.sections and not a.sets:
        ap.error("--sets is empty")
    if a.peer_methods == "all":
        a.peer_methods = "popularity,als,bpr,lightfm_warp,lightfm_warp_hybrid,minilm,hybrid_als_minilm"
    return a


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    if "1" in a.sections:
        try:
            import gensim  # noqa: F401
            from gensim.models.word2vec import FAST_VERSION  # noqa: F401
        except ImportError:
            raise BenchError(f"Python package `gensim` is missing from {sys.executable} "
                             "(bench.sh installs it; or run with ~/.peers-venv/bin/python)") from None
    need = check_data(a)
    bins = resolve_bins(a.bin)
    if a.out:
        out_dir = os.path.abspath(a.out)
        if is_inside(out_dir, REPO_ROOT):
            raise BenchError(f"--out {out_dir} is inside the repository; choose a directory outside {REPO_ROOT}")
        os.makedirs(out_dir, exist_ok=True)
    else:
        out_dir = tempfile.mkdtemp(prefix="embedding-bench-")
        if is_inside(out_dir, REPO_ROOT):  # e.g. TMPDIR pointing into the checkout
            shutil.rmtree(out_dir)
            raise BenchError(f"the temp dir {out_dir} is inside the repository; set TMPDIR or pass --out")

    rep = Report()
    results = {"python": sys.version.split()[0], "bin": os.path.dirname(bins.interests),
               "data": os.path.abspath(a.data), "peers": os.path.abspath(a.peers), "out": out_dir,
               "cpus": os.cpu_count(), "load_at_start": os.getloadavg(),
               "started": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    rep("InterestMiner embedding benchmark (Benchmarks/embedding/bench.py)")
    rep(f"binaries {os.path.dirname(bins.interests)}; data {os.path.abspath(a.data)}; output {out_dir}")
    rep(f"{os.cpu_count()} CPUs, load average at start {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    t0 = time.perf_counter()
    dbs = Databases(bins, os.path.abspath(a.data), out_dir)

    def save():
        results["databases"] = dbs.built
        results["load_at_end"] = os.getloadavg()
        results["total_s"] = round(time.perf_counter() - t0, 1)
        with open(os.path.join(out_dir, "embedding-bench.json"), "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1, ensure_ascii=False)
        with open(os.path.join(out_dir, "report.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(rep.lines) + "\n")

    try:
        if "1" in a.sections:
            rep.section(f"(1) skip-gram training throughput: gensim Word2Vec vs interests-bench skipgram, "
                        f"{a.rounds} alternating rounds")
            results["skipgram"] = section_skipgram(rep, a, bins, need, out_dir)
        if "2" in a.sections:
            rep.section(f"(2) embedding speed, one thread (target >= {EMBED_TARGET:,.0f} texts/s)")
            results["embed"] = section_embed(rep, a, bins, need, dbs, out_dir)
        if "3" in a.sections:
            rep.section(f"(3) text-only ranking quality, peers' protocol (target {EMBED_SET} NDCG@{K} >= "
                        f"{NDCG_TARGET[EMBED_SET]})")
            results["ranking"] = section_ranking(rep, a, bins, need, dbs, out_dir)
        if dbs.built:
            report_training(rep, dbs)
    finally:
        save()

    verdicts = []
    for name, x in (results.get("skipgram") or {}).items():
        verdicts.append((f"skip-gram {name} ours/gensim {x['median_ratio']:.2f}x >= {SPEEDUP_TARGET}x", x["meets_target"]))
        verdicts.append((f"skip-gram {name} same token count", x["same_tokens"]))
    for f in (results.get("embed") or {}).get("files", []):
        verdicts.append((f"embed {f['label']} {f['textsPerSecond']:,.0f} texts/s >= {EMBED_TARGET:,.0f}", f["meets_target"]))
    for name, s in ((results.get("ranking") or {}).get("sets") or {}).items():
        if s.get("meets_target") is not None:
            verdicts.append((f"{name} NDCG@{K} {s['ours_text']['all'][f'ndcg@{K}']:.4f} >= {NDCG_TARGET[name]}",
                             s["meets_target"]))
    rep.section("Targets")
    for text, ok in verdicts:
        rep(f"  {verdict(ok)}  {text}")
    results["verdicts"] = [{"check": t, "pass": ok} for t, ok in verdicts]
    rep()
    rep(f"total {time.perf_counter() - t0:.0f} s; load average at end {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rep(f"wrote {os.path.join(out_dir, 'report.txt')} and {os.path.join(out_dir, 'embedding-bench.json')}")
    save()
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "gensim-worker":
        gensim_worker(sys.argv[2:])
        sys.exit(0)
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as e:
        print(f"bench.py: error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
