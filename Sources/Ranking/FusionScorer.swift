import Foundation
import InterestCore

/// What the ranker knows about one user.
public struct UserSignals: Sendable {
    public var cf: [Float]?
    /// The unit direction of the decayed profile.
    public var profile: [Float]?
    /// Catalogue rows of the user's latest liked items, newest first.
    public var recent: [Int]
    /// Positive events (cold users have few).
    public var positives: Int
    /// The user's latest event (seconds since 1970).
    public var time: Int64?
    /// The sequence model's reading of the user's history (y at the last position).
    public var sequence: [Float]?
    /// Catalogue rows of the user's positive events, oldest first (the sequence model's input;
    /// kept for its explanations).
    public var history: [Int]

    public init(cf: [Float]?, profile: [Float]?, recent: [Int], positives: Int, time: Int64? = nil, sequence: [Float]? = nil, history: [Int] = []) {
        self.sequence = sequence
        self.history = history
        self.cf = cf
        self.profile = profile
        self.recent = recent
        self.positives = positives
        self.time = time
    }
}

/// Computes the fusion features and scores. Two stages, as the features differ in cost: the
/// per-user standardised CF and text scores and the popularities for every item (matrix-vector
/// products and binary searches), then the two target-attention features over the user's recent
/// items for the `shortlist` best items of the first stage; items below the shortlist keep their
/// first-stage order beneath it.
public struct FusionScorer: Sendable {
    public let catalogue: RankingCatalogue
    public let model: FusionModel
    public var shortlist = 100
    /// Softmax temperature of the attention over recent items.
    public static let attentionTemperature: Float = 0.1
    public static let recentLimit = 20

    public init(catalogue: RankingCatalogue, model: FusionModel) {
        self.catalogue = catalogue
        self.model = model
    }

    /// The first-stage features over every item.
    public struct Base: Sendable {
        public var cf: [Float]
        public var text: [Float]
        public var recentPopularity: [Float]
        public var sequence: [Float]
    }

    /// The first-stage features over every item; `threads` > 1 splits the matrix–vector
    /// products by rows (for one user's latency over a large catalogue).
    public func baseScores(_ user: UserSignals, threads: Int = 1) -> Base {
        let n = catalogue.count
        var cf = [Float](repeating: 0, count: n)
        var text = [Float](repeating: 0, count: n)
        let cfQuery = user.cf.flatMap { $0.count == catalogue.cfFactors && catalogue.cfFactors > 0 ? $0 : nil }
        let textQuery = user.profile.flatMap { $0.count == catalogue.textDimension && catalogue.textDimension > 0 ? $0 : nil }
        let sequenceQuery = model.features.contains(.sequence) ? sequenceQuery(user) : nil
        var sequence = [Float](repeating: 0, count: sequenceQuery == nil ? 0 : n)
        let parts = max(1, min(threads, n / 4096))
        cf.withUnsafeMutableBufferPointer { cfOut in
            text.withUnsafeMutableBufferPointer { textOut in
                sequence.withUnsafeMutableBufferPointer { sequenceOut in
                    let cfPointer = SendablePointer(cfOut.baseAddress), textPointer = SendablePointer(textOut.baseAddress)
                    let sequencePointer = SendablePointer(sequenceOut.baseAddress)
                    parallelPerform(iterations: parts) { part in
                        let lo = n * part / parts, hi = n * (part + 1) / parts
                        if let q = cfQuery, let out = cfPointer.pointer {
                            VectorMath.gemv(catalogue.cfItems, dimension: catalogue.cfFactors, q, rows: lo, hi, into: out)
                        }
                        if let q = textQuery, let out = textPointer.pointer {
                            VectorMath.gemv(catalogue.itemVectors, dimension: catalogue.textDimension, q, rows: lo, hi, into: out)
                        }
                        if let q = sequenceQuery, let out = sequencePointer.pointer {
                            VectorMath.gemv(catalogue.sequenceItems, dimension: catalogue.sequenceDimension, q, rows: lo, hi, into: out)
                        }
                    }
                }
            }
        }
        if cfQuery != nil { standardise(&cf) }
        if textQuery != nil { standardise(&text) }
        if sequenceQuery != nil { standardise(&sequence) } else { sequence = [Float](repeating: 0, count: n) }
        let recent = model.features.contains(.recentPopularity) ? catalogue.recentPopularity(at: user.time) : [Float](repeating: 0, count: n)
        return Base(cf: cf, text: text, recentPopularity: recent, sequence: sequence)
    }

