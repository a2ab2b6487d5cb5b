import CollaborativeFiltering
import Foundation
import InterestCore
import InterestStore
import SequenceModel
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
    /// The sequence model (nil: none; `interests train --sequence none`). Trained when some user
    /// has two positive events (and, with `sequenceNeedsOrder`, when the histories have an order).
    public var sequence: SequenceSettings? = SequenceSettings()
    /// Train the sequence model only when the histories have an order: at least half of the
    /// consecutive positive events of a user at distinct times (false: whenever users have two).
    public var sequenceNeedsOrder = true
    /// Item neighbours by co-occurrence (interest terms' "what next").
    public var neighbours = ItemNeighbours.Settings()
    /// Choose the "what next" term settings by validation (`NextTermSettings`); false: terms
    /// keep the fallback.
    public var tuneNextTerms = true
    /// Generations kept after a run: the active one and the ones before it (at least 1).
    public var keepGenerations = 2
    /// Take over from a training run that left its generation building (it died) even though
    /// it showed progress within the last 15 minutes.
    public var takeOver = false

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

    /// The threads every stage trains with (tokenizer, text model and vectors, CF and its
    /// alpha tuning, neighbours, ranker); more than one trades bit-for-bit reproducibility for
    /// speed. The service trains with one beside its requests (see `serve --training-threads`).
    public var threads: Int {
        get { tokenizer.threads }
        set {
            tokenizer.threads = newValue
            embedding.skipGram.threads = newValue
            cf?.als.threads = newValue
            ranker?.threads = newValue
            sequence?.threads = newValue
        }
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
        /// Validation users held out from fitting: a seeded quarter of them. The weights are
        /// fitted again on the other three quarters, and `heldOutNDCG` is NDCG@10 on the quarter
        /// of that fit (`fused`) and of each feature alone (the stored weights are fitted on all).
        public var heldOutUsers: Int
        public var heldOutNDCG: [String: Double]
        public var seconds: Double
    }
    public var tokenizer: TokenizerPart?
    public var embedding: EmbeddingPart?
    public var vectors: VectorsPart?
    public var cf: CFPart?
    public var ranker: RankerPart?
    public var sequence: SequencePart?
    public var neighbours: NeighboursPart?
    public var nextTerms: NextTermsPart?
    /// Events ingested during the run and brought into the new generation before activation.
    public struct CatchUpPart: Sendable, Codable {
        public var rows: Int
        public var steps: Int
        public var seconds: Double
    }
    public var catchUp: CatchUpPart?
    /// Users forgotten before this run whose data older generations still held: this complete
    /// run learnt without them, and those generations are deleted at its activation (0: none).
    public var forgottenErased = 0
    /// Why the text models were not trained although asked for (a shop without text), else nil.
    public var textSkipped: String?
    /// Why the sequence model was not trained although asked for (histories without an order), else nil.
    public var sequenceSkipped: String?
    /// The model generation the run built and activated.
    public var generation: Int?
}

/// What one training run reads of the events once, up to its generation's watermark, for the
/// collaborative model, the item neighbours and the ranker.
struct TrainingSnapshot: Sendable {
    let watermark: EventWatermark
    /// The events by user (`data.events`) with dense user and item indices, built once for
    /// every stage.
    let data: CFData
    /// Every catalogue item's row id, ascending.
    var itemIDs: [Int64] { data.itemIDs }
    var events: EventsByUser { data.events }
    /// The leave-last-out validation split of the events (dense user → dense held-out item),
    /// when alpha tuning or the ranker needs it: one pass over the events for both.
    let validation: [Int32: Int32]
}

