import CollaborativeFiltering
import Foundation
import InterestCore
import InterestStore
import Ranking
import SequenceModel

extension ModelKind {
    static let ranker = "ranker"
}

/// Settings of the fusion step of `interests train`.
public struct RankerTrainingOptions: Sendable {
    /// Random negatives per validation user for the logistic start of the fit.
    public var negatives: Int = 50
    /// Validation users used at most (a seeded sample beyond that).
    public var maxValidationUsers = 2_000
    /// Per validation user, the best unseen items by each first-stage feature (and by their
    /// sum) ranked exactly, and a uniform sample of the other unseen items standing for the rest
    /// (see `ValidationUser`): fitting time and memory per user do not grow with the catalogue.
    public var candidatePool = 100
    public var tailSample = 300
    public var threads = 2
    public var l2: Double = 0.01
    public var seed: UInt64 = 1
    /// A segment with fewer validation users than this borrows the weights fitted on everyone.
    public var minimumSegmentUsers = 30

    public init() {}
}

/// What the ranker stores: the fusion weights, how they were fitted, and item popularity.
struct StoredRanker: Codable, Sendable {
    var model: FusionModel
    var validationUsers: Int
    var coldUsers: Int
    /// Validation users held out from a second fit, and NDCG@10 on them of that fit (`fused`)
    /// and of each feature alone (nil in rankers stored before they were measured so).
    var heldOutUsers: Int?
    var heldOutNDCG: [String: Double]?
}

extension TrainingPipeline {
    static let rankerMagic = "IMRANK1\n"

