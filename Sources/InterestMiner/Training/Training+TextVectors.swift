import Foundation
import InterestCore
import InterestStore
import TextEmbedding
import Tokenization

extension TrainingPipeline {
    /// Trains token vectors on every text of the database (tokenized with `tokenizer`), fits
    /// the SIF encoder and stores it as a new text-encoder version — or, with a pretrained
    /// encoder, stores that (`storePretrainedModel`).
    func trainTextModel(tokenizer: Tokenizer, tokenizerVersion: Int, options: EmbeddingTrainingOptions, threads: Int, build: GenerationBuild,
                        progress: @escaping @Sendable (String) -> Void) throws(InterestMinerError) -> (TrainingReport.EmbeddingPart, LoadedTextModel) {
        if case .pretrained(let directory, let maxLength) = options.encoder {
            return try storePretrainedModel(directory: directory, maxLength: maxLength, tokenizer: tokenizer, tokenizerVersion: tokenizerVersion,
                                            build: build, progress: progress)
        }
        let clock = ContinuousClock()
        var corpus = TokenCorpus(vocabularySize: tokenizer.model.vocabulary.count)
        do {
            try store.forEachText { batch in
                let ids = parallelMap(batch, threads: threads, makeState: { TokenizerSession(tokenizer) }) { session, text in
                    session.encode(text).ids
                }
                for sentence in ids { corpus.append(sentence) }
                progress("vectors: tokenized \(corpus.sentenceEnds.count) texts")
            }
        } catch {
            throw .store(error)
        }
        var config = options.skipGram
        config.threads = threads
        if options.automaticEpochs {
            config.epochs = EmbeddingTrainingOptions.epochs(forCorpusTokens: corpus.tokens.count)
        }
        let trainer: SkipGramTrainer
        do { trainer = try SkipGramTrainer(config) } catch { throw .invalidArgument(name: "embedding settings", reason: error.description) }
        let start = clock.now
        let vectors: TokenVectors
        do {
            vectors = try trainer.train(corpus) { fraction in progress(String(format: "vectors: skip-gram %.0f%%", fraction * 100)) }
        } catch {
            throw .missing(what: "cannot train text vectors: \(error)", hint: "ingest more text")
        }
        let trainSeconds = (clock.now - start).seconds
        // Principal component from an evenly spread sample of the corpus's texts.
        let n = corpus.sentenceEnds.count
        let stride = max(1, n / max(1, options.principalComponentSample))
        var sample: [[Int32]] = []
        var k = 0
        while k < n {
            let lo = k == 0 ? 0 : corpus.sentenceEnds[k - 1]
            sample.append(Array(corpus.tokens[lo..<corpus.sentenceEnds[k]]))
            k += stride
        }
        let encoder = SIFEncoder.fit(tokenizer: tokenizer, vectors: vectors, sampleIDs: sample, smoothing: options.smoothing)
        let parameters: JSONValue = .object([
            ("tokenizer_version", .int(tokenizerVersion)), ("dimension", .int(config.dimension)), ("window", .int(config.window)),
            ("negatives", .int(config.negatives)), ("subsample", .double(config.subsample)), ("epochs", .int(config.epochs)),
            ("learning_rate", .double(Double(config.learningRate))), ("min_count", .int(config.minCount)),
            ("seed", .int(Int(truncatingIfNeeded: config.seed))), ("threads", .int(config.threads)),
            ("sif_smoothing", .double(Double(options.smoothing))), ("corpus_tokens", .int(corpus.tokens.count)),
        ])
        let version: Int
        do {
            version = try store.saveModel(kind: ModelKind.textEncoder, parameters: parameters.serialized(pretty: false), payload: encoder.serialized(),
                                          generation: build.id)
        } catch {
            throw .store(error)
        }
        let part = TrainingReport.EmbeddingPart(
            version: version, dimension: config.dimension, tokens: tokenizer.model.vocabulary.count, epochs: config.epochs,
            trainedTokens: corpus.tokens.count, seconds: trainSeconds,
            wordsPerSecond: trainSeconds > 0 ? Double(corpus.tokens.count * config.epochs) / trainSeconds : 0)
        return (part, LoadedTextModel(encoder: .sif(encoder), version: version))
    }

    /// Loads a pretrained encoder and stores it as a new text-encoder version: its directory,
    /// the checksum of its weights and its settings (not the weights; see
    /// `storedPretrainedEncoder`), with the shop's tokenizer version for terms.
    func storePretrainedModel(directory: String, maxLength: Int?, tokenizer: Tokenizer, tokenizerVersion: Int, build: GenerationBuild,
                              progress: @Sendable (String) -> Void) throws(InterestMinerError) -> (TrainingReport.EmbeddingPart, LoadedTextModel) {
        let clock = ContinuousClock()
        let start = clock.now
        progress("vectors: loading the pretrained encoder from \(directory)")
        let loaded = try InterestMiner.loadPretrainedModel(directory: directory, maxLength: maxLength)
        let encoder = loaded.encoder
        let c = encoder.configuration
        let parameters: JSONValue = .object([
            ("encoder", "transformer"), ("tokenizer_version", .int(tokenizerVersion)), ("model_dir", .string(loaded.directory)),
            ("model_checksum", .string(loaded.checksum)), ("model_bytes", .int(loaded.weightBytes)), ("max_length", .int(encoder.maxLength)),
            ("dimension", .int(c.hiddenSize)), ("layers", .int(c.layers)), ("heads", .int(c.heads)), ("pooling", .string(encoder.pooling.rawValue)),
        ])
        let version: Int
        do {
            version = try store.saveModel(kind: ModelKind.textEncoder, parameters: parameters.serialized(pretty: false), payload: [],
                                          generation: build.id)
        } catch {
            throw .store(error)
        }
        let part = TrainingReport.EmbeddingPart(
            version: version, dimension: c.hiddenSize, tokens: encoder.tokenizer.vocabularySize, epochs: 0, trainedTokens: 0,
            seconds: (clock.now - start).seconds, wordsPerSecond: 0, encoder: "minilm", modelDirectory: loaded.directory)
        return (part, LoadedTextModel(encoder: .transformer(encoder, terms: tokenizer), version: version))
    }