extension TrainingPipeline {
    /// Trains the models on the database's own data as a new model generation (see
    /// docs/ARCHITECTURE.md "Model generations"): the parts it retrains are built beside the
    /// active ones in short transactions (ingest and forget go on meanwhile), brought up to the
    /// events ingested during the run, and activated in one short transaction; older generations
    /// beyond `options.keepGenerations` are then dropped. A run that fails leaves the active
    /// generation as it was.
    public func train(_ options: TrainingOptions, progress: @escaping @Sendable (String) -> Void = { _ in }) throws(InterestMinerError) -> TrainingReport {
        guard options.keepGenerations >= 1 else {
            throw .invalidArgument(name: "keep-generations", reason: "must be at least 1 (the active generation), got \(options.keepGenerations)")
        }
        do { try options.sequence?.validate() } catch { throw .invalidArgument(name: "sequence", reason: error.description) }
        var options = options
        var textSkipped: String?
        if options.text {
            let any: Bool
            do { any = try store.hasText() } catch { throw .store(error) }
            if !any {
                // A shop without text is normal: the behaviour models still train.
                textSkipped = "the database holds no text (no item titles or descriptions, reviews or queries) to train a tokenizer and text vectors on"
                progress("text: skipped — \(textSkipped!)")
                options.text = false
            }
        }
        var parts: [DerivedTable] = [.itemNeighbour]
        if options.text { parts = DerivedTable.text + parts }
        if options.cf != nil { parts += DerivedTable.collaborative }
        let build: GenerationBuild
        do { build = try store.beginGeneration(parts: parts, takeOver: options.takeOver, staleAfter: 900) } catch { throw .store(error) }
        progress("generation \(build.id): building \(parts.map(\.rawValue).joined(separator: ", "))")
        var report: TrainingReport
        do {
            report = try buildGeneration(options, build: build, progress: progress)
        } catch {
            try? store.failGeneration(build.id)
            throw error
        }
        serving.refreshServingModels()
        do { try store.applyRetention(keep: options.keepGenerations, erasingLog: report.forgottenErased > 0) } catch { throw .store(error) }
        report.generation = build.id
        report.textSkipped = textSkipped
        return report
    }

    private func buildGeneration(_ options: TrainingOptions, build: GenerationBuild, progress: @escaping @Sendable (String) -> Void) throws(InterestMinerError) -> TrainingReport {
        var report = TrainingReport()
        var built: LoadedTextModel?
        if options.text {
            let (tokenizerPart, tokenizer) = try trainStoredTokenizer(options.tokenizer, build: build, progress: progress)
            report.tokenizer = tokenizerPart
            let (embeddingPart, model) = try trainTextModel(tokenizer: tokenizer, tokenizerVersion: tokenizerPart.version,
                                                            options: options.embedding, threads: options.tokenizer.threads, build: build, progress: progress)
            report.embedding = embeddingPart
            var vectors = try computeTextVectors(model, terms: options.embedding.terms, threads: options.tokenizer.threads, build: build, progress: progress)
            let profiles = try rebuildProfiles(model, rule: options.profile, documents: vectors.documents, build: build, progress: progress)
            vectors.profiles = profiles.users
            report.vectors = vectors
            built = LoadedTextModel(encoder: model.encoder, version: model.version, profile: profiles.model)
        }
        let snapshot: TrainingSnapshot
        do {
            let (events, mark) = try store.eventsByUser(upTo: build.watermark.events)
            let data = CFData(events: events)
            let tunes = options.cf.map { $0.method == .als && $0.alphaGrid != nil } ?? false
            let needed = tunes || options.ranker != nil || (options.text && options.tuneNextTerms)
            let validation = needed && !events.isEmpty ? try validationSplit(data) : [:]
            snapshot = TrainingSnapshot(watermark: mark, data: data, validation: validation)
        } catch let error as InterestMinerError {
            throw error
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .missing(what: "the training snapshot: \(error)", hint: "re-run `interests train`")
        }
        if let cf = options.cf {
            report.cf = try trainCF(cf, snapshot: snapshot, build: build, progress: progress)
        }
        progress("neighbours: items touched together")
        report.neighbours = try trainItemNeighbours(options.neighbours, threads: options.tokenizer.threads, snapshot: snapshot, build: build)
        // The fused ranker's validation users: the sequence model leaves their held-out items out
        // too, so the ranker reads it as it reads the other models of its validation world.
        let rankerUsers = options.ranker.map { rankerValidationUsers(snapshot, options: $0) }
        var sequenceModel: SequenceModel?
        if let settings = options.sequence {
            let text: LoadedTextModel?
            if let built { text = built } else { text = try serving.loadTextModel() }
            let heldOut = rankerUsers.map { users in users.reduce(into: [Int32: Int32]()) { $0[$1] = snapshot.validation[$1] } }
            if let (part, model) = try trainSequence(settings, requireOrder: options.sequenceNeedsOrder, text: text, textTables: built == nil ? .active : .building, heldOut: heldOut,
                                                     snapshot: snapshot, build: build, skipped: &report.sequenceSkipped, progress: progress) {
                report.sequence = part
                sequenceModel = model
            }
        }
        if options.ranker != nil {
            let text: LoadedTextModel?
            if let built { text = built } else { text = try serving.loadTextModel() }
            let activeCF = (try? serving.loadCFModel()) != nil
            if text != nil || report.cf != nil || activeCF || sequenceModel != nil {
                let cfOptions = options.cf ?? (activeCF ? CFTrainingOptions() : nil)
                report.ranker = try trainRanker(cf: cfOptions, alpha: report.cf?.alpha.map(Float.init), text: text,
                                                textTables: built == nil ? .active : .building, rule: text?.profile?.rule ?? options.profile,
                                                options: options.ranker ?? RankerTrainingOptions(), users: rankerUsers ?? [],
                                                sequence: sequenceModel, snapshot: snapshot, build: build, progress: progress)
            }
        }
        (report.catchUp, report.forgottenErased) = try activate(build, text: built, report: report, progress: progress)
        if options.text {
            // On the activated generation (terms read the active tables); the choice is one more
            // model of it. A failure here leaves the fallback in use, and the generation stands.
            if options.tuneNextTerms {
                do {
                    report.nextTerms = try tuneNextTerms(snapshot: snapshot, neighbourSettings: options.neighbours, threads: options.tokenizer.threads,
                                                         progress: progress)
                } catch {
                    progress("next terms: not chosen (\(error.description)); terms use the fallback settings")
                }
            }
            try saveNextTerms(report.nextTerms?.chosen ?? .fallback, build: build)
        }
        return report
    }

