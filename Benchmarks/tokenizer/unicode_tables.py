"""Generates Sources/Tokenization/UnicodeTables.swift from Hugging Face `tokenizers` itself.

Parity with HF is the definition of correct, and HF's character classes come from the Unicode
versions of its regex engine (Oniguruma) and Rust crates, which differ from Swift's in a few
hundred code points (newer characters, Oniguruma's \\w including letter numbers and ZWJ/ZWNJ).
So every class the pipeline needs is read off HF's behaviour on each code point:

  word             \\w of the Whitespace pre-tokenizer ('a' + c + 'a' stays one piece)
  letter, number   \\p{L} and \\p{N} of the GPT-2 pattern in the ByteLevel pre-tokenizer
  bertPunctuation  characters the BertPreTokenizer isolates
  bertRemoved      characters BertNormalizer(clean_text) deletes
  combiningMark    characters StripAccents deletes
  bertStripped     characters BertNormalizer(strip_accents) deletes (only nonspacing marks)
  nfkcOverrides    code points whose NFKC in HF differs from Swift's (emitted as HF's result)
  nfdOverrides     the same for NFD
  nfkcChanged, nfdChanged   code points HF's NFKC / NFD changes (others pass through untouched)
  lowercaseChanged code points HF's Lowercase changes
  unsafeStart      code points before which normalization may not cut the text: non-zero
                   combining class, second halves of canonical compositions, and characters whose
                   compatibility decomposition starts with either (Python's unicodedata)

Usage:  ~/.peers-venv/bin/python Benchmarks/tokenizer/unicode_tables.py > Sources/Tokenization/UnicodeTables.swift
(the peers' environment: ../shared/peers/setup.sh). Needs `swift` to list Swift's NFKC.
"""
import json
import os
import subprocess
import sys
import tempfile

import unicodedata

import tokenizers
from tokenizers import normalizers, pre_tokenizers


def code_points():
    for cp in range(0x110000):
        if not 0xD800 <= cp <= 0xDFFF:
            yield cp


def ranges(cps):
    out = []
    for x in cps:
        if out and out[-1][1] == x - 1:
            out[-1][1] = x
        else:
            out.append([x, x])
    return out


def swift_map(prop):
    """{cp: prop(cp)} for every code point Swift's Foundation changes (prop is a String property)."""
    src = r'''
import Foundation
var out = ""
for cp in UInt32(0)..<0x110000 {
  guard let s = Unicode.Scalar(cp) else { continue }
  let c = String(Character(s))
  let k = c.PROP
  if !k.unicodeScalars.elementsEqual(c.unicodeScalars) { out += "\(cp)\t" + k.unicodeScalars.map { String($0.value) }.joined(separator: ",") + "\n" }
}
print(out, terminator: "")
'''
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "nfkc.swift")
        open(p, "w").write(src.replace("PROP", prop))
        exe = os.path.join(d, "nfkc")
        subprocess.run(["swiftc", "-O", p, "-o", exe], check=True, capture_output=True)
        text = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    m = {}
    for line in text.splitlines():
        cp, vals = line.split("\t")
        m[int(cp)] = "".join(chr(int(v)) for v in vals.split(","))
    return m