    /// Fits the fusion weights on a validation split cut from the training data (each user's
    /// last positive item held out, as the peers' protocol does): collaborative factors retrained
    /// without the held-out events, item vectors and profiles recomputed without them, then a
    /// pairwise logistic model over (held-out item, negative) pairs — random negatives and the
    /// first stage's best wrong answers — for cold and warm users apart. Stores model kind `ranker`.
    /// `textTables`: where the text model's vectors are (the build tables when this run trained it).
    func trainRanker(cf: CFTrainingOptions?, alpha: Float?, text: LoadedTextModel?, textTables: TableSet, rule: ProfileRule,
                     options: RankerTrainingOptions, users: [Int32], sequence: SequenceModel?, snapshot: TrainingSnapshot, build: GenerationBuild,
                     progress: @escaping @Sendable (String) -> Void) throws(InterestMinerError) -> TrainingReport.RankerPart {
        let clock = ContinuousClock()
        let start = clock.now
        let (rows, itemIDs) = (snapshot.events, snapshot.itemIDs)
        let data = snapshot.data
        let n = itemIDs.count
        let catalogueRow = Dictionary(uniqueKeysWithValues: itemIDs.enumerated().map { ($0.element, $0.offset) })
        var features: [FusionFeature] = []
        if cf != nil { features.append(.collaborative) }
        if text != nil { features += [.text, .attention] }
        if cf != nil { features.append(.collaborativeAttention) }
        features += [.popularity, .recentPopularity]
        if sequence != nil { features.append(.sequence) }

        let split = snapshot.validation
        progress("ranker: \(split.count) validation users, \(users.count) scored")
        let sampled = Set(users.map { data.userIDs[Int($0)] })
        // The events left out are the scored users' held-out items (all of the split's when it
        // has at most `maxValidationUsers` users): everyone else's data stays, as it does in the deployed
        // models — and the validation world's text needs only the scored users' rows.
        let held = users.reduce(into: [Int32: Int32]()) { out, u in out[u] = split[u] }
        var heldByUser: [Int64: Int] = [:]
        for (u, i) in held { heldByUser[data.userIDs[Int(u)]] = Int(i) }

        // The validation world: everything as `train` would build it without the held-out events.
        let behaviour = BehaviourIndex(rows: rows, catalogueRow: catalogueRow, catalogueCount: n, only: sampled) { u, i in heldByUser[u] == i }
        var cfItems: [Float] = []
        var cfUsers: FactorModel?
        var factors = 0
        if let cf, !held.isEmpty {
            var config = cf.als
            config.alpha = alpha ?? cf.als.alpha
            config.computeLoss = false
            do {
                let model = try ALSTrainer(config).train(data.matrix(cf.weights, leavingOut: held))
                cfItems = model.itemFactors
                cfUsers = model
                factors = model.factors
            } catch {
                throw .invalidArgument(name: "collaborative filtering", reason: error.description)
            }
        }
        var itemVectors: [Float] = []
        var profiles: [Int64: [Float]] = [:]
        let dimension = text?.encoder.dimension ?? 0
        if let text, !held.isEmpty {
            (itemVectors, profiles) = try validationTextSignals(text, tables: textTables, rule: rule, catalogueRow: catalogueRow, itemIDs: itemIDs,
                                                                rows: rows, heldByUser: heldByUser, users: sampled)
        }
        // The sequence model was trained without the scored users' held-out items; its item
        // table reads the validation world's item vectors.
        var sequenceTable: [Float] = []
        if let sequence {
            do {
                sequenceTable = try sequence.itemTable(count: n, text: sequence.textDimension == dimension && dimension > 0 ? itemVectors : nil)
            } catch {
                throw .invalidArgument(name: "sequence", reason: error.description)
            }
        }
        let catalogue = RankingCatalogue(count: n, textDimension: dimension, itemVectors: itemVectors, cfFactors: factors, cfItems: cfItems,
                                         popularity: RankingCatalogue.standardisedLogCounts(behaviour.popularity),
                                         activity: behaviour.activity, sequenceDimension: sequence?.dimension ?? 0, sequenceItems: sequenceTable)
        let equal = FusionModel(features: features, coldWeights: features.map { _ in 1 }, warmWeights: features.map { _ in 1 })
        let probe = FusionScorer(catalogue: catalogue, model: equal)

        let cfModel = cfUsers, userProfiles = profiles, sequenceItems = sequenceTable
        let validation = parallelMap(users, threads: options.threads, makeState: { () }) { _, u -> ValidationUser in
            let user = data.userIDs[Int(u)]
            let own = behaviour[user]
            let state = sequence.flatMap { $0.encode(own.history.map { Int32($0) }, table: sequenceItems) }
            let s = UserSignals(cf: cfModel?.user(Int(u)), profile: userProfiles[user], recent: own.recent, positives: own.positives, time: own.latest,
                                sequence: state?.vector)
            return probe.validationUser(s, excluded: own.seen, target: Int(held[u] ?? 0), pool: options.candidatePool, tail: options.tailSample,
                                        seed: options.seed &+ UInt64(bitPattern: user) &* 0x9E37_79B9_7F4A_7C15)
        }
        let coldSet = validation.filter { $0.positives <= equal.coldThreshold }
        progress("ranker: fitting \(features.map(\.name).joined(separator: ", ")) on \(validation.count) validation users (\(coldSet.count) cold)")
        var fitting = FusionFitting.Settings()
        fitting.seed = options.seed
        fitting.negatives = options.negatives
        fitting.l2 = options.l2
        let model = Self.fitFusion(validation, features: features, fitting: fitting, options: options)
        let coldUsers = coldSet.count

        // Honest figures: the same fit on three quarters of the validation users (a seeded
        // draw), its NDCG@10 — fused and each feature alone, full ranking — on the quarter it
        // never saw. The stored weights are fitted on everyone.
        var order = Array(validation.indices)
        var rng = SeededRandom(seed: options.seed ^ 0x484F_4C44_4F55_5421)
        rng.shuffle(&order)
        let heldCount = validation.count / 4
        let heldOut = order.prefix(heldCount).sorted().map { validation[$0] }
        let fitted = order.dropFirst(heldCount).sorted().map { validation[$0] }
        var ndcg: [String: Double] = [:]
        if !heldOut.isEmpty && !fitted.isEmpty {
            ndcg["fused"] = Self.ndcg(Self.fitFusion(fitted, features: features, fitting: fitting, options: options), on: heldOut)
            for (k, f) in features.enumerated() {
                ndcg[f.name] = FusionFitting.objective(heldOut, features.indices.map { $0 == k ? 1 : 0 }).ndcg
            }
            progress("ranker: held-out NDCG@10 on \(heldOut.count) users (weights fitted on the other \(fitted.count)) "
                + ndcg.sorted { $0.key < $1.key }.map { String(format: "%@ %.4f", $0.key, $0.value) }.joined(separator: ", "))
        } else {
            progress("ranker: too few validation users (\(validation.count)) to hold a quarter out: no held-out NDCG")
        }

        // Serving popularity: all events.
        let everything = BehaviourIndex(rows: rows, catalogueRow: catalogueRow, catalogueCount: n, only: [])
        var payload = BinaryWriter(magic: Self.rankerMagic)
        payload.write(n)
        for (k, id) in itemIDs.enumerated() {
            payload.write(id)
            payload.write(everything.popularity[k])
        }
        let stored = StoredRanker(model: model, validationUsers: users.count, coldUsers: coldUsers, heldOutUsers: heldOut.count, heldOutNDCG: ndcg)
        let version: Int
        do {
            let json = String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
            version = try store.saveModel(kind: ModelKind.ranker, parameters: json, payload: payload.bytes, generation: build.id)
        } catch let e as StoreError {
            throw .store(e)
        } catch {
            throw .invalidArgument(name: "ranker", reason: "\(error)")
        }
        return TrainingReport.RankerPart(version: version, features: features.map(\.name), coldWeights: model.coldWeights,
                                         warmWeights: model.warmWeights, validationUsers: users.count, coldUsers: coldUsers,
                                         heldOutUsers: heldOut.count, heldOutNDCG: ndcg, seconds: (clock.now - start).seconds)
    }

