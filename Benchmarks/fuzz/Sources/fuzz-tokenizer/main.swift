import FuzzSupport
import Tokenization

// tokenizer.json (`interests tokenize --tokenizer FILE`, a model folder's tokenizer.json, the
// tokenizer stored in the database): reading must not trap; a tokenizer that reads must encode
// and decode any text without trapping (as `interests tokenize` does: ids, tokens, offsets,
// special tokens, truncation), and the file it writes must read back as the same tokenizer.
// The input is the file, optionally followed by a zero byte and one more text to encode (a
// zero byte cannot stand in a JSON text, so no file is lost by the split; the text is cut at
// 1 KB, which keeps the harness at hundreds of runs a second).

/// Texts that reach many paths: ASCII words and punctuation, accents (NFD/NFKC, accent
/// stripping), CJK, emoji and joiners, digits, control and zero-width characters, whitespace
/// only, a word longer than WordPiece's 100-character limit, bracketed special-token names.
let fixedTexts = [
    "", " ", "Hello, world! It's 2024-05-01.", "héllo Ｈｅｌｌｏ ﬁne Å Å", "你好世界，东京タワー한국어",
    "👍🏽 family 👨‍👩‍👧 e\u{301}", "a\u{0}b\u{7}c\u{200B}d\u{FEFF}e\t\r\n", "[CLS] [SEP] [UNK] <s></s> <unk> [PAD] [MASK]",
    String(repeating: "x", count: 130), "don't stop-believing... 3.14 1,000,000", "Ġhello ĊĠ ##ing </w>",
]

runFuzzer { bytes in
    let split = bytes.firstIndex(of: 0) ?? bytes.count
    guard let tokenizer = try? Tokenizer(json: Array(bytes[..<split])) else { return }
    let texts = split < bytes.count ? fixedTexts + [String(decoding: bytes[(split + 1)...].prefix(1024), as: UTF8.self)] : fixedTexts
    let session = TokenizerSession(tokenizer, cacheSize: 64)
    let added = tokenizer.postProcessor?.addedTokenCount() ?? 0
    for text in texts {
        for (special, limit) in [(false, nil), (true, nil), (true, 1), (true, 3), (false, 2)] as [(Bool, Int?)] {
            let e = session.encode(text, addSpecialTokens: special, maxLength: limit)
            guard e.ids.count == e.offsets.count, e.ids.count == e.tokens.count, e.typeIDs.count == e.ids.count,
                  e.specialTokensMask.count == e.ids.count else {
                violated("encoding of \(text.debugDescription): \(e.ids.count) ids, \(e.offsets.count) offsets, \(e.tokens.count) tokens")
            }
            // Truncation keeps the special tokens, so they alone may pass a tiny limit.
            if let limit, e.ids.count > max(limit, special ? added : 0) {
                violated("\(e.ids.count) ids for max length \(limit) (\(added) special tokens)")
            }
            _ = tokenizer.decode(e.ids)
            _ = tokenizer.decode(e.ids, skipSpecialTokens: false)
        }
        _ = session.pieces(text)
    }
    _ = tokenizer.decode([-1, 0, 1, Int32.max, Int32.min])
    let written = tokenizer.serializedJSON()
    guard let again = try? Tokenizer(json: written) else { violated("the tokenizer.json it writes does not read back") }
    guard again.serializedJSON() == written else { violated("the tokenizer.json it writes reads back as another tokenizer") }
    let reread = TokenizerSession(again, cacheSize: 64)
    for (k, text) in texts.enumerated() where session.encode(text) != reread.encode(text) {
        violated("text \(k) encodes differently after writing and reading the tokenizer")
    }
}
