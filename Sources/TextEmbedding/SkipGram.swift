import InterestCore

/// Token-id sentences: the input of embedding training.
public struct TokenCorpus: Sendable {
    /// All tokens, sentence after sentence.
    public var tokens: [Int32]
    /// End offset (exclusive) of each sentence in `tokens`.
    public var sentenceEnds: [Int]
    public let vocabularySize: Int

    public init(vocabularySize: Int) {
        tokens = []
        sentenceEnds = []
        self.vocabularySize = vocabularySize
    }

    /// Appends one sentence (ids outside the vocabulary are dropped).
    public mutating func append(_ sentence: some Sequence<Int32>) {
        for t in sentence where t >= 0 && Int(t) < vocabularySize { tokens.append(t) }
        sentenceEnds.append(tokens.count)
    }

    /// How often each id occurs.
    public func counts() -> [Int] {
        var c = [Int](repeating: 0, count: vocabularySize)
        for t in tokens { c[Int(t)] += 1 }
        return c
    }
}

/// Settings of skip-gram training (Mikolov et al. 2013, "Distributed representations of words
/// and phrases"), with word2vec's defaults where the issue names none.
public struct SkipGramConfiguration: Sendable, Equatable, Codable {
    public var dimension: Int
    /// Maximum distance between a word and a context word (each position draws its own
    /// window in 1…window, as word2vec does).
    public var window: Int
    public var negatives: Int
    /// Frequent-token subsampling threshold t: a token of frequency f is kept with
    /// probability (√(f/t) + 1)·t/f.
    public var subsample: Double
    public var epochs: Int
    /// Starting learning rate, decayed linearly to 0.0001× over the run.
    public var learningRate: Float
    /// Tokens seen fewer times are not trained (and get no vector).
    public var minCount: Int
    public var seed: UInt64
    /// Threads > 1 update shared vectors without locks (Hogwild, as word2vec and gensim do),
    /// so only `threads == 1` is bit-for-bit reproducible.
    public var threads: Int

    public init(dimension: Int = 96, window: Int = 5, negatives: Int = 5, subsample: Double = 1e-3, epochs: Int = 5,
                learningRate: Float = 0.025, minCount: Int = 1, seed: UInt64 = 1, threads: Int = 2) {
        self.dimension = dimension
        self.window = window
        self.negatives = negatives
        self.subsample = subsample
        self.epochs = epochs
        self.learningRate = learningRate
        self.minCount = minCount
        self.seed = seed
        self.threads = threads
    }

    func validated() throws(TextEmbeddingError) -> SkipGramConfiguration {
        guard (1...4096).contains(dimension) else { throw .invalidSetting(name: "dimension", reason: "must be 1…4096, got \(dimension)") }
        guard (1...100).contains(window) else { throw .invalidSetting(name: "window", reason: "must be 1…100, got \(window)") }
        guard (0...100).contains(negatives) else { throw .invalidSetting(name: "negatives", reason: "must be 0…100, got \(negatives)") }
        guard (1...1000).contains(epochs) else { throw .invalidSetting(name: "epochs", reason: "must be 1…1000, got \(epochs)") }
        guard subsample >= 0 && subsample.isFinite else { throw .invalidSetting(name: "subsample", reason: "must be ≥ 0") }
        guard learningRate > 0 && learningRate.isFinite else { throw .invalidSetting(name: "learning rate", reason: "must be > 0") }
        guard threads >= 1 else { throw .invalidSetting(name: "threads", reason: "must be at least 1") }
        return self
    }
}

/// Trained token vectors: one row per vocabulary id (zero rows for untrained tokens), and how
/// often each token occurred in the training corpus (for SIF weights).
public struct TokenVectors: Sendable, Equatable {
    public let dimension: Int
    public let vectors: [Float]
    public let counts: [Int]

    public init(dimension: Int, vectors: [Float], counts: [Int]) {
        self.dimension = dimension
        self.vectors = vectors
        self.counts = counts
    }

    public var vocabularySize: Int { counts.count }

    /// Row `id` as an array.
    public func vector(_ id: Int32) -> [Float] {
        let start = Int(id) * dimension
        return Array(vectors[start..<(start + dimension)])
    }
}

/// Trains token vectors with skip-gram and negative sampling.
public struct SkipGramTrainer: Sendable {
    public let configuration: SkipGramConfiguration

    public init(_ configuration: SkipGramConfiguration) throws(TextEmbeddingError) {
        self.configuration = try configuration.validated()
    }

    /// Trains on `corpus`. `progress(fraction)` is called now and then from a worker thread.
    public func train(_ corpus: TokenCorpus, progress: (@Sendable (Double) -> Void)? = nil) throws(TextEmbeddingError) -> TokenVectors {
        let counts = corpus.counts()
        let trainable = counts.filter { $0 >= configuration.minCount && $0 > 0 }.count
        guard trainable > 0, !corpus.tokens.isEmpty else { throw .emptyCorpus }
        let kernel = SkipGramKernel(configuration: configuration, corpus: corpus, counts: counts)
        return kernel.run(progress: progress)
    }
}
