import CollaborativeFiltering
import Foundation
import InterestCore
import InterestStore
import Ranking

/// The interactions of one training run with dense user and item indices (users with events and
/// every catalogue item, both in row-id order).
/// Built once per training run (`TrainingSnapshot`) and shared by every stage; row ids map to
/// indices through `DenseIDMap` (an array read, not a hash, per event).
struct CFData: Sendable {
    let events: EventsByUser
    var userIDs: [Int64] { events.userIDs }
    var itemIDs: [Int64] { events.itemIDs }
    let userIndex: DenseIDMap
    let itemIndex: DenseIDMap

    init(events: EventsByUser) {
        self.events = events
        userIndex = DenseIDMap(events.userIDs)
        itemIndex = DenseIDMap(events.itemIDs)
    }

    /// The weighted users × items matrix; events of a user on their `held` item left out.
    func matrix(_ weights: InteractionWeights, leavingOut held: [Int32: Int32] = [:]) -> SparseMatrix {
        // Built straight from the event table (two passes), no triplet array.
        let m = SparseMatrix(rows: userIDs.count, columns: itemIDs.count) { emit in
            events.forEachEvent { u, i, _, rating, action in
                guard held[u] != i else { return }
                emit(u, i, action.map { weights.weight(action: $0, rating: rating) } ?? weights.review(rating: rating))
            }
        }
        return weights.binary ? m.mapValues(weights.cell) : m
    }
}

/// How `alpha` was chosen: the validation NDCG@10 of each candidate.
public struct AlphaTuning: Sendable, Codable {
    public var grid: [Float]
    public var ndcg: [Double]
    public var validationUsers: Int
    public var chosen: Float
}

extension TrainingPipeline {
    /// The peers' leave-last-out split of the training data (dense user → dense item held out).
    func validationSplit(_ data: CFData) throws(InterestMinerError) -> [Int32: Int32] {
        let names: [Int64: String]
        do { names = Dictionary(uniqueKeysWithValues: try store.itemCatalogue().map { ($0.id, $0.external) }) } catch { throw .store(error) }
        // Ties on time go to the larger external id (the peers' order): items are compared by
        // the rank of their external id, so each event is 24 bytes, streamed, with no string.
        let byName = names.sorted { $0.value < $1.value }.map(\.key)
        let rankOf = DenseIDMap(byName)
        let events = data.events.lazy.compactMap { r -> LeaveLastOut.Event<Int32, Int32>? in
            guard let u = data.userIndex[r.user], let rank = rankOf[r.item] else { return nil }
            return .init(user: u, item: rank, timestamp: r.timestamp, positive: r.rating.map { $0 >= 1 } ?? true)
        }
        var held: [Int32: Int32] = [:]
        for (u, rank) in LeaveLastOut.heldOut(events, users: data.userIDs.count) {
            if let i = data.itemIndex[byName[Int(rank)]] { held[u] = i }
        }
        return held
    }

    /// Picks ALS's `alpha` by validation, the peers' protocol applied to the training data
    /// itself: each user's chronologically last positive item (users with ≥ 3) is held out, ALS
    /// is trained on the rest for every candidate, and the candidate with the best NDCG@10 of
    /// the held-out items wins (ties: the smaller alpha). nil when no user qualifies. At most
    /// `alphaValidationUsers` of the held-out users (a sample seeded by ALS's seed) are scored,
    /// and each candidate learns from at most `alphaTrainingUsers` users (the scored ones
    /// among them): O(sample · (nnz per user · f² + f³) + items · f³) per candidate, whatever the
    /// number of users.
    /// `held`: `validationSplit(data)`, computed once per run.
    func tuneAlpha(_ data: CFData, held: [Int32: Int32], grid: [Float], options: CFTrainingOptions, trainingUsers: Int = InterestMiner.alphaTrainingUsers,
                   progress: @escaping @Sendable (String) -> Void) throws(InterestMinerError) -> AlphaTuning? {
        guard !held.isEmpty, !grid.isEmpty else { return nil }
        let matrix = data.matrix(options.weights, leavingOut: held)
        var users = held.keys.sorted()
        if users.count > InterestMiner.alphaValidationUsers {
            var rng = SeededRandom(seed: options.als.seed)
            rng.shuffle(&users)
            users = Array(users.prefix(InterestMiner.alphaValidationUsers)).sorted()
        }
        // The rows ALS learns from: every user when few, else the scored users and a seeded
        // sample of the rest up to `alphaTrainingUsers`.
        var kept = Array(0..<matrix.rows)
        if matrix.rows > trainingUsers {
            let scored = Set(users.map(Int.init))
            var others = kept.filter { !scored.contains($0) }
            var rng = SeededRandom(seed: options.als.seed &+ 1)
            rng.shuffle(&others)
            kept = (Array(scored) + others.prefix(max(0, trainingUsers - scored.count))).sorted()
        }
        let trainingMatrix = kept.count == matrix.rows ? matrix : matrix.selectingRows(kept)
        let position = Dictionary(uniqueKeysWithValues: kept.enumerated().map { (Int32($0.element), $0.offset) })
        var scores: [Double] = []
        for alpha in grid {
            var config = options.als
            config.alpha = alpha
            config.computeLoss = false
            let model: FactorModel
            do { model = try ALSTrainer(config).train(trainingMatrix) } catch {
                throw .invalidArgument(name: "collaborative filtering", reason: error.description)
            }
            let ranked = parallelMap(users, threads: config.threads, makeState: { () }) { _, u -> (Double, Int) in
                let row = Int(u), at = position[u] ?? 0
                let seen = Set(matrix.indices[matrix.indptr[row]..<matrix.indptr[row + 1]].map(Int.init))
                return RankingMetrics.rank(of: Int(held[u] ?? 0), scores: model.scores(userVector: model.user(at)), excluded: seen)
            }
            let ndcg = RankingMetrics.from(ranks: ranked.map(\.0), candidates: ranked.map(\.1)).ndcg
            scores.append(ndcg)
            progress(String(format: "cf: alpha %g: validation NDCG@10 %.4f over %d held-out users", Double(alpha), ndcg, users.count))
        }
        var best = 0
        for k in scores.indices where scores[k] > scores[best] || (scores[k] == scores[best] && grid[k] < grid[best]) { best = k }
        return AlphaTuning(grid: grid, ndcg: scores, validationUsers: users.count, chosen: grid[best])
    }
}

extension InterestMiner {
    /// Held-out users alpha tuning scores at most (a seeded sample beyond): scoring is
    /// O(sample × items) per candidate, so it does not grow with the shop's users.
    public static let alphaValidationUsers = 5_000
    /// Users each candidate's ALS learns from at most: the scored sample and a seeded sample of
    /// the others, so tuning costs the same at 100,000 users as at a million.
    public static let alphaTrainingUsers = 50_000

    /// The candidates of `--alpha auto`: confidence scales from 1 to 80, a factor of ~2 apart.
    public static let defaultAlphaGrid: [Float] = [1, 2.5, 5, 10, 20, 40, 80]
}
