import CollaborativeFiltering
import Foundation
import InterestCore
import InterestStore

/// Which collaborative model `interests train` learns.
public enum CFMethod: String, Sendable, CaseIterable, Codable {
    case als, bpr
}

/// Settings of the collaborative-filtering stage of `interests train`.
public struct CFTrainingOptions: Sendable {
    public var method: CFMethod
    public var als: ALSConfiguration
    public var bpr: BPRConfiguration
    public var weights: InteractionWeights
    /// ALS only: choose `als.alpha` among these by validation (see `tuneAlpha`); nil keeps
    /// `als.alpha`.
    public var alphaGrid: [Float]?

    public init(method: CFMethod = .als, als: ALSConfiguration = ALSConfiguration(), bpr: BPRConfiguration = BPRConfiguration(),
                weights: InteractionWeights = InteractionWeights(), alphaGrid: [Float]? = InterestMiner.defaultAlphaGrid) {
        self.method = method
        self.als = als
        self.bpr = bpr
        self.weights = weights
        self.alphaGrid = alphaGrid
    }
}

extension TrainingPipeline {
    /// Learns user and item factors from every review and interaction (weighted by
    /// `options.weights`, duplicates summed) and stores them as a new `cf` model version.
    func trainCF(_ options: CFTrainingOptions, snapshot: TrainingSnapshot, build: GenerationBuild,
                 progress: @escaping @Sendable (String) -> Void) throws(InterestMinerError) -> TrainingReport.CFPart {
        let clock = ContinuousClock()
        let watermark = snapshot.watermark
        guard !snapshot.events.isEmpty else {
            throw .missing(what: "\(databasePath) has no reviews or interactions to learn from", hint: "ingest events first")
        }
        let data = snapshot.data
        var options = options
        var tuning: AlphaTuning?
        if options.method == .als, let grid = options.alphaGrid {
            tuning = try tuneAlpha(data, held: snapshot.validation, grid: grid, options: options, progress: progress)
            if let tuning { options.als.alpha = tuning.chosen }
            progress(String(format: "cf: alpha %g", Double(options.als.alpha)) + (tuning == nil ? " (no user has 3 positive items to validate on)" : ""))
        }
        let userIDs = data.userIDs, allItems = data.itemIDs
        let matrix = data.matrix(options.weights)
        progress("cf: \(matrix.rows) users × \(matrix.columns) items, \(matrix.nonZeros) cells")
        let start = clock.now
        var losses: [Double] = []
        let model: FactorModel
        let iterations: Int
        do {
            switch options.method {
            case .als:
                iterations = options.als.iterations
                model = try ALSTrainer(options.als).train(matrix) { it, loss in
                    if let loss { losses.append(loss) }
                    progress("cf: ALS iteration \(it)/\(options.als.iterations)" + (loss.map { String(format: ", loss %.6f", $0) } ?? ""))
                }
            case .bpr:
                iterations = options.bpr.iterations
                model = try BPRTrainer(options.bpr).train(matrix) { it, ordered in
                    progress("cf: BPR iteration \(it)/\(options.bpr.iterations)" + (ordered.map { String(format: ", %.1f%% pairs ordered", $0 * 100) } ?? ""))
                }
            }
        } catch {
            throw .invalidArgument(name: "collaborative filtering", reason: error.description)
        }
        let seconds = (clock.now - start).seconds
        let parameters: JSONValue = .object([
            ("method", .string(options.method.rawValue)), ("factors", .int(model.factors)),
            ("regularization", .double(Double(options.method == .als ? options.als.regularization : options.bpr.regularization))),
            ("alpha", .double(Double(options.als.alpha))),
            ("alpha_validation", tuning.map { t in .object(zip(t.grid, t.ndcg).map { (String(format: "%g", Double($0.0)), .double($0.1)) }) } ?? .null), ("iterations", .int(iterations)), ("cg_steps", .int(options.als.cgSteps)),
            ("learning_rate", .double(Double(options.bpr.learningRate))),
            ("seed", .int(Int(truncatingIfNeeded: options.method == .als ? options.als.seed : options.bpr.seed))),
            ("weights", Serving.json(options.weights)), ("users", .int(matrix.rows)), ("items", .int(matrix.columns)),
            ("nonzeros", .int(matrix.nonZeros)), ("watermark_review", .int(Int(watermark.review))),
            ("watermark_interaction", .int(Int(watermark.interaction))),
        ])
        let version: Int
        do {
            version = try store.writeFactors(
                parameters: parameters.serialized(pretty: false), payload: Serving.cfPayload(model),
                users: userIDs.enumerated().map { ($0.element, model.user($0.offset)) },
                items: allItems.enumerated().map { ($0.element, model.item($0.offset), model.itemBias?[$0.offset]) }, build: build)
        } catch {
            throw .store(error)
        }
        return TrainingReport.CFPart(version: version, method: options.method.rawValue, users: matrix.rows, items: matrix.columns,
                                     nonZeros: matrix.nonZeros, iterations: iterations, seconds: seconds,
                                     secondsPerIteration: seconds / Double(max(1, iterations)), losses: losses,
                                     alpha: options.method == .als ? Double(options.als.alpha) : nil, alphaTuning: tuning)
    }
}
