import Foundation
import InterestCore
import Tokenization

/// What `interests train` trains, and how.
public struct TrainingOptions: Sendable {
    public var tokenizer: TokenizerTrainingOptions

    public init(tokenizer: TokenizerTrainingOptions = TokenizerTrainingOptions()) {
        self.tokenizer = tokenizer
    }
}

/// What a training run produced.
public struct TrainingReport: Sendable, Codable {
    public struct TokenizerPart: Sendable, Codable {
        public var version: Int
        public var recipe: String
        public var vocabularySize: Int
        public var texts: Int
        public var distinctWords: Int
        public var seconds: Double
    }
    public var tokenizer: TokenizerPart?
}

extension InterestMiner {
    /// Trains the models on the database's own data and stores them (new versions): first the
    /// tokenizer, on every item title and description, review and query.
    public func train(_ options: TrainingOptions, progress: @Sendable (String) -> Void = { _ in }) throws(InterestMinerError) -> TrainingReport {
        var report = TrainingReport()
        report.tokenizer = try trainStoredTokenizer(options.tokenizer, progress: progress)
        return report
    }

    private func trainStoredTokenizer(_ options: TokenizerTrainingOptions, progress: @Sendable (String) -> Void) throws(InterestMinerError) -> TrainingReport.TokenizerPart {
        let clock = ContinuousClock()
        let start = clock.now
        let recipe = options.recipe
        var counter = WordCounter(normalizer: recipe.normalizer, preTokenizer: recipe.preTokenizer)
        do {
            try store.forEachText { batch in
                counter.add(batch, threads: options.threads)
                progress("tokenizer: counted words in \(counter.texts) texts")
            }
        } catch {
            throw .store(error)
        }
        guard counter.texts > 0 else {
            throw .missing(what: "\(databasePath) holds no text to train a tokenizer on", hint: "ingest reviews, queries or item records first")
        }
        let counts = counter.counts()
        progress("tokenizer: learning a \(recipe.rawValue) vocabulary of \(options.vocabularySize) from \(counts.words.count) distinct words")
        let tokenizer: Tokenizer
        do {
            tokenizer = try recipe.train(counts: counts, vocabularySize: options.vocabularySize, minFrequency: options.minFrequency,
                                         limitAlphabet: options.limitAlphabet)
        } catch {
            throw .tokenizer(source: "tokenizer training", error)
        }
        let parameters: JSONValue = .object([
            ("recipe", .string(recipe.rawValue)), ("vocab_size", .int(options.vocabularySize)),
            ("min_frequency", .int(options.minFrequency)), ("limit_alphabet", options.limitAlphabet.map { .int($0) } ?? .null),
            ("texts", .int(counter.texts)),
        ])
        let version: Int
        do {
            version = try store.saveModel(kind: ModelKind.tokenizer, parameters: parameters.serialized(pretty: false),
                                          payload: tokenizer.serializedJSON())
        } catch {
            throw .store(error)
        }
        return .init(version: version, recipe: recipe.rawValue, vocabularySize: tokenizer.vocabularySize, texts: counter.texts,
                     distinctWords: counts.words.count, seconds: (clock.now - start).seconds)
    }
}
