#!/usr/bin/env python3
"""Writes the small seed inputs of the fuzz harnesses into OUT/<harness>/ (README.md here).

Seeds are written by hand here or cut from the repository's own files (a few lines of
Corpora/default/events.jsonl, the tiny tokenizer.json of the TextEmbedding tests); no data set
from outside the repository. Usage: make_seeds.py OUT
"""
import json
import os
import struct
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def write(out, harness, name, data):
    folder = os.path.join(out, harness)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def corpus_lines():
    """The first two lines of each event type in the committed corpus."""
    wanted = {"item": [], "review": [], "query": [], "interaction": []}
    with open(os.path.join(ROOT, "Corpora", "default", "events.jsonl"), encoding="utf-8") as f:
        for line in f:
            kind = json.loads(line).get("type")
            if kind in wanted and len(wanted[kind]) < 2:
                wanted[kind].append(line.rstrip("\n"))
            if all(len(v) == 2 for v in wanted.values()):
                break
    return wanted


# ---------------------------------------------------------------- tokenizer.json

def tokenizers(out):
    with open(os.path.join(ROOT, "Tests", "TextEmbeddingTests", "Fixtures", "tiny-bert", "tokenizer.json"), "rb") as f:
        write(out, "tokenizer", "tiny-bert.json", f.read())

    def added(i, content, **flags):
        token = {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": False, "special": True}
        token.update(flags)
        return token

    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "h": 4, "e": 5, "l": 6, "o": 7, "he": 8, "ll": 9,
             "hell": 10, "hello": 11, "##l": 12, "##o": 13, "w": 14, "r": 15, "d": 16, "world": 17, "##ing": 18}
    wordpiece = {
        "version": "1.0",
        "truncation": {"max_length": 8, "stride": 0, "strategy": "LongestFirst", "direction": "Right"},
        "padding": {"strategy": {"Fixed": 8}, "direction": "Right", "pad_to_multiple_of": None, "pad_id": 0,
                    "pad_type_id": 0, "pad_token": "[PAD]"},
        "added_tokens": [added(0, "[PAD]"), added(1, "[UNK]"), added(2, "[CLS]"), added(3, "[SEP]"),
                         added(19, "<mask>", lstrip=True, single_word=True, normalized=True, special=False)],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFD"}, {"type": "StripAccents"}, {"type": "Lowercase"}, {"type": "NFC"}]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "WhitespaceSplit"}, {"type": "Digits", "individual_digits": True}]},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                      {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                           "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                           "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                                              "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "Sequence", "decoders": [{"type": "WordPiece", "prefix": "##", "cleanup": True}]},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }
    write(out, "tokenizer", "wordpiece.json", json.dumps(wordpiece, indent=1))

    bert = dict(wordpiece)
    bert.update({"truncation": None, "padding": None,
                 "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                                "strip_accents": None, "lowercase": True},
                 "pre_tokenizer": {"type": "BertPreTokenizer"},
                 "post_processor": {"type": "BertProcessing", "cls": ["[CLS]", 2], "sep": ["[SEP]", 3]},
                 "decoder": {"type": "WordPiece"}})
    write(out, "tokenizer", "bert.json", json.dumps(bert))

    # Byte-level BPE (GPT-2/RoBERTa style): merges as "a b" strings.
    bl_vocab = {"<s>": 0, "</s>": 1, "<unk>": 2, "Ġ": 3, "h": 4, "e": 5, "l": 6, "o": 7, "he": 8, "ll": 9,
                "hell": 10, "hello": 11, "Ġhello": 12, "w": 13, "r": 14, "d": 15, "Ċ": 16}
    bytelevel = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [added(0, "<s>"), added(1, "</s>"), added(2, "<unk>")],
        "normalizer": {"type": "NFKC"},
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 1], "cls": ["<s>", 0], "trim_offsets": True,
                           "add_prefix_space": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": bl_vocab, "merges": ["h e", "l l", "he ll", "hell o", "Ġ hello"]},
    }
    write(out, "tokenizer", "bytelevel-bpe.json", json.dumps(bytelevel))

    # Merges as pairs, an end-of-word suffix, byte fallback, a Sequence post-processor.
    suffix_vocab = {"<unk>": 0, "h": 1, "e": 2, "l": 3, "o</w>": 4, "he": 5, "ll": 6, "hell": 7, "hello</w>": 8,
                    "<0x41>": 9, "<0xC3>": 10, "<0xA9>": 11, "w": 12, "r": 13, "d</w>": 14}
    suffix = {
        "added_tokens": [added(0, "<unk>")],
        "normalizer": {"type": "NFKD"},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": {"type": "Sequence", "processors": [{"type": "ByteLevel", "trim_offsets": False}]},
        "decoder": {"type": "BPEDecoder", "suffix": "</w>"},
        "model": {"type": "BPE", "unk_token": "<unk>", "end_of_word_suffix": "</w>", "fuse_unk": True,
                  "byte_fallback": True, "vocab": suffix_vocab,
                  "merges": [["h", "e"], ["l", "l"], ["he", "ll"], ["hell", "o</w>"]]},
    }
    write(out, "tokenizer", "bpe-suffix.json", json.dumps(suffix))
    # Escapes in keys and merges (the table reader gives up on them: the value reader reads them).
    # A file, a zero byte, then one more text to encode: lines of the tokenizer tests' tricky text.
    with open(os.path.join(ROOT, "Tests", "TokenizationTests", "Fixtures", "tricky-lines.txt"), "rb") as f:
        tricky = f.read().split(b"\n")
    for k, name in enumerate(["wordpiece.json", "bert.json", "bytelevel-bpe.json", "bpe-suffix.json"]):
        with open(os.path.join(out, "tokenizer", name), "rb") as f:
            write(out, "tokenizer", name.replace(".json", "-text"), f.read() + b"\0" + b"\n".join(tricky[k * 40:(k + 1) * 40]))
    write(out, "tokenizer", "escapes.json",
          '{"model":{"type":"BPE","vocab":{"\\u0041":0,"b":1,"\\u0041b":2,"\\ud83d\\ude00":3},'
          '"merges":["\\u0041 b"],"continuing_subword_prefix":"##"},"pre_tokenizer":null}')


