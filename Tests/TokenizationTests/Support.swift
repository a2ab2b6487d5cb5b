import Foundation
import Testing
@testable import Tokenization

/// Word counts from whitespace-separated words with repeats.
func counts(_ pairs: [(String, Int)]) -> WordCounts {
    WordCounts(words: pairs.map { Array($0.0.utf8) }, counts: pairs.map(\.1))
}

/// The five-word corpus of the BPE known-answer test (the classic hug/pug/pun/bun/hugs).
let fiveWords = counts([("hug", 10), ("pug", 5), ("pun", 12), ("bun", 4), ("hugs", 5)])

/// A fixture file's URL.
func fixture(_ name: String) throws -> URL {
    guard let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
        throw FixtureError.missing(name)
    }
    return dir.appendingPathComponent(name)
}

enum FixtureError: Error { case missing(String) }

func loadTokenizer(fixture name: String) throws -> Tokenizer {
    try Tokenizer(json: [UInt8](Data(contentsOf: fixture(name))))
}

/// A tokenizer with the BPE recipe trained on `lines`.
func trainedBPE(_ lines: [String], vocabularySize: Int = 300) throws -> Tokenizer {
    try TokenizerRecipe.bpe.train(lines: lines, vocabularySize: vocabularySize, threads: 1)
}
