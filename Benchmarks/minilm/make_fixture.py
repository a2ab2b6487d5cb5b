"""Writes the tiny-BERT fixture of Tests/TextEmbeddingTests/Fixtures/tiny-bert/, deterministically.

A sentence-transformers model of the all-MiniLM-L6-v2 form (BERT encoder, mean pooling, Normalize)
but tiny: 2 layers, hidden 32, 2 heads of 16, feed-forward 48, 40 positions, max_seq_length 16,
and a hand-made uncased WordPiece vocabulary of about 150 tokens (letters, digits, punctuation, a
few words and ## pieces, a few CJK characters). Weights are seeded normal draws rounded to
float16 values, so model.safetensors (F32) and model.f16.safetensors (F16) hold the same numbers
and one set of expected vectors serves both.

  expected.json   {"texts": [...], "ids": [[...]], "vectors": [[...]]}: the token ids (HF tokenizer,
                  special tokens, truncation at 16) and the unit vectors sentence-transformers
                  computes in float32 (encode(batch_size=4): batches mix lengths, so padding and
                  the attention mask are exercised).

sentence-transformers is the reference: never edit the expectations by hand; rerun this script.

  ~/.peers-venv/bin/python Benchmarks/minilm/make_fixture.py [--out DIR]

Needs torch, transformers, sentence-transformers and safetensors (the peers' environment,
../shared/peers/setup.sh, has them). Writes only into the fixture folder.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SCRIPT_DIR))
DEFAULT_OUT = os.path.join(REPO_ROOT, "Tests", "TextEmbeddingTests", "Fixtures", "tiny-bert")

SEED = 20240611
HIDDEN, LAYERS, HEADS, INTERMEDIATE, POSITIONS, MAX_SEQ = 32, 2, 2, 48, 40, 16

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = ["the", "a", "is", "and", "it", "this", "for", "my", "hair", "skin", "dry", "oil", "soap", "great", "good", "bad",
         "smell", "love", "not", "very", "shampoo", "lipstick", "red", "color", "buy", "price", "cheap", "fly", "rod", "tent"]
PIECES = ["##s", "##ed", "##ing", "##er", "##ly", "##y", "##e", "##es"]
CJK = ["口", "红", "很", "好", "用", "洗", "发", "水", "质", "量", "不", "错"]

# Texts covering: short, long (truncated at 16 tokens), upper case and accents (the uncased
# normaliser), punctuation, digits, unknown characters (emoji, Cyrillic), Chinese, mixed, a
# single token, and whitespace inside.
TEXTS = [
    "great shampoo",
    "This shampoo is VERY good for dry hair and it smells great; I love the price, cheap and good for my skin",
    "Café crème, très bon!",
    "red lipstick, 2 colors... not bad",
    "口红很好用",
    "洗发水质量不错，很好用！",
    "fly rod and tent 🎣",
    "soap",
    "привет world",
    "the oily hair of a smelly dryer",
    "  buy   it\tnow  ",
    "ab cd ef gh ij kl mn op qr st uv wx yz 01 23 45 67 89",
]


def vocabulary() -> list[str]:
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    digits = [str(d) for d in range(10)]
    punct = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + ["，", "！"]
    continuation = ["##" + c for c in letters + digits]
    vocab = SPECIAL + punct + digits + letters + continuation + WORDS + PIECES + CJK
    seen, out = set(), []
    for t in vocab:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def build(out: str) -> None:
    import numpy as np
    import torch
    from safetensors.torch import save_file
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordPiece
    import warnings
    warnings.simplefilter("ignore")
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    torch.manual_seed(SEED)
    work = tempfile.mkdtemp(prefix="tiny-bert-")
    try:
        vocab = vocabulary()
        # BERT's uncased WordPiece pipeline, as all-MiniLM-L6-v2's tokenizer.json has it.
        core = Tokenizer(WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]", max_input_chars_per_word=100))
        core.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True)
        core.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        core.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                                            special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
        core.decoder = decoders.WordPiece()
        core.add_special_tokens(SPECIAL)
        tokenizer = BertTokenizerFast(tokenizer_object=core, do_lower_case=True, unk_token="[UNK]", sep_token="[SEP]",
                                      pad_token="[PAD]", cls_token="[CLS]", mask_token="[MASK]")
        probe = tokenizer("great shampoo")["input_ids"]
        assert probe == [2, vocab.index("great"), vocab.index("shampoo"), 3], f"tokenizer is not the intended one: {probe}"
        config = BertConfig(vocab_size=len(vocab), hidden_size=HIDDEN, num_hidden_layers=LAYERS, num_attention_heads=HEADS,
                            intermediate_size=INTERMEDIATE, max_position_embeddings=POSITIONS, type_vocab_size=2,
                            hidden_act="gelu", layer_norm_eps=1e-12, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
        bert = BertModel(config, add_pooling_layer=False).eval()
        gen = torch.Generator().manual_seed(SEED)
        with torch.no_grad():
            for name, p in bert.named_parameters():
                if name.endswith("LayerNorm.weight"):
                    v = 1.0 + 0.2 * torch.randn(p.shape, generator=gen)
                elif name.endswith("bias"):
                    v = 0.1 * torch.randn(p.shape, generator=gen)
                else:
                    v = 0.3 * torch.randn(p.shape, generator=gen)
                p.copy_(v.half().float())  # float16-representable: the F16 file holds the same values
        bert_dir = os.path.join(work, "bert")
        bert.save_pretrained(bert_dir, safe_serialization=True)
        tokenizer.save_pretrained(bert_dir)

        word = models.Transformer(bert_dir, max_seq_length=MAX_SEQ)
        pooling = models.Pooling(HIDDEN, pooling_mode="mean")
        st = SentenceTransformer(modules=[word, pooling, models.Normalize()], device="cpu")
        st_dir = os.path.join(work, "st")
        st.save(st_dir)
        # The module files in the classic layout all-MiniLM-L6-v2 ships with (sentence-transformers
        # 6 writes newer names; it reads both).
        classic = {
            "sentence_bert_config.json": {"max_seq_length": MAX_SEQ, "do_lower_case": False},
            os.path.join("1_Pooling", "config.json"): {
                "word_embedding_dimension": HIDDEN, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
                "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False},
            "modules.json": [
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
        }
        for rel, content in classic.items():
            with open(os.path.join(st_dir, rel), "w", encoding="utf-8") as f:
                json.dump(content, f, indent=2)
                f.write("\n")

        # Reload from disk, as users do, and compute the expectations in float32.
        model = SentenceTransformer(st_dir, device="cpu")
        assert model.max_seq_length == MAX_SEQ, f"sentence-transformers read max_seq_length {model.max_seq_length}"
        vectors = model.encode(TEXTS, batch_size=4, normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)
        ids = [tokenizer(t, truncation=True, max_length=MAX_SEQ)["input_ids"] for t in TEXTS]

        os.makedirs(out, exist_ok=True)
        for name in os.listdir(out):
            path = os.path.join(out, name)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        keep = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "sentence_bert_config.json",
                "modules.json", os.path.join("1_Pooling", "config.json")]
        for rel in keep:
            os.makedirs(os.path.dirname(os.path.join(out, rel)) or out, exist_ok=True)
            shutil.copyfile(os.path.join(st_dir, rel), os.path.join(out, rel))
        state = {k: v.detach().half().contiguous() for k, v in bert.state_dict().items() if v.dtype == torch.float32}
        save_file(state, os.path.join(out, "model.f16.safetensors"), metadata={"format": "pt"})
        os.chmod(os.path.join(out, "model.f16.safetensors"), 0o644)
        with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as f:
            json.dump({"seed": SEED, "max_seq_length": MAX_SEQ, "texts": TEXTS, "ids": ids,
                       "vectors": [[float(x) for x in v] for v in vectors]}, f, ensure_ascii=False)
            f.write("\n")
        import sentence_transformers
        import transformers
        print(f"wrote {out}: {len(vocab)} tokens, {sum(p.numel() for p in bert.parameters())} parameters; "
              f"torch {torch.__version__}, transformers {transformers.__version__}, "
              f"sentence-transformers {sentence_transformers.__version__}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    build(ap.parse_args().out)


if __name__ == "__main__":
    main()