# ---------------------------------------------------------------- safetensors

def safetensors(tensors, dtype="F32", metadata=True, extra=None):
    """tensors: name -> (shape, values). Returns the file's bytes."""
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = {"format": "pt"}
    for name, (shape, values) in tensors.items():
        if dtype == "F32":
            raw = struct.pack("<%df" % len(values), *values)
        elif dtype == "F16":
            raw = struct.pack("<%de" % len(values), *values)
        else:  # BF16: the high half of the float's bits
            raw = b"".join(struct.pack("<I", struct.unpack("<I", struct.pack("<f", v))[0])[2:] for v in values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    for name, (dtype_x, shape, raw) in (extra or {}).items():
        header[name] = {"dtype": dtype_x, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def bert_tensors(vocab, hidden, inter, positions, layers, prefix="", norm=("weight", "bias")):
    counter = [0]

    def values(n):
        out = []
        for _ in range(n):
            counter[0] += 1
            out.append(((counter[0] * 37) % 19 - 9) / 16.0)
        return out

    t = {}

    def add(name, shape):
        n = 1
        for d in shape:
            n *= d
        t[prefix + name] = (shape, values(n))

    add("embeddings.word_embeddings.weight", [vocab, hidden])
    add("embeddings.position_embeddings.weight", [positions, hidden])
    add("embeddings.token_type_embeddings.weight", [2, hidden])
    add("embeddings.LayerNorm." + norm[0], [hidden])
    add("embeddings.LayerNorm." + norm[1], [hidden])
    for l in range(layers):
        p = "encoder.layer.%d." % l
        for part in ("query", "key", "value"):
            add(p + "attention.self.%s.weight" % part, [hidden, hidden])
            add(p + "attention.self.%s.bias" % part, [hidden])
        add(p + "attention.output.dense.weight", [hidden, hidden])
        add(p + "attention.output.dense.bias", [hidden])
        add(p + "attention.output.LayerNorm." + norm[0], [hidden])
        add(p + "attention.output.LayerNorm." + norm[1], [hidden])
        add(p + "intermediate.dense.weight", [inter, hidden])
        add(p + "intermediate.dense.bias", [inter])
        add(p + "output.dense.weight", [hidden, inter])
        add(p + "output.dense.bias", [hidden])
        add(p + "output.LayerNorm." + norm[0], [hidden])
        add(p + "output.LayerNorm." + norm[1], [hidden])
    return t


def models(out):
    def config(vocab, hidden, heads, inter, positions, layers):
        return json.dumps({"model_type": "bert", "hidden_act": "gelu", "vocab_size": vocab, "hidden_size": hidden,
                           "num_attention_heads": heads, "intermediate_size": inter, "max_position_embeddings": positions,
                           "num_hidden_layers": layers, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
                           "position_embedding_type": "absolute"}).encode()

    small = bert_tensors(8, 4, 8, 8, 1)
    write(out, "safetensors", "f32", config(8, 4, 2, 8, 8, 1) + b"\0" + safetensors(small))
    write(out, "safetensors", "f16", config(8, 4, 2, 8, 8, 1) + b"\0" + safetensors(small, "F16", metadata=False))
    old = bert_tensors(10, 4, 6, 6, 2, prefix="bert.", norm=("gamma", "beta"))
    position_ids = struct.pack("<6q", *range(6))
    write(out, "safetensors", "bf16-bert-prefix",
          config(10, 4, 1, 6, 6, 2) + b"\0" + safetensors(old, "BF16", extra={"bert.embeddings.position_ids": ("I64", [1, 6], position_ids)}))
    # The weights alone (an empty config.json).
    write(out, "safetensors", "weights-only", b"\0" + safetensors({"a": ([2, 3], [1, 2, 3, 4, 5, 6]), "b": ([], [7])}))


# ---------------------------------------------------------------- events

def events(out):
    lines = corpus_lines()
    every = [l for kind in ("item", "review", "query", "interaction") for l in lines[kind]]
    # Selector bytes (IngestInput): 0 plain; 0x21 ms timestamps + short max line; 0x42 --type
    # review + 16-byte chunks; 0x1C Amazon mapping, --type item... ; 0x7F everything.
    write(out, "jsonl", "corpus", b"\x00" + ("\n".join(every) + "\n").encode())
    write(out, "jsonl", "corpus-small-chunks", b"\x40" + ("\n".join(every)).encode())
    hand = [
        '\ufeff{"type":"review","user":"u1","item":"B0001","rating":"4.5","text":"Gr\\u00e9at \\ud83d\\ude00 sound","ts":"2024-05-01T12:00:00+02:00"}',
        '{"type":"query","user":42,"text":"wireless earbuds","ts":"2024-05-01","extra":{"a":[1,2,{"b":null}],"c":true}}',
        '{"type":"interaction","user":"u1","item":"B0001","action":"addtocart","ts":1700000200.5}',
        '{"type":"interaction","user":"u1","item":"B0001","action":"rate","rating":3,"ts":"1700000300","id":"e-1"}',
        '{"type":"item","item":"B0002","title":"T\\"itle","text":"","category":"audio"}',
        '  ',
        '{"type":"review","user":"u2","item":"B0001","rating":11,"text":"  ","ts":0}',
        '{"type":"query","user":"u3","text":"x","ts":1.7e9}\r',
        '[1,2]',
        '{"type":"review","user":"u4",',
    ]
    write(out, "jsonl", "hand", b"\x00" + ("\n".join(hand) + "\n").encode())
    write(out, "jsonl", "hand-ms-short-lines", b"\x21" + ("\n".join(hand)).encode())
    amazon = [
        '{"reviewerID":"A1","asin":"B0001","overall":5.0,"summary":"Great","reviewText":"Works well.","unixReviewTime":1400000000}',
        '{"reviewerID":"A2","asin":"B0002","overall":"4","reviewText":"Fine.","unixReviewTime":"1400000001","vote":"2"}',
    ]
    write(out, "jsonl", "amazon", b"\x12" + ("\n".join(amazon) + "\n").encode())
    write(out, "jsonl", "amazon-ms-10-point", b"\x1B" + ("\n".join(amazon) + "\n").encode())

    csv = [
        "type,user,item,rating,text,ts,action\n"
        "review,u1,B0001,5,\"Loud, clear \"\"bass\"\"\",1700000000,\n"
        "query,u1,,,\"wireless\nearbuds\",2024-05-01T10:00:00Z,\n"
        "interaction,u1,B0001,,,1700000200,purchase\r\n"
        "interaction,u1,B0001,3,,1700000300,rate\n",
        "\ufefftype,item,title,category\r\nitem,B0002,Speaker,audio\r\nitem,B0003,,\r\n\r\n",
        "user,item,ts\nu1,B1,1700000000\nu2,B2,1700000001000\n",
        "type,user,text,ts\nquery,u1,a \"b\" c,1700000000\nquery,u2,\"unterminated,1700000000\n",
    ]
    for k, text in enumerate(csv):
        write(out, "csv", "hand-%d" % k, b"\x00" + text.encode())
        write(out, "csv", "hand-%d-variant" % k, bytes([0x40 | (k * 0x15 & 0x3F)]) + text.encode())
    write(out, "csv", "amazon", b"\x12" + b"reviewerID,asin,overall,summary,reviewText,unixReviewTime\n"
          b"A1,B0001,5,Great,Works well.,1400000000\nA2,B0002,4.0,,Fine.,1400000001\n")

    # HTTP bodies: JSON arrays and JSON Lines of events, rank requests, a time and a user id.
    write(out, "http-body", "array", "[" + ",\n ".join(every[:6]) + "]")
    write(out, "http-body", "array-mixed", '[ {"type":"query","user":"u1","text":"a\\nb","ts":1700000000}, 7, "x", [1,[2]], '
                                            '{"type":"query","user":"u1","text":"raw\tcontrol","ts":1700000000} ]')
    write(out, "http-body", "jsonl", "\n".join(every[2:6]) + "\n")
    write(out, "http-body", "empty-array", " [ ] ")
    write(out, "http-body", "rank", '{"user":"u000001","items":["P00114","P00073"],"query":"earbud tips","k":5,'
                                    '"explain":true,"include_seen":false}')
    write(out, "http-body", "rank-minimal", '{"user":"u1"}')
    write(out, "http-body", "time", "2024-05-01T12:00:00.250-05:30")
    write(out, "http-body", "user", "u000001")


# ---------------------------------------------------------------- dictionaries

JSON_WORDS = ["{", "}", "[", "]", ":", ",", '"', "\\", "\\u", "\\ud83d\\ude00", "\\udc00", "null", "true", "false", "-1", "0",
              "-0", "1.5", "1e308", "1e-300", "2147483648", "4294967296", "9007199254740993", "9223372036854775807",
              "9223372036854775808", "-9223372036854775809", "1000000000000"]
EVENT_WORDS = [
    "type", "id", "user", "item", "action", "rating", "text", "title", "category", "ts", "review", "query",
    "interaction", "view", "click", "cart", "purchase", "rate", "addtocart", "reviewerID", "asin", "overall",
    "summary", "reviewText", "unixReviewTime", "2024-05-01T12:00:00Z", "+05:30", "1700000000", "1700000000000",
    "\r\n", "\n", "\ufeff", "\x1f\x8b"]
DICTIONARIES = {
    "tokenizer": JSON_WORDS + [
        "type", "model", "vocab", "merges", "added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder",
        "truncation", "padding", "BPE", "WordPiece", "Sequence", "normalizers", "pretokenizers", "processors", "decoders",
        "BertNormalizer", "Lowercase", "StripAccents", "NFC", "NFD", "NFKC", "NFKD", "BertPreTokenizer", "Whitespace",
        "WhitespaceSplit", "ByteLevel", "Digits", "BertProcessing", "RobertaProcessing", "TemplateProcessing", "BPEDecoder",
        "SpecialToken", "special_tokens", "single", "pair", "ids", "tokens", "type_id", "cls", "sep", "unk_token",
        "continuing_subword_prefix", "end_of_word_suffix", "fuse_unk", "byte_fallback", "ignore_merges", "dropout",
        "max_input_chars_per_word", "id", "content", "single_word", "lstrip", "rstrip", "normalized", "special",
        "max_length", "stride", "strategy", "direction", "Fixed", "pad_to_multiple_of", "pad_id", "pad_type_id",
        "pad_token", "clean_text", "handle_chinese_chars", "strip_accents", "lowercase", "add_prefix_space",
        "trim_offsets", "use_regex", "individual_digits", "prefix", "cleanup", "suffix", "[UNK]", "##", "</w>", "\u0120",
        "<0x41>"],
    "safetensors": JSON_WORDS + [
        "dtype", "shape", "data_offsets", "F32", "F16", "BF16", "I64", "__metadata__", "model_type", "bert",
        "hidden_act", "gelu", "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
        "intermediate_size", "max_position_embeddings", "type_vocab_size", "layer_norm_eps", "position_embedding_type",
        "is_decoder", "embeddings.word_embeddings.weight", "encoder.layer.", "bert.", ".gamma", ".beta",
        "\x00" * 8, "\xff" * 7 + "\x7f"],
    "jsonl": JSON_WORDS + EVENT_WORDS + ["\udcff"],
    "csv": ['"', '""', ",", "\r\n", "\n", "\r"] + EVENT_WORDS,
    "http-body": JSON_WORDS + EVENT_WORDS + ["items", "k", "explain", "include_seen", "includeSeen", "\t"],
}


def dictionary_entry(word):
    """One libFuzzer dictionary line: the word's bytes quoted, escaped as \\", \\\\ and \\xNN.
    A lone surrogate (\udcff) stands for the invalid byte 0xFF; characters below U+0100 are
    single bytes (as written above), others UTF-8."""
    out = []
    for ch in word:
        if ch == "\udcff":
            data = b"\xff"
        elif ord(ch) < 0x100:
            data = bytes([ord(ch)])
        else:
            data = ch.encode("utf-8")
        for b in data:
            if b == 0x22:
                out.append('\\"')
            elif b == 0x5C:
                out.append("\\\\")
            elif 0x20 <= b < 0x7F:
                out.append(chr(b))
            else:
                out.append("\\x%02X" % b)
    return '"%s"' % "".join(out)


def dictionaries(out):
    """libFuzzer dictionaries (-dict=FILE): each format's keywords and edge-case numbers."""
    for harness, words in DICTIONARIES.items():
        with open(os.path.join(out, harness + ".dict"), "w", encoding="ascii") as f:
            f.write("\n".join(dictionary_entry(w) for w in words) + "\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_seeds.py OUT")
    out = sys.argv[1]
    tokenizers(out)
    models(out)
    events(out)
    dictionaries(out)


if __name__ == "__main__":
    main()