def main():
    ws = pre_tokenizers.Whitespace()
    bert = pre_tokenizers.BertPreTokenizer()
    bl = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
    strip = normalizers.StripAccents()
    bert_strip = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False)
    nfkc = normalizers.NFKC()
    nfd = normalizers.NFD()
    lower = normalizers.Lowercase()
    classes = {k: [] for k in ("word", "letter", "number", "bertPunctuation", "bertRemoved", "combiningMark", "bertStripped")}
    hf_nfkc, hf_nfd = {}, {}
    lowered = []
    for cp in code_points():
        c = chr(cp)
        if len(ws.pre_tokenize_str("a" + c + "a")) == 1:
            classes["word"].append(cp)
        if len(bl.pre_tokenize_str("a" + c + "a")) == 1:
            classes["letter"].append(cp)
        if len(bl.pre_tokenize_str("1" + c + "1")) == 1:
            classes["number"].append(cp)
        if len(bert.pre_tokenize_str("a" + c + "a")) == 3:
            classes["bertPunctuation"].append(cp)
        if clean.normalize_str("a" + c + "a") == "aa":
            classes["bertRemoved"].append(cp)
        if strip.normalize_str("a" + c + "a") == "aa":
            classes["combiningMark"].append(cp)
        if bert_strip.normalize_str("a" + c + "a") == "aa":
            classes["bertStripped"].append(cp)
        k = nfkc.normalize_str(c)
        if k != c:
            hf_nfkc[cp] = k
        d = nfd.normalize_str(c)
        if d != c:
            hf_nfd[cp] = d
        if lower.normalize_str(c) != c:
            lowered.append(cp)
    classes["nfkcChanged"] = sorted(hf_nfkc)
    classes["nfdChanged"] = sorted(hf_nfd)
    classes["lowercaseChanged"] = lowered
    seconds = set()
    for cp in code_points():
        dec = unicodedata.decomposition(chr(cp))
        if dec and not dec.startswith("<"):
            parts = dec.split()
            if len(parts) == 2:
                seconds.add(int(parts[1], 16))

    # Hangul syllables compose algorithmically (L+V, LV+T), so their vowel and trailing jamo
    # are composition seconds too, though no decomposition mapping lists them.
    seconds.update(range(0x1161, 0x1176))
    seconds.update(range(0x11A8, 0x11C3))

    def unsafe(cp):
        return unicodedata.combining(chr(cp)) != 0 or cp in seconds

    classes["unsafeStart"] = [cp for cp in code_points()
                              if unsafe(cp) or unsafe(ord(unicodedata.normalize("NFKD", chr(cp))[0]))]
    overrides = {}
    for name, hf_map, prop in (("nfkcOverrides", hf_nfkc, "decomposedStringWithCompatibilityMapping.precomposedStringWithCanonicalMapping"),
                               ("nfdOverrides", hf_nfd, "decomposedStringWithCanonicalMapping")):
        ours = swift_map(prop)
        overrides[name] = {}
        for cp in sorted(set(hf_map) | set(ours)):
            theirs = hf_map.get(cp, chr(cp))
            if ours.get(cp, chr(cp)) != theirs:
                overrides[name][cp] = theirs

    w = sys.stdout.write
    w("// Generated by Benchmarks/tokenizer/unicode_tables.py from Hugging Face tokenizers "
      f"{tokenizers.__version__}; do not edit.\n")
    w("// Each table is sorted, inclusive [first, last] code-point ranges, flattened.\n\n")
    w("enum UnicodeTables {\n")
    for name, cps in classes.items():
        rs = ranges(cps)
        w(f"    /// {len(cps)} code points in {len(rs)} ranges.\n")
        w(f"    static let {name}: [UInt32] = [\n")
        flat = [v for r in rs for v in r]
        for i in range(0, len(flat), 8):
            w("        " + ", ".join(f"0x{v:X}" for v in flat[i:i + 8]) + ",\n")
        w("    ]\n\n")
    for name, table in overrides.items():
        form = name.replace("Overrides", "").upper()
        w(f"    /// Code points whose {form} differs between Swift's Foundation and HF: HF's result.\n")
        w(f"    static let {name}: [UInt32: [UInt32]] = [\n")
        for cp, val in table.items():
            w(f"        0x{cp:X}: [" + ", ".join(f"0x{ord(ch):X}" for ch in val) + "],\n")
        w("    ]\n\n")
    w("}\n")
    print(json.dumps({k: len(v) for k, v in classes.items()} | {k: len(v) for k, v in overrides.items()}), file=sys.stderr)


if __name__ == "__main__":
    main()
