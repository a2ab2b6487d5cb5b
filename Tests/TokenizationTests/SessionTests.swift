import Foundation
import Testing
@testable import Tokenization

/// The session's caches (whole words, and BPE word parts) and its recycled buffers must never
/// change a result: a long-lived session gives exactly what a fresh one gives, text by text.
@Suite struct SessionTests {
    static func trickyLines() throws -> [String] {
        let text = try String(contentsOf: fixture("tricky-lines.txt"), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// Chinese and English shopping phrases, so a trained BPE learns multi-character words.
    static let phrases = [
        "这个手机质量很好，物流也很快！", "质量不错，价格便宜，下次还会再来。", "衣服很漂亮，尺码标准，颜色和图片一样。",
        "物流太慢了，等了一个星期才到。", "客服态度很好，很耐心。", "The dress fits well and the fabric is soft.",
        "Great quality, fast shipping, would buy again!", "ＦＵＬＬ－ＷＩＤＴＨ ｔｅｘｔ，ｗｉｔｈ　ｓｐａｃｅｓ。",
    ]

    static func corpus() throws -> [String] {
        let base = try trickyLines() + phrases
        return (0..<4).flatMap { _ in base }
    }

    func expectSessionMatchesFreshEncodes(_ tok: Tokenizer, _ texts: [String]) {
        let session = TokenizerSession(tok)
        var mismatches = 0
        // Twice over, so the second pass is served from the caches.
        for text in texts + texts.reversed() {
            for special in [false, true] where session.encode(text, addSpecialTokens: special) != tok.encode(text, addSpecialTokens: special) {
                mismatches += 1
                if mismatches <= 3 { Issue.record("session and fresh encodings differ for \(text.debugDescription)") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func trainedBPESessionMatchesFreshEncodes() throws {
        let lines = try Self.corpus()
        let tok = try trainedBPE(lines, vocabularySize: 600)
        expectSessionMatchesFreshEncodes(tok, try Self.trickyLines() + Self.phrases)
    }

    @Test(arguments: ["minilm-tokenizer.json", "bytelevel-bpe.json"])
    func fixtureSessionMatchesFreshEncodes(tokenizer: String) throws {
        let tok = try loadTokenizer(fixture: tokenizer)
        expectSessionMatchesFreshEncodes(tok, try Self.trickyLines() + Self.phrases)
    }

    @Test(arguments: ["minilm-tokenizer.json", "bytelevel-bpe.json", "trained"])
    func idsAndPiecesComeFromOneEncodeAsTheyDoFromTwo(tokenizer: String) throws {
        let tok = tokenizer == "trained" ? try trainedBPE(try Self.corpus(), vocabularySize: 600) : try loadTokenizer(fixture: tokenizer)
        let session = TokenizerSession(tok), other = TokenizerSession(tok)
        for text in try Self.trickyLines() + Self.phrases + [""] {
            let (ids, pieces) = session.idsAndPieces(text)
            #expect(ids == other.encode(text).ids, "\(text.debugDescription)")
            #expect(pieces == other.pieces(text), "\(text.debugDescription)")
            #expect(pieces.flatMap(\.ids).allSatisfy(Set(ids).contains))
        }
    }

    @Test func byteLevelSpellingsNeverServeInputWords() throws {
        // Byte-level BPE tokenizes a byte-mapped spelling ("Б" is spelled "Ðĳ"), whose parts
        // must not be cached under input bytes: the input word "ÐĳÐĳ" would be answered with
        // what the session learned about the spelling of "ББ".
        let tok = try loadTokenizer(fixture: "bytelevel-bpe.json")
        let letters = Array("БДЖЗИЙКЛМНПФЦЧШЩЪЫЬЭЮЯбвгджзийклмнпфцчшщъыьэюя你好质量很不错的是一手机物流快")
        var texts: [String] = []
        for k in 0..<600 {
            let word = String((0..<(2 + k % 7)).map { letters[(k * 7 + $0 * 13) % letters.count] })
            var spelling = String.UnicodeScalarView()
            for b in word.utf8 {
                if let s = Unicode.Scalar(ByteLevel.byteToScalar[Int(b)]) { spelling.append(s) }
            }
            texts += [word, String(spelling)]
        }
        expectSessionMatchesFreshEncodes(tok, texts)
    }

    @Test func bpeMatchesReferenceMerging() throws {
        let tok = try trainedBPE(try Self.corpus(), vocabularySize: 600)
        guard let bpe = tok.model as? BPE else {
            Issue.record("not a BPE model")
            return
        }
        let vocabulary = bpe.vocabulary
        // A pair listed twice keeps its last rank, as in HF's merge map.
        var ranks: [String: Int] = [:]
        for (rank, (a, b)) in bpe.merges.enumerated() { ranks[a + "\u{0}" + b] = rank }
        // The textbook algorithm: merge the lowest-ranked adjacent pair (leftmost on ties).
        func reference(_ word: String) -> [String] {
            var symbols = word.unicodeScalars.map { String($0) }
            while symbols.count > 1 {
                var best: (rank: Int, at: Int)?
                for k in 0..<(symbols.count - 1) {
                    if let r = ranks[symbols[k] + "\u{0}" + symbols[k + 1]], best.map({ r < $0.rank }) ?? true { best = (r, k) }
                }
                guard let (_, at) = best else { break }
                symbols[at] += symbols[at + 1]
                symbols.remove(at: at + 1)
            }
            return symbols
        }
        // Words from the vocabulary's own characters, so nothing is unknown: short and long
        // (the heap), pieces of real phrases and random mixtures.
        let characters = vocabulary.tokens.filter { $0.unicodeScalars.count == 1 && !$0.hasPrefix("[") }
        var generator = SystemRandomNumberGenerator()
        let known = Set(characters)
        var words = Self.phrases.flatMap { phrase -> [String] in
            var text = NormalizedText(phrase)
            tok.normalizer?.normalize(&text)
            return text.string.split(whereSeparator: { !$0.isLetter }).map(String.init)
        }.filter { $0.unicodeScalars.allSatisfy { known.contains(String($0)) } }
        #expect(words.count > 10)
        for length in [1, 2, 3, 4, 5, 6, 8, 13, 40, 70] {
            for _ in 0..<100 {
                words.append(String((0..<length).compactMap { _ in characters.randomElement(using: &generator) }.joined()))
            }
        }
        var cache = WordCache()
        defer { cache.deallocate() }
        var buffer = TokenBuffer()
        defer { buffer.deallocate() }
        var scratch: [UInt8] = []
        for word in words + words {
            let expected = reference(word)
            #expect(bpe.tokenize(word).map { vocabulary.tokens[Int($0.id)] } == expected, "\(word)")
            // And through a session's cache of word parts.
            buffer.removeAll()
            var w = word
            w.withUTF8 { bpe.encoder.tokenize($0, into: &buffer, scratch: &scratch, memo: &cache) }
            #expect(buffer.elements.map { vocabulary.tokens[Int($0.id)] } == expected, "\(word) (cached parts)")
        }
    }

    @Test func mergeMatchesReferenceOnMergeRichWords() throws {
        // Words glued from the vocabulary's own multi-character tokens (and runs of one
        // character, for ties) make every merge path work: two, three and four symbols, the
        // stack buffers and the heap; merged whole, without cutting. The byte-level fixture has
        // merges enough for that.
        let tok = try loadTokenizer(fixture: "bytelevel-bpe.json")
        guard let bpe = tok.model as? BPE else {
            Issue.record("not a BPE model")
            return
        }
        let vocabulary = bpe.vocabulary
        var ranks: [String: Int] = [:]
        for (rank, (a, b)) in bpe.merges.enumerated() { ranks[a + "\u{0}" + b] = rank }
        func reference(_ symbols: [String]) -> [String] {
            var symbols = symbols
            while symbols.count > 1 {
                var best: (rank: Int, at: Int)?
                for k in 0..<(symbols.count - 1) {
                    if let r = ranks[symbols[k] + "\u{0}" + symbols[k + 1]], best.map({ r < $0.rank }) ?? true { best = (r, k) }
                }
                guard let (_, at) = best else { break }
                symbols[at] += symbols[at + 1]
                symbols.remove(at: at + 1)
            }
            return symbols
        }
        let pieces = vocabulary.tokens.filter { $0.unicodeScalars.count > 1 && !$0.hasPrefix("[") }
        let characters = vocabulary.tokens.filter { $0.unicodeScalars.count == 1 && !$0.hasPrefix("[") }
        var generator = SystemRandomNumberGenerator()
        var words: [String] = []
        for count in 1...6 {
            for _ in 0..<300 { words.append((0..<count).compactMap { _ in pieces.randomElement(using: &generator) }.joined()) }
        }
        for c in characters.prefix(30) { words += (2...9).map { String(repeating: c, count: $0) } }
        words += [String(repeating: "ab", count: 40), String(repeating: "质量", count: 40)]
        var checked = 0
        for word in words {
            let scalars = word.unicodeScalars.map { String($0) }
            let ids = scalars.compactMap { vocabulary.id(of: $0) }
            guard ids.count == scalars.count else { continue }
            var symbols = zip(ids, scalars).map { ModelToken(id: $0, length: Int32($1.utf8.count)) }
            let n = symbols.withUnsafeMutableBufferPointer { bpe.encoder.merge($0, $0.count) }
            let merged = symbols[..<n].map { vocabulary.tokens[Int($0.id)] }
            #expect(merged == reference(scalars), "\(word)")
            checked += 1
        }
        #expect(checked > 1000)
    }

    @Test func normalizationMatchesHuggingFaceAroundSupplementaryScalars() {
        // HF's results: Foundation alone composes U+1006B + U+0331 into U+1E35 and leaves the
        // supplementary mark before U+309A.
        let cases: [([UInt32], [UInt32])] = [
            ([0x1006B, 0x331], [0x1006B, 0x331]),
            ([0x10061, 0x306], [0x10061, 0x306]),
            ([0x1E014, 0xFF9F], [0x309A, 0x1E014]),
            ([0x11099, 0x110BA], [0x1109A]),
            ([0x11938, 0x114C3], [0x11938, 0x114C3]),
            ([0x32FF, 0x35E], [0x32FF, 0x35E]),
            ([0x110BA, 0x344, 0xF75], [0x110BA, 0xF71, 0xF74, 0x308, 0x301]),
        ]
        for (input, expected) in cases {
            var s = String.UnicodeScalarView()
            for cp in input { if let scalar = Unicode.Scalar(cp) { s.append(scalar) } }
            var text = NormalizedText(String(s))
            UnicodeNormalizer(.nfkc).normalize(&text)
            #expect(text.string.unicodeScalars.map(\.value) == expected, "\(input.map { String($0, radix: 16) })")
        }
    }

    @Test func offsetsPointAtTheOriginalCharacters() throws {
        // NFKC turns full-width characters into ASCII and lowercasing keeps lengths: every
        // token's original range must spell, once normalized, exactly the token's text.
        let tok = try trainedBPE(try Self.corpus(), vocabularySize: 600)
        let session = TokenizerSession(tok)
        for text in Self.phrases + ["ＡＢＣ，ｄｅｆ！ﬁﬂ ㈱ ﾀﾞ Ⅻ"] {
            let enc = session.encode(text)
            let bytes = Array(text.utf8)
            var previousStart = 0
            for (k, span) in enc.offsets.enumerated() {
                #expect(span.start >= previousStart && span.end > span.start && span.end <= bytes.count, "\(text) token \(k)")
                previousStart = span.start
                var original = NormalizedText(String(decoding: bytes[span.start..<span.end], as: UTF8.self))
                tok.normalizer?.normalize(&original)
                #expect(original.string.contains(tok.token(of: enc.ids[k]) ?? "?"), "\(text) token \(k)")
            }
        }
    }
}
