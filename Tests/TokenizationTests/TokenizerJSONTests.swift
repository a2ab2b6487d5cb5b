import Foundation
import InterestCore
import Testing
@testable import Tokenization

@Suite struct TokenizerJSONTests {
    static let lines = (0..<200).map { "Matte lipstick #\($0 % 9): love it!! 口红很好看，颜色正 café naïve don't" }

    @Test func writeReadRoundTripIsByteIdenticalAndEncodesTheSame() throws {
        for recipe in TokenizerRecipe.allCases {
            let tok = try recipe.train(lines: Self.lines, vocabularySize: 200, threads: 1)
            let bytes = tok.serializedJSON()
            let back = try Tokenizer(json: bytes)
            #expect(back.serializedJSON() == bytes, "\(recipe) re-serializes identically")
            for text in Self.lines.prefix(5) + ["", "   ", "[CLS] literal [SEP]"] {
                #expect(back.encode(text) == tok.encode(text))
                #expect(back.encode(text, addSpecialTokens: true) == tok.encode(text, addSpecialTokens: true))
            }
        }
    }

    @Test func minilmFileKeepsTruncationAndPaddingButDoesNotApplyThem() throws {
        let tok = try loadTokenizer(fixture: "minilm-tokenizer.json")
        #expect(tok.truncation?.maxLength == 128)
        #expect(tok.padding?.fixedLength == 128 || tok.padding != nil)
        let long = String(repeating: "lipstick ", count: 300)
        #expect(tok.encode(long).count == 300, "no truncation unless asked")
        #expect(tok.encode(long, addSpecialTokens: true, maxLength: 128).count == 128)
        let again = try Tokenizer(json: tok.serializedJSON())
        #expect(again.truncation == tok.truncation)
        #expect(again.padding == tok.padding)
    }

    @Test func malformedFilesNameTheProblem() throws {
        let good = Array(try Tokenizer(json: try trainedBPE(Self.lines).serializedJSON()).serializedJSON())
        // Truncated.
        #expect {
            try Tokenizer(json: Array(good.prefix(good.count / 2)))
        } throws: { ($0 as? TokenizationError).map { if case .invalidJSON = $0 { true } else { false } } ?? false }
        // Missing the model.
        #expect(throws: TokenizationError.missingField(path: "model")) { try Tokenizer(json: Array(#"{"version":"1.0"}"#.utf8)) }
        // A wrongly typed field names its path.
        #expect(throws: TokenizationError.wrongType(path: "model.vocab", expected: "an object", found: "an array")) {
            try Tokenizer(json: Array(#"{"model":{"type":"WordPiece","vocab":[]}}"#.utf8))
        }
        // Unsupported components name themselves.
        #expect(throws: TokenizationError.unsupportedComponent(kind: "normalizer", type: "Replace")) {
            try Tokenizer(json: Array(#"{"normalizer":{"type":"Replace"},"model":{"type":"WordPiece","vocab":{"[UNK]":0}}}"#.utf8))
        }
        #expect(throws: TokenizationError.unsupportedComponent(kind: "model", type: "Unigram")) {
            try Tokenizer(json: Array(#"{"model":{"type":"Unigram","vocab":[]}}"#.utf8))
        }
        // Vocabulary ids must be 0…n-1.
        #expect(throws: TokenizationError.self) {
            try Tokenizer(json: Array(#"{"model":{"type":"WordPiece","vocab":{"[UNK]":0,"a":5}}}"#.utf8))
        }
        // Ids beyond Int32 are refused by path, not converted (Int32(id) trapped).
        let vocab = #""model":{"type":"WordPiece","vocab":{"[UNK]":0}}"#
        #expect(throws: TokenizationError.wrongType(path: "added_tokens[0].id", expected: "an integer from -2147483648 to 2147483647", found: "2147483648")) {
            try Tokenizer(json: Array(#"{"added_tokens":[{"id":2147483648,"content":"x"}],\#(vocab)}"#.utf8))
        }
        #expect(throws: TokenizationError.wrongType(path: "post_processor.cls[1]", expected: "an integer from -2147483648 to 2147483647", found: "9999999999")) {
            try Tokenizer(json: Array(#"{"post_processor":{"type":"BertProcessing","cls":["[CLS]",9999999999],"sep":["[SEP]",1]},\#(vocab)}"#.utf8))
        }
        #expect(throws: TokenizationError.wrongType(path: "padding.pad_id", expected: "an integer from -2147483648 to 2147483647", found: "-2147483649")) {
            try Tokenizer(json: Array(#"{"padding":{"pad_id":-2147483649},\#(vocab)}"#.utf8))
        }
        #expect(throws: TokenizationError.wrongType(path: "post_processor.special_tokens.[CLS].ids[0]", expected: "an integer from -2147483648 to 2147483647", found: "4294967296")) {
            try Tokenizer(json: Array(#"{"post_processor":{"type":"TemplateProcessing","single":[],"pair":[],"special_tokens":{"[CLS]":{"id":"[CLS]","ids":[4294967296],"tokens":["[CLS]"]}}},\#(vocab)}"#.utf8))
        }
        // Not JSON at all.
        #expect(throws: TokenizationError.self) { try Tokenizer(json: Array("hello".utf8)) }
        #expect(throws: TokenizationError.self) { try Tokenizer(json: []) }
    }

    @Test func jsonValueParsesAndSerializesEscapes() throws {
        let text = #"{"a":"line\nbreak \"q\" \u00e9 \ud83c\udfa3","b":[1,-2.5,true,null],"c":{}}"#
        let v = try JSONValue.parse(text)
        #expect(v["a"]?.stringValue == "line\nbreak \"q\" é 🎣")
        #expect(v["b"] == .array([.int(1), .double(-2.5), .bool(true), .null]))
        #expect(try JSONValue.parse(v.serialized(pretty: true)) == v)
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(#"{"a":"\ud800"}"#) }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(String(repeating: "[", count: 1000)) }
    }
}