    /// Each text's vector and candidate terms, counting the terms in `counter`. The shop's SIF
    /// encoder averages the token ids the term pass already made (one tokenization a text, not
    /// two); a transformer reads the text with its own tokenizer.
    static func encodeWithTerms(_ texts: [String], encoder: TextModelEncoder, counter: inout TermCounter,
                                threads: Int) -> (vectors: [TextVector], terms: [[(String, TermKind)]]) {
        if case .sif(let sif) = encoder {
            let both = counter.addReturningTerms(texts, threads: threads, alsoFromIDs: { sif.encode(ids: $0) })
            return (both.map(\.extra), both.map(\.terms))
        }
        let vectors = encoder.encode(texts, threads: threads)
        return (vectors, counter.addReturningTerms(texts, threads: threads))
    }

    /// Review terms kept per item (its most common vocabulary terms).
    static let itemTermsKept = 60

    /// Texts encoded per batch while building a generation's vectors (memory: one batch of texts).
    static let textBatch = 20_000

    /// Computes every review, query, item and term vector of the generation `build` with
    /// `model`, streaming the texts up to the generation's watermark a batch at a time.
    func computeTextVectors(_ model: LoadedTextModel, terms settings: TermExtractor.Settings, threads: Int, build: GenerationBuild,
                            progress: @Sendable (String) -> Void) throws(InterestMinerError) -> TrainingReport.VectorsPart {
        let clock = ContinuousClock()
        let started = clock.now
        let encoder = model.encoder
        var part = TrainingReport.VectorsPart(reviews: 0, queries: 0, items: 0, terms: 0, documents: 0, profiles: 0, seconds: 0)
        var termCounter = TermCounter(tokenizer: encoder.tokenizer)
        // Per item: how many of its reviews contain each candidate term.
        var itemTermCounts: [Int64: [String: Int]] = [:]
        var itemReviews: [Int64: Int] = [:]
        do {
            for kind in [EventTextKind.review, .query] {
                var after: Int64 = 0
                let upTo = kind == .review ? build.watermark.review : build.watermark.query
                while true {
                    let batch = try store.eventTexts(kind, after: after, upTo: upTo, limit: Self.textBatch)
                    guard let last = batch.last else { break }
                    after = last.id
                    let (vectors, perText) = Self.encodeWithTerms(batch.map(\.text), encoder: encoder, counter: &termCounter, threads: threads)
                    let rows = zip(batch, vectors).map { row, v in (row.id, v.isEmpty ? nil : v.values) }
                    try store.writeEventVectors(kind, version: model.version, rows, terms: perText.map(TermExtractor.stored), build: build)
                    if kind == .review {
                        for (row, terms) in zip(batch, perText) {
                            guard let item = row.itemID else { continue }
                            itemReviews[item, default: 0] += 1
                            for (t, _) in terms { itemTermCounts[item, default: [:]][t, default: 0] += 1 }
                        }
                        part.reviews += batch.count
                    } else {
                        part.queries += batch.count
                    }
                    progress("vectors: \(part.reviews) reviews, \(part.queries) queries")
                }
            }
            let items = try store.itemTexts()
            let texts = items.map { Serving.itemText(title: $0.title, text: $0.text) }
            let present = texts.compactMap { $0 }
            let (presentVectors, presentTerms) = Self.encodeWithTerms(present, encoder: encoder, counter: &termCounter, threads: threads)
            part.documents = part.reviews + part.queries + present.count
            var encoded = presentVectors.makeIterator()
            let own: [(item: Int64, vector: [Float]?)] = zip(items, texts).map { item, text in
                (item.id, text == nil ? nil : encoded.next().flatMap { $0.isEmpty ? nil : $0.values })
            }
            try store.writeItemVectors(version: model.version, texts: own, build: build)
            var storedTerms = presentTerms.makeIterator()
            try store.writeItemTextTerms(version: model.version, zip(items, texts).compactMap { item, text in
                text == nil ? nil : storedTerms.next().map { (item.id, TermExtractor.stored($0)) }
            }, build: build)
            part.items = own.count
            progress("vectors: \(part.items) items; extracting terms")
            let terms = termCounter.terms(settings)
            let termVectors = encoder.encode(terms.map(\.text), threads: threads)
            let vocabulary = Set(terms.map(\.text))
            let specificity = TermSpecificity.compute(counts: itemTermCounts, reviews: itemReviews, terms: vocabulary)
            try store.writeTerms(version: model.version, zip(terms, termVectors).map { t, v in
                TermRow(term: t.text, kind: t.kind.rawValue, documentFrequency: t.documentFrequency,
                        vector: v.isEmpty ? nil : encoder.semantic(v.values), specificity: specificity[t.text])
            }, build: build)
            part.terms = terms.count
            var itemTerms: [(item: Int64, term: String, share: Double)] = []
            for (item, counts) in itemTermCounts.sorted(by: { $0.key < $1.key }) {
                let n = Double(itemReviews[item] ?? 1)
                let best = counts.filter { vocabulary.contains($0.key) }
                    .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(Self.itemTermsKept)
                for (term, c) in best { itemTerms.append((item, term, Double(c) / n)) }
            }
            try store.writeItemTerms(itemTerms, build: build)
        } catch {
            throw .store(error)
        }
        part.seconds = (clock.now - started).seconds
        return part
    }
}
