import ArgumentParser
import Foundation
import InterestCore
import InterestMiner
import Tokenization

struct TokenizerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Train tokenizers and export them as Hugging Face tokenizer.json.",
        subcommands: [Train.self, Export.self])

    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a BPE or WordPiece tokenizer on text files (one document a line).",
            discussion: """
                bpe: NFKC + lowercase, Whitespace pre-tokenizer, BPE — Chinese and Japanese runs stay \
                whole words, so multi-character units (口红, 洗发水) are learned. wordpiece: BERT \
                normalizer and pre-tokenizer, WordPiece. Both get [PAD] [UNK] [CLS] [SEP] [MASK].
                """)

        @Argument(help: "Text files, one document a line.") var corpus: [String]
        @Option(help: "bpe or wordpiece.") var model: TokenizerRecipe = .bpe
        @Option(name: .customLong("vocab-size"), help: "Vocabulary size.") var vocabSize: Int = 16_000
        @Option(name: .customLong("min-frequency"), help: "Pairs seen fewer times are not merged.") var minFrequency: Int = 0
        @Option(name: .customLong("limit-alphabet"), help: "Keep only this many most frequent characters.") var limitAlphabet: Int?
        @Option(help: "Threads for counting words.") var threads: Int = 2
        @Option(help: "Where to write tokenizer.json.") var out: String

        func validate() throws {
            guard !corpus.isEmpty else { throw ValidationError("name at least one corpus file") }
            guard vocabSize >= 1 else { throw ValidationError("--vocab-size must be at least 1") }
            guard minFrequency >= 0 else { throw ValidationError("--min-frequency must not be negative") }
        }

        func run() async throws {
            let clock = ContinuousClock()
            let start = clock.now
            let lines = try InterestMiner.readLines(corpus)
            let tok = try InterestMiner.trainTokenizer(lines: lines, options: TokenizerTrainingOptions(
                recipe: model, vocabularySize: vocabSize, minFrequency: minFrequency, limitAlphabet: limitAlphabet, threads: threads))
            try InterestMiner.saveTokenizer(tok, to: out)
            let d = clock.now - start
            let seconds = d.seconds
            print("trained \(model.rawValue) tokenizer: \(Terminal.count(tok.vocabularySize)) tokens from \(Terminal.count(lines.count)) lines"
                + String(format: " in %.2f s", seconds) + "; wrote \(out)")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the database's trained tokenizer as tokenizer.json.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Where to write tokenizer.json.") var out: String

        func run() async throws {
            let tok = try database.open().storedTokenizer()
            try InterestMiner.saveTokenizer(tok, to: out)
            print("wrote \(out) (\(Terminal.count(tok.vocabularySize)) tokens)")
        }
    }
}

extension TokenizerRecipe: ExpressibleByArgument {}
