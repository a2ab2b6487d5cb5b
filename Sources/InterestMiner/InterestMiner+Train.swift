import CollaborativeFiltering
import Foundation
import InterestCore
import Tokenization

/// What `interests train` trains, and how.
public struct TrainingOptions: Sendable {
    public var tokenizer: TokenizerTrainingOptions
    public var embedding: EmbeddingTrainingOptions
    /// nil: no collaborative model.
    public var cf: CFTrainingOptions?
    /// Train the tokenizer and text vectors (false: only the collaborative model).
    public var text: Bool
    /// How user profiles weigh and decay events.
    public var profile: ProfileRule
    /// The fusion step (nil: keep the stored ranker).
    public var ranker: RankerTrainingOptions?
    /// Item neighbours by co-occurrence (interest terms' "what next").
    public var neighbours = ItemNeighbours.Settings()

    public init(tokenizer: TokenizerTrainingOptions = TokenizerTrainingOptions(), embedding: EmbeddingTrainingOptions = EmbeddingTrainingOptions(),
                cf: CFTrainingOptions? = CFTrainingOptions(), text: Bool = true, profile: ProfileRule = ProfileRule(),
                ranker: RankerTrainingOptions? = RankerTrainingOptions()) {
        self.ranker = ranker
        self.profile = profile
        self.tokenizer = tokenizer
        self.embedding = embedding
        self.cf = cf
        self.text = text
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
    public struct EmbeddingPart: Sendable, Codable {
        public var version: Int
        public var dimension: Int
        /// Tokens of the encoder's vocabulary.
        public var tokens: Int
        /// Skip-gram passes (0 for a pretrained encoder).
        public var epochs: Int
        public var trainedTokens: Int
        /// Training time (loading time for a pretrained encoder).
        public var seconds: Double
        public var wordsPerSecond: Double
        /// "subword" (trained SIF vectors) or "minilm" (a pretrained transformer).
        public var encoder = "subword"
        /// The pretrained model's directory.
        public var modelDirectory: String? = nil
    }
    public struct VectorsPart: Sendable, Codable {
        public var reviews: Int
        public var queries: Int
        public var items: Int
        public var terms: Int
        /// Texts the term document frequencies were counted over.
        public var documents: Int
        /// Users with a profile after the rebuild.
        public var profiles: Int
        public var seconds: Double
    }
    public struct CFPart: Sendable, Codable {
        public var version: Int
        public var method: String
        public var users: Int
        public var items: Int
        public var nonZeros: Int
        public var iterations: Int
        public var seconds: Double
        public var secondsPerIteration: Double
        /// Training loss after each ALS iteration.
        public var losses: [Double]
        /// ALS's confidence scale, and how it was chosen (nil: given).
        public var alpha: Double?
        public var alphaTuning: AlphaTuning?
    }
    public struct RankerPart: Sendable, Codable {
        public var version: Int
        public var features: [String]
        public var coldWeights: [Double]
        public var warmWeights: [Double]
        public var validationUsers: Int
        public var coldUsers: Int
        /// Validation NDCG@10 of the fused ranking and of each feature alone.
        public var validationNDCG: [String: Double]
        public var seconds: Double
    }
    public var tokenizer: TokenizerPart?
    public var embedding: EmbeddingPart?
    public var vectors: VectorsPart?
    public var cf: CFPart?
    public var ranker: RankerPart?
    public var neighbours: NeighboursPart?
}

extension InterestMiner {
    /// Trains the models on the database's own data and stores them (new versions): first the
    /// tokenizer, on every item title and description, review and query.
    public func train(_ options: TrainingOptions, progress: @escaping @Sendable (String) -> Void = { _ in }) throws(InterestMinerError) -> TrainingReport {
        var report = TrainingReport()
        if options.text {
            let (tokenizerPart, tokenizer) = try trainStoredTokenizer(options.tokenizer, progress: progress)
            report.tokenizer = tokenizerPart
            let (embeddingPart, model) = try trainTextModel(tokenizer: tokenizer, tokenizerVersion: tokenizerPart.version,
                                                            options: options.embedding, threads: options.tokenizer.threads, progress: progress)
            report.embedding = embeddingPart
            var vectors = try computeTextVectors(model, terms: options.embedding.terms, threads: options.tokenizer.threads, progress: progress)
            vectors.profiles = try rebuildProfiles(model, rule: options.profile, documents: vectors.documents, progress: progress)
            report.vectors = vectors
        }
        if let cf = options.cf {
            report.cf = try trainCF(cf, progress: progress)
        }
        progress("neighbours: items touched together")
        report.neighbours = try trainItemNeighbours(options.neighbours, threads: options.tokenizer.threads)
        if options.ranker != nil {
            let text = try loadTextModel()
            if text != nil || report.cf != nil || (try? loadCFModel()) != nil {
                let cfOptions = options.cf ?? ((try? loadCFModel()) != nil ? CFTrainingOptions() : nil)
                report.ranker = try trainRanker(cf: cfOptions, alpha: report.cf?.alpha.map(Float.init), text: text,
                                                rule: text?.profile?.rule ?? options.profile, options: options.ranker ?? RankerTrainingOptions(),
                                                progress: progress)
            }
        }
        return report
    }

    private func trainStoredTokenizer(_ options: TokenizerTrainingOptions, progress: @Sendable (String) -> Void) throws(InterestMinerError) -> (TrainingReport.TokenizerPart, Tokenizer) {
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
        return (.init(version: version, recipe: recipe.rawValue, vocabularySize: tokenizer.vocabularySize, texts: counter.texts,
                      distinctWords: counts.words.count, seconds: (clock.now - start).seconds), tokenizer)
    }
}
