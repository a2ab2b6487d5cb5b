import Foundation
import InterestCore
import Testing
@testable import Tokenization

@Suite struct EncodingTests {
    @Test func offsetsPointIntoTheOriginalText() throws {
        let tok = try loadTokenizer(fixture: "minilm-tokenizer.json")
        let text = "Café 口红, ﾀﾞ!"
        let enc = tok.encode(text)
        let bytes = Array(text.utf8)
        let pieces = enc.offsets.map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) }
        #expect(enc.tokens == ["cafe", "口", "[UNK]", ",", "[UNK]", "!"])
        #expect(pieces == ["Café", "口", "红", ",", "ﾀﾞ", "!"])
    }

    @Test func specialTokensComeFromThePostProcessor() throws {
        let tok = try loadTokenizer(fixture: "minilm-tokenizer.json")
        let plain = tok.encode("hello world")
        let special = tok.encode("hello world", addSpecialTokens: true)
        #expect(special.ids == [101] + plain.ids + [102])
        #expect(special.specialTokensMask == [1, 0, 0, 1])
        #expect(special.offsets.first == TokenSpan(0, 0))
    }

    @Test func addedTokensInTextAreMatchedBeforeNormalization() throws {
        let tok = try loadTokenizer(fixture: "minilm-tokenizer.json")
        let enc = tok.encode("say [MASK] please")
        #expect(enc.tokens == ["say", "[MASK]", "please"])
    }

    @Test func decodeRoundTrips() throws {
        let wp = try loadTokenizer(fixture: "minilm-tokenizer.json")
        #expect(wp.decode(wp.encode("Hello, unaffable world!", addSpecialTokens: true).ids) == "hello, unaffable world!")
        let bl = try loadTokenizer(fixture: "bytelevel-bpe.json")
        let text = "Snoutly Grooming Brush – 口红 🎣 naïve"
        #expect(bl.decode(bl.encode(text).ids) == text)
    }

    @Test func batchEncodingEqualsOneByOne() throws {
        let tok = try loadTokenizer(fixture: "minilm-tokenizer.json")
        let texts = (0..<200).map { "item \($0) 口红 matte lipstick \($0 % 7)" }
        let batch = tok.encodeBatch(texts, threads: 2)
        #expect(batch == texts.map { tok.encode($0) })
    }

    /// Any string encodes without a crash, with offsets inside the text and ids in range.
    @Test func fuzzedInputNeverCrashes() throws {
        let tokenizers = [try loadTokenizer(fixture: "minilm-tokenizer.json"), try loadTokenizer(fixture: "bytelevel-bpe.json"),
                          try trainedBPE(["matte lipstick 口红 fly rod", "naïve café ﾀﾞ"], vocabularySize: 60)]
        var rng = SeededRandom(seed: 7)
        var texts: [String] = []
        for _ in 0..<300 {
            var s = String.UnicodeScalarView()
            for _ in 0..<rng.next(in: 0...80) {
                let pick = rng.next(below: 10)
                let cp: UInt32 = switch pick {
                case 0: UInt32(rng.next(below: 0x80))
                case 1: 0x300 + UInt32(rng.next(below: 0x70))          // combining marks
                case 2: 0x4E00 + UInt32(rng.next(below: 0x5000))       // CJK
                case 3: 0x1F300 + UInt32(rng.next(below: 0x400))       // emoji
                case 4: [0x200D, 0x200B, 0xFE0F, 0x202E, 0x2066][rng.next(below: 5)]
                case 5: 0x590 + UInt32(rng.next(below: 0x170))         // Hebrew, Arabic
                case 6: 0xFF00 + UInt32(rng.next(below: 0xF0))         // full and half width
                case 7: 0x1100 + UInt32(rng.next(below: 0x100))        // jamo
                default: UInt32(rng.next(below: 0x110000))
                }
                if let u = Unicode.Scalar(cp) { s.append(u) }
            }
            texts.append(String(s))
        }
        // Invalid UTF-8 (lone surrogate halves, truncated sequences) arrives repaired.
        texts.append(String(decoding: [0xED, 0xA0, 0x80, 0x61, 0xC3, 0xFF, 0xF0, 0x9F], as: UTF8.self))
        texts.append(String(repeating: "e\u{301}\u{302}\u{303}", count: 500))
        texts.append("👩🏽‍🔬👨‍👩‍👧‍👦🏳️‍🌈 مرحبا بالعالم שלום \u{0}\u{1}\u{7F}\t\t")
        texts.append(String(repeating: "wordy口红", count: 120_000))  // about 1 MB
        for tok in tokenizers {
            for text in texts {
                let enc = tok.encode(text, addSpecialTokens: true)
                let n = text.utf8.count
                #expect(enc.offsets.allSatisfy { $0.start >= 0 && $0.start <= $0.end && $0.end <= n })
                #expect(enc.ids.allSatisfy { $0 >= 0 && Int($0) < tok.vocabularySize })
            }
        }
    }
}
