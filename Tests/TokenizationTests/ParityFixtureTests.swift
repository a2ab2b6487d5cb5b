import Foundation
import Testing
@testable import Tokenization

/// Hugging Face's ids for a few hundred tricky lines, produced once by
/// Benchmarks/tokenizer/make_fixtures.py: our ids must be identical, with and without special
/// tokens. This guards parity in CI without a network.
@Suite struct ParityFixtureTests {
    struct Expected: Decodable {
        let text: String
        let ids: [Int32]
        let ids_special: [Int32]
    }

    static func expectations(_ name: String) throws -> [Expected] {
        let data = try Data(contentsOf: fixture(name))
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Expected.self, from: Data($0)) }
    }

    @Test(arguments: [("minilm-tokenizer.json", "expected-minilm.jsonl"), ("bytelevel-bpe.json", "expected-bytelevel.jsonl")])
    func idsMatchHuggingFace(tokenizer: String, expected: String) throws {
        let tok = try loadTokenizer(fixture: tokenizer)
        let rows = try Self.expectations(expected)
        #expect(rows.count >= 200)
        var mismatches = 0
        for row in rows {
            let plain = tok.encode(row.text).ids
            let special = tok.encode(row.text, addSpecialTokens: true).ids
            if plain != row.ids || special != row.ids_special {
                mismatches += 1
                if mismatches <= 5 { Issue.record("\(tokenizer): \(row.text.debugDescription) → \(plain) expected \(row.ids)") }
            }
        }
        #expect(mismatches == 0)
    }
}
