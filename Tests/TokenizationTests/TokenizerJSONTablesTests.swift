import Foundation
import InterestCore
import Testing
@testable import Tokenization

/// The table reader (`ModelTables`) against reading the whole file as JSON values: the same
/// tokenizer, or it gives up and the values reader answers.
@Suite struct TokenizerJSONTablesTests {
    static let lines = (0..<300).map {
        "Matte lipstick #\($0 % 9): love it!! 口红很好看，颜色正 洗发水很好用 café naïve don't \($0 % 2 == 0 ? "防潮垫 徒步睡袋" : "wireless earbuds")"
    }
    static let texts = [
        "Matte lipstick, love it!! wireless earbuds", "口红很好看，颜色正，洗发水很好用", "防潮垫和徒步睡袋 超轻帐篷",
        "café naïve don't", "", "   ", "[CLS] literal [SEP]", "unseen wörds ünd 未见过的字",
    ]

    /// Both readers' tokenizers, checked to be the same tokenizer.
    func expectSame(_ bytes: [UInt8], _ comment: Comment) throws {
        let fast = try #require(Tokenizer.readWithTables(bytes), "the table reader reads it (\(comment))")
        let values = try Tokenizer(values: bytes)
        #expect(fast.serializedJSON() == values.serializedJSON(), comment)
        #expect(fast.model.vocabulary.tokens == values.model.vocabulary.tokens, comment)
        if let a = fast.model as? BPE, let b = values.model as? BPE {
            #expect(a.merges.map { [$0.0, $0.1] } == b.merges.map { [$0.0, $0.1] }, comment)
            #expect(a.firstMergeRank == b.firstMergeRank, comment)
        }
        for text in Self.texts {
            #expect(fast.encode(text) == values.encode(text), "\(comment): \(text)")
            #expect(fast.encode(text, addSpecialTokens: true) == values.encode(text, addSpecialTokens: true), "\(comment): \(text)")
        }
    }

    @Test func trainedTokenizersReadTheSameBothWays() throws {
        for recipe in TokenizerRecipe.allCases {
            let tok = try recipe.train(lines: Self.lines, vocabularySize: 300, threads: 1)
            let bytes = tok.serializedJSON()
            try expectSame(bytes, "\(recipe), pretty")
            try expectSame(Array(try JSONValue.parse(bytes).serialized(pretty: false).utf8), "\(recipe), compact")
            // And `init(json:)` is the tokenizer the recipe trained.
            let read = try Tokenizer(json: bytes)
            for text in Self.texts { #expect(read.encode(text) == tok.encode(text), "\(recipe): \(text)") }
        }
    }

    @Test func fixturesReadTheSameBothWays() throws {
        for name in ["bytelevel-bpe.json", "minilm-tokenizer.json"] {
            try expectSame([UInt8](Data(contentsOf: fixture(name))), "\(name)")
        }
    }

    /// Merges as "a b" strings, and tokens written with escapes, as other tools write them.
    @Test func spacedMergesAndEscapesReadTheSame() throws {
        let tok = try trainedBPE(Self.lines)
        guard case .object(var root) = tok.json, let m = root.firstIndex(where: { $0.0 == "model" }),
              case .object(var model) = root[m].1, let k = model.firstIndex(where: { $0.0 == "merges" }),
              case .array(let merges) = model[k].1 else {
            Issue.record("unexpected tokenizer JSON")
            return
        }
        model[k].1 = .array(merges.map { pair in .string((pair.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " ")) })
        root[m].1 = .object(model)
        let spaced = JSONValue.object(root).serialized()
        try expectSame(Array(spaced.utf8), "\"a b\" merges")
        // \u escapes for every CJK character: decoded, not looked up by their bytes.
        var escaped = ""
        for u in spaced.unicodeScalars {
            if u.value >= 0x4E00 && u.value <= 0x9FFF { escaped += String(format: "\\u%04x", u.value) } else { escaped.unicodeScalars.append(u) }
        }
        #expect(escaped.contains("\\u"))
        try expectSame(Array(escaped.utf8), "escaped CJK")
    }

    /// What the table reader does not expect, it leaves to the values reader — which reads it
    /// or names the problem exactly as before.
    @Test func unexpectedShapesFallBackToTheValuesReader() throws {
        let wordPiece = #"{"model":{"type":"WordPiece","vocab":{"[UNK]":0,"a":1.0,"b":2}}}"#
        #expect(Tokenizer.readWithTables(Array(wordPiece.utf8)) == nil)
        #expect(try Tokenizer(json: Array(wordPiece.utf8)).id(of: "a") == 1)
        let twice = #"{"model":{"type":"WordPiece","vocab":{"[UNK]":0}},"model":{"type":"WordPiece","vocab":{"[UNK]":0,"a":1}}}"#
        #expect(Tokenizer.readWithTables(Array(twice.utf8)) == nil)
        #expect(try Tokenizer(json: Array(twice.utf8)).id(of: "a") == nil, "the first model wins, as before")
        let unknownMerge = #"{"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":[["a","c"]]}}"#
        #expect(Tokenizer.readWithTables(Array(unknownMerge.utf8)) == nil)
        #expect(throws: TokenizationError.invalidVocabulary(reason: "merge 0 ('a' 'c') names a token that is not in the vocabulary")) {
            try Tokenizer(json: Array(unknownMerge.utf8))
        }
        let badMerge = #"{"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["ab"]}}"#
        #expect(throws: TokenizationError.wrongType(path: "model.merges[0]", expected: "\"a b\"", found: "'ab'")) {
            try Tokenizer(json: Array(badMerge.utf8))
        }
        let good = #"{"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]}}"#
        #expect(try Tokenizer(json: Array(good.utf8)).model.tokenize("ab").map(\.id) == [2])
    }

    /// `BPE.merge(producing:)` answers what an index of every merge's concatenation would.
    @Test func mergeProducingIsTheFirstMergeOfEachToken() throws {
        let bpe = try #require(try trainedBPE(Self.lines).model as? BPE)
        var first: [String: (String, String)] = [:]
        for (a, b) in bpe.merges where first[a + b] == nil { first[a + b] = (a, b) }
        #expect(!first.isEmpty)
        for token in bpe.vocabulary.tokens {
            let got = bpe.merge(producing: token)
            #expect(got.map { [$0.0, $0.1] } == first[token].map { [$0.0, $0.1] }, "\(token)")
        }
        #expect(bpe.merge(producing: "not a token") == nil)
    }
}
