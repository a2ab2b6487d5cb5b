import CollaborativeFiltering
import Foundation
import InterestCore
import InterestStore
import Tokenization

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

    public init(method: CFMethod = .als, als: ALSConfiguration = ALSConfiguration(), bpr: BPRConfiguration = BPRConfiguration(),
                weights: InteractionWeights = InteractionWeights()) {
        self.method = method
        self.als = als
        self.bpr = bpr
        self.weights = weights
    }
}

/// A loaded factor model with its id maps and fold-in.
struct LoadedCFModel: Sendable {
    let version: Int
    let method: CFMethod
    let model: FactorModel
    let userRow: [String: Int]
    let itemIDs: [String]
    let itemRow: [String: Int]
    let weights: InteractionWeights
    let foldIn: ALSFoldIn?
    let watermark: EventWatermark
}

extension InterestMiner {
    /// Learns user and item factors from every review and interaction (weighted by
    /// `options.weights`, duplicates summed) and stores them as a new `cf` model version.
    func trainCF(_ options: CFTrainingOptions, progress: @escaping @Sendable (String) -> Void) throws(InterestMinerError) -> TrainingReport.CFPart {
        let clock = ContinuousClock()
        let (rows, watermark): ([InteractionRow], EventWatermark)
        do { (rows, watermark) = try store.interactionRows() } catch { throw .store(error) }
        guard !rows.isEmpty else {
            throw .missing(what: "\(databasePath) has no reviews or interactions to learn from", hint: "ingest events first")
        }
        // Dense indices: users with events and all items, both in row-id order.
        let userIDs = Array(Set(rows.map(\.user))).sorted()
        let allItems: [Int64]
        do { allItems = try store.externalIDs().items.keys.sorted() } catch { throw .store(error) }
        var userIndex: [Int64: Int32] = [:]
        for (k, id) in userIDs.enumerated() { userIndex[id] = Int32(k) }
        var itemIndex: [Int64: Int32] = [:]
        for (k, id) in allItems.enumerated() { itemIndex[id] = Int32(k) }
        let weights = options.weights
        let triplets: [(row: Int32, column: Int32, value: Float)] = rows.compactMap { r in
            guard let u = userIndex[r.user], let i = itemIndex[r.item] else { return nil }
            let w = r.action.map { weights.weight(action: $0, rating: r.rating) } ?? weights.review(rating: r.rating)
            return (u, i, w)
        }
        let matrix = SparseMatrix(rows: userIDs.count, columns: allItems.count, triplets: triplets)
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
            ("alpha", .double(Double(options.als.alpha))), ("iterations", .int(iterations)), ("cg_steps", .int(options.als.cgSteps)),
            ("learning_rate", .double(Double(options.bpr.learningRate))),
            ("seed", .int(Int(truncatingIfNeeded: options.method == .als ? options.als.seed : options.bpr.seed))),
            ("weights", Self.json(options.weights)), ("users", .int(matrix.rows)), ("items", .int(matrix.columns)),
            ("nonzeros", .int(matrix.nonZeros)), ("watermark_review", .int(Int(watermark.review))),
            ("watermark_interaction", .int(Int(watermark.interaction))),
        ])
        let version: Int
        do {
            version = try store.saveFactors(
                parameters: parameters.serialized(pretty: false),
                users: userIDs.enumerated().map { ($0.element, model.user($0.offset)) },
                items: allItems.enumerated().map { ($0.element, model.item($0.offset), model.itemBias?[$0.offset]) })
        } catch {
            throw .store(error)
        }
        return TrainingReport.CFPart(version: version, method: options.method.rawValue, users: matrix.rows, items: matrix.columns,
                                     nonZeros: matrix.nonZeros, iterations: iterations, seconds: seconds,
                                     secondsPerIteration: seconds / Double(max(1, iterations)), losses: losses)
    }

    static func json(_ w: InteractionWeights) -> JSONValue {
        .object([("view", .double(Double(w.view))), ("click", .double(Double(w.click))), ("cart", .double(Double(w.cart))),
                 ("purchase", .double(Double(w.purchase))), ("by_stars", .array(w.byStars.map { .double(Double($0)) })),
                 ("unrated_review", .double(Double(w.unratedReview))), ("binary", .bool(w.binary))])
    }

    static func weights(from json: JSONValue?) -> InteractionWeights {
        var w = InteractionWeights()
        guard let json else { return w }
        if let v = json["view"]?.doubleValue { w.view = Float(v) }
        if let v = json["click"]?.doubleValue { w.click = Float(v) }
        if let v = json["cart"]?.doubleValue { w.cart = Float(v) }
        if let v = json["purchase"]?.doubleValue { w.purchase = Float(v) }
        if let v = json["by_stars"]?.arrayValue?.compactMap(\.doubleValue), v.count == 6 { w.byStars = v.map(Float.init) }
        if let v = json["unrated_review"]?.doubleValue { w.unratedReview = Float(v) }
        if let v = json["binary"]?.boolValue { w.binary = v }
        return w
    }

    /// The newest factor model, or nil when none was trained.
    func loadCFModel() throws(InterestMinerError) -> LoadedCFModel? {
        do {
            guard let stored = try store.loadFactors(), let meta = try store.latestModel(kind: "cf"), let first = stored.items.first else { return nil }
            let params = (try? JSONValue.parse(meta.parameters)) ?? .null
            let f = first.vector.count
            let method = CFMethod(rawValue: params["method"]?.stringValue ?? "als") ?? .als
            let model = FactorModel(factors: f, userFactors: stored.users.flatMap(\.vector), itemFactors: stored.items.flatMap(\.vector),
                                    itemBias: stored.items.contains { $0.bias != nil } ? stored.items.map { $0.bias ?? 0 } : nil)
            let alpha = Float(params["alpha"]?.doubleValue ?? 10)
            let regularization = Float(params["regularization"]?.doubleValue ?? 0.05)
            let itemIDs = stored.items.map(\.external)
            return LoadedCFModel(
                version: stored.version, method: method, model: model,
                userRow: Dictionary(stored.users.enumerated().map { ($0.element.external, $0.offset) }, uniquingKeysWith: { a, _ in a }),
                itemIDs: itemIDs, itemRow: Dictionary(itemIDs.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a }),
                weights: Self.weights(from: params["weights"]),
                foldIn: method == .als ? ALSFoldIn(itemsOf: model, alpha: alpha, regularization: regularization) : nil,
                watermark: EventWatermark(review: Int64(params["watermark_review"]?.intValue ?? 0),
                                          interaction: Int64(params["watermark_interaction"]?.intValue ?? 0)))
        } catch {
            throw .store(error)
        }
    }

    /// A user's factor vector: the trained one, or — for users new since training or with new
    /// events — folded in from their current events (exact for ALS; for BPR the mean factors of
    /// the items they acted on positively). nil when the user has no events.
    func cfVector(_ user: String, _ cf: LoadedCFModel, stale: Set<String>) throws(InterestMinerError) -> [Float]? {
        if let row = cf.userRow[user], !stale.contains(user) { return cf.model.user(row) }
        let rows: [InteractionRow]?
        let ids: [Int64: String]
        do {
            rows = try store.interactionRows(ofUser: user)
            ids = try store.externalIDs().items
        } catch {
            throw .store(error)
        }
        guard let rows, !rows.isEmpty else { return nil }
        var byItem: [Int32: Float] = [:]
        for r in rows {
            guard let ext = ids[r.item], let col = cf.itemRow[ext] else { continue }
            byItem[Int32(col), default: 0] += r.action.map { cf.weights.weight(action: $0, rating: r.rating) } ?? cf.weights.review(rating: r.rating)
        }
        let entries = byItem.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let foldIn = cf.foldIn { return foldIn.solve(entries) }
        var mean = [Float](repeating: 0, count: cf.model.factors)
        var n = 0
        for (col, w) in entries where w > 0 {
            mean.add(cf.model.item(Int(col)))
            n += 1
        }
        return n > 0 ? mean.map { $0 / Float(n) } : nil
    }
}