    /// The users the fused ranker is fitted on: a seeded sample of at most `maxValidationUsers`
    /// of the validation split's (dense user indices, ascending).
    func rankerValidationUsers(_ snapshot: TrainingSnapshot, options: RankerTrainingOptions) -> [Int32] {
        var users = snapshot.validation.keys.sorted()
        if users.count > options.maxValidationUsers {
            var rng = SeededRandom(seed: options.seed)
            rng.shuffle(&users)
            users = Array(users.prefix(options.maxValidationUsers)).sorted()
        }
        return users
    }

    /// Fusion weights for cold and warm users (Pairwise start + coordinate ascent,
    /// `FusionFitting`); a segment with fewer than `minimumSegmentUsers` users, or that is
    /// everyone, takes the weights fitted on all.
    static func fitFusion(_ users: [ValidationUser], features: [FusionFeature], fitting: FusionFitting.Settings,
                          options: RankerTrainingOptions) -> FusionModel {
        let threshold = FusionModel(features: features, coldWeights: [], warmWeights: []).coldThreshold
        let cold = users.filter { $0.positives <= threshold }
        let warm = users.filter { $0.positives > threshold }
        let pooled = users.isEmpty ? features.map { _ in 1.0 } : FusionFitting.fit(users, settings: fitting, threads: options.threads)
        let coldW = cold.count >= options.minimumSegmentUsers && !warm.isEmpty ? FusionFitting.fit(cold, settings: fitting, threads: options.threads) : pooled
        let warmW = warm.count >= options.minimumSegmentUsers && !cold.isEmpty ? FusionFitting.fit(warm, settings: fitting, threads: options.threads) : pooled
        return FusionModel(features: features, coldWeights: coldW, warmWeights: warmW)
    }

    /// NDCG@10 of a fused model over validation users, each with their segment's weights.
    static func ndcg(_ model: FusionModel, on users: [ValidationUser]) -> Double {
        let cold = users.filter { $0.positives <= model.coldThreshold }
        let warm = users.filter { $0.positives > model.coldThreshold }
        guard !users.isEmpty else { return 0 }
        return (FusionFitting.objective(cold, model.coldWeights).ndcg * Double(cold.count)
            + FusionFitting.objective(warm, model.warmWeights).ndcg * Double(warm.count)) / Double(users.count)
    }

    /// Item vectors and user profiles of the validation world: review sums and profile folds
    /// without each validation user's held-out item. Reads the scored users' reviews and
    /// queries and the reviews of their held-out items only: an item's sum is its stored one,
    /// or — for an item some scored user held out — summed again from its reviews without those
    /// users' (in review order, as the stored sums are made, so a sum is the same float either
    /// way). O(items·d + the scored users' texts + the held-out items' reviews).
    private func validationTextSignals(_ text: LoadedTextModel, tables: TableSet, rule: ProfileRule, catalogueRow: [Int64: Int], itemIDs: [Int64],
                                       rows: EventsByUser, heldByUser: [Int64: Int], users: Set<Int64>) throws(InterestMinerError) -> ([Float], [Int64: [Float]]) {
        let d = text.encoder.dimension
        do {
            let parts = try store.itemVectorRows(in: tables)
            var sums: [Int64: ([Float], Int)] = [:]
            for (id, part) in parts { if let sum = part.reviewSum, sum.count == d, part.reviewCount > 0 { sums[id] = (sum, part.reviewCount) } }
            let heldItems = Set(heldByUser.values.map { itemIDs[$0] })
            for id in heldItems { sums[id] = nil }
            for r in try store.reviewVectors(ofItems: Array(heldItems), in: tables) {
                guard r.vector.count == d, heldByUser[r.user] != catalogueRow[r.item] else { continue }
                if var s = sums[r.item] {
                    s.0.add(r.vector)
                    s.1 += 1
                    sums[r.item] = s
                } else {
                    sums[r.item] = (r.vector, 1)
                }
            }
            let ordered = users.sorted()
            let reviews = try store.reviewVectors(ofUsers: ordered, in: tables).compactMap { r in
                r.vector.count == d && heldByUser[r.user] != catalogueRow[r.item] ? (r.user, r.item, r.vector, r.timestamp, r.rating) : nil
            }
            let queries = try store.queryVectors(ofUsers: ordered, in: tables).map { ($0.user, $0.timestamp, $0.vector) }
            let vectors = itemIDs.map { id in ItemVectorRule.combine(text: parts[id]?.textVector, reviewSum: sums[id]?.0, reviewCount: sums[id]?.1 ?? 0) }
            let itemText = parts.compactMapValues(\.textVector)
            let interactions = rows.lazy.filter { users.contains($0.user) }.compactMap { r -> (user: Int64, item: Int64, timestamp: Int64, action: Action, rating: Double?)? in
                guard let a = r.action, heldByUser[r.user] != catalogueRow[r.item] else { return nil }
                return (r.user, r.item, r.timestamp, a, r.rating)
            }
            let profiles = inMemoryProfiles(rule: rule, reviews: reviews, queries: queries, interactions: Array(interactions), itemText: itemText, dimension: d)
            return (flattenVectors(vectors, dimension: d), profiles)
        } catch {
            throw .store(error)
        }
    }
}