    /// The user's sequence vector when it fits the catalogue's sequence table.
    func sequenceQuery(_ user: UserSignals) -> [Float]? {
        user.sequence.flatMap { $0.count == catalogue.sequenceDimension && catalogue.sequenceDimension > 0 ? $0 : nil }
    }

    /// −ln(1 − a) of the softmax-weighted mean cosine a of item `i` with the user's recent items
    /// in `vectors` (rows of `dim`): near-duplicates of what the user just chose (0.99 → 4.6)
    /// stand far apart from merely related items (0.9 → 2.3), which a linear weight on `a`
    /// could not express.
    public func attention(_ i: Int, recent: [Int], vectors: [Float], dim: Int) -> Float {
        guard dim > 0, !recent.isEmpty else { return 0 }
        // On the stack: this runs for every shortlisted item of every request.
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: recent.count) { cosines -> Float in
            var count = 0
            vectors.withUnsafeBufferPointer { v in
                guard let b = v.baseAddress else { return }
                for j in recent where j != i && j >= 0 && j < catalogue.count {
                    cosines[count] = VectorMath.dot(b + i * dim, b + j * dim, dim)
                    count += 1
                }
            }
            guard count > 0 else { return 0 }
            var top = cosines[0]
            for c in cosines[1..<count] where c > top { top = c }
            var num: Float = 0, den: Float = 0
            for c in cosines[0..<count] {
                let w = expf((c - top) / Self.attentionTemperature)
                num += w * c
                den += w
            }
            guard den > 0 else { return 0 }
            return -logf(max(1e-3, 1 - num / den))
        }
    }

    public func textAttention(_ i: Int, _ user: UserSignals) -> Float {
        attention(i, recent: user.recent, vectors: catalogue.itemVectors, dim: catalogue.textDimension)
    }

    public func cfAttention(_ i: Int, _ user: UserSignals) -> Float {
        attention(i, recent: user.recent, vectors: catalogue.cfDirections, dim: catalogue.cfFactors)
    }

    /// The feature vector of item `i` (in `model.features` order) given the base scores.
    public func features(_ i: Int, user: UserSignals, base: Base) -> [Double] {
        model.features.map { f in
            switch f {
            case .collaborative: Double(base.cf[i])
            case .text: Double(base.text[i])
            case .attention: Double(textAttention(i, user))
            case .collaborativeAttention: Double(cfAttention(i, user))
            case .popularity: Double(catalogue.popularity[i])
            case .recentPopularity: Double(base.recentPopularity[i])
            case .sequence: Double(base.sequence[i])
            }
        }
    }

    /// Fused scores of every item for the user (higher is better); `excluded` rows (seen items)
    /// get −∞. Items past the shortlist get their first-stage score shifted below every
    /// shortlisted one.
    public func scores<S: Sequence<Int>>(_ user: UserSignals, excluding excluded: S, threads: Int = 1) -> [Float] {
        scoresAndBase(user, excluding: excluded, threads: threads).scores
    }

    /// `scores` with the first-stage features it was computed from.
    public func scoresAndBase<S: Sequence<Int>>(_ user: UserSignals, excluding excluded: S, threads: Int = 1) -> (scores: [Float], base: Base) {
        let first = firstStage(user, excluding: excluded, threads: threads)
        return (finalScores(first, user), first.base)
    }

    /// The second stage over a first stage: shortlisted items get their attention; everything
    /// below the shortlist sits under the lowest score a shortlisted item can reach (attention
    /// lies in [0, −ln 0.001 ≈ 6.9]).
    private func finalScores(_ first: FirstStage, _ user: UserSignals) -> [Float] {
        guard let chosen = first.shortlist else { return first.scores }
        let margin = 7 * (abs(first.textAttention) + abs(first.cfAttention)) + 1
        var out = first.scores
        for i in out.indices { out[i] -= margin }
        for (id, s) in chosen where s > -.infinity {
            let i = Int(id)
            out[i] = s + first.textAttention * textAttention(i, user) + first.cfAttention * cfAttention(i, user)
        }
        return out
    }

    /// The first stage: base features, their weighted sum per item (excluded rows −∞), and —
    /// when attention has weight and the user has recent items — the shortlist (best first)
    /// with the two attention weights.
    struct FirstStage {
        var base: Base
        var scores: [Float]
        var shortlist: [(id: Int32, score: Float)]?
        var textAttention: Float
        var cfAttention: Float
    }

    func firstStage<S: Sequence<Int>>(_ user: UserSignals, excluding excluded: S, threads: Int) -> FirstStage {
        let base = baseScores(user, threads: threads)
        let w = StageWeights(model, positives: user.positives)
        let (wcf, wtext, wpop, wrecent, wsequence) = (w.cf, w.text, w.popularity, w.recentPopularity, w.sequence)
        let (textAttentionWeight, cfAttentionWeight) = (w.textAttention, w.cfAttention)
        let n = catalogue.count
        var stage1 = [Float](repeating: 0, count: n)
        for i in 0..<n {
            stage1[i] = wcf * base.cf[i] + wtext * base.text[i] + wpop * catalogue.popularity[i] + wrecent * base.recentPopularity[i]
                + wsequence * base.sequence[i]
        }
        for i in excluded where i >= 0 && i < n { stage1[i] = -.infinity }
        var first = FirstStage(base: base, scores: stage1, shortlist: nil, textAttention: textAttentionWeight, cfAttention: cfAttentionWeight)
        guard textAttentionWeight != 0 || cfAttentionWeight != 0, !user.recent.isEmpty else { return first }
        var top = TopK(min(shortlist, n))
        for i in 0..<n where stage1[i] > top.threshold { top.offer(Int32(i), stage1[i]) }
        let chosen = top.sorted()
        if chosen.contains(where: { $0.score > -.infinity }) { first.shortlist = chosen }
        return first
    }

    /// The best `k` items (seen items excluded) — the same items, order and scores as `scores`
    /// followed by a top-k — computed without the full final score array when the shortlist
    /// holds at least `k` items: every shortlisted item outranks every other.
    public func top(_ k: Int, for user: UserSignals, excluding excluded: some Sequence<Int>) -> [(id: Int32, score: Float)] {
        let first = firstStage(user, excluding: excluded, threads: 1)
        if let chosen = first.shortlist, chosen.count(where: { $0.score > -.infinity }) >= k {
            var best = TopK(k)
            for (id, s) in chosen where s > -.infinity {
                let i = Int(id)
                best.offer(id, s + first.textAttention * textAttention(i, user) + first.cfAttention * cfAttention(i, user))
            }
            return best.sorted()
        }
        return TopK.best(k, of: finalScores(first, user))
    }
}

/// The weights of one user's segment by feature, as the two stages use them.
struct StageWeights {
    var cf: Float = 0, text: Float = 0, popularity: Float = 0, recentPopularity: Float = 0, sequence: Float = 0
    var textAttention: Float = 0, cfAttention: Float = 0

    init(_ model: FusionModel, positives: Int) {
        let w = model.weights(positives: positives)
        for (k, f) in model.features.enumerated() {
            let wk = Float(w[k])
            switch f {
            case .collaborative: cf = wk
            case .text: text = wk
            case .popularity: popularity = wk
            case .recentPopularity: recentPopularity = wk
            case .attention: textAttention = wk
            case .collaborativeAttention: cfAttention = wk
            case .sequence: sequence = wk
            }
        }
    }
}