    /// Brings the generation's text tables up to the events ingested during the run (a bounded
    /// step per transaction, until nothing is left), then activates it in one transaction that
    /// first takes in whatever arrived after the last step.
    private func activate(_ build: GenerationBuild, text: LoadedTextModel?, report: TrainingReport,
                          progress: @Sendable (String) -> Void) throws(InterestMinerError) -> (TrainingReport.CatchUpPart, erased: Int) {
        let clock = ContinuousClock()
        let start = clock.now
        var part = TrainingReport.CatchUpPart(rows: 0, steps: 0, seconds: 0)
        var erased = 0
        let catchUp = text.map { model in
            CatchUpText(version: model.version,
                        profile: model.profile.map { ProfileBuild(rule: $0.rule, version: model.version, dimension: model.encoder.dimension) },
                        textsPerStep: model.encoder.isTransformer ? 16 : 500) { texts in model.encodeForStorage(texts, threads: 1) }
        }
        let json = (try? JSONEncoder().encode(report)).map { String(decoding: $0, as: UTF8.self) }
        do {
            if let catchUp {
                var mark = build.watermark
                while true {
                    let (next, rows) = try store.catchUp(build, from: mark, text: catchUp)
                    if rows == 0 { break }
                    (mark, part.rows, part.steps) = (next, part.rows + rows, part.steps + 1)
                    progress("catch-up: \(part.rows) events ingested during the run")
                }
                erased = try store.activateGeneration(build, report: json, catchingUpFrom: mark, text: catchUp)
            } else {
                erased = try store.activateGeneration(build, report: json)
            }
        } catch {
            throw .store(error)
        }
        part.seconds = (clock.now - start).seconds
        progress("generation \(build.id) active" + (erased > 0 ? "; older generations, which learnt from \(erased) forgotten users, deleted" : ""))
        return (part, erased)
    }

    private func trainStoredTokenizer(_ options: TokenizerTrainingOptions, build: GenerationBuild, progress: @Sendable (String) -> Void) throws(InterestMinerError) -> (TrainingReport.TokenizerPart, Tokenizer) {
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
                                          payload: tokenizer.serializedJSON(), generation: build.id)
        } catch {
            throw .store(error)
        }
        return (.init(version: version, recipe: recipe.rawValue, vocabularySize: tokenizer.vocabularySize, texts: counter.texts,
                      distinctWords: counts.words.count, seconds: (clock.now - start).seconds), tokenizer)
    }
}
