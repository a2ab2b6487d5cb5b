import Foundation
import InterestCore

/// One validation user for fitting the fusion: every feature of each candidate item, the
/// held-out item among them, and the user's positive count. Candidates `0..<exact` are ranked
/// exactly; the rest are a uniform sample of the user's other unseen items, each standing for
/// `tailWeight` items, so the held-out item's rank over the whole catalogue is estimated
/// without scoring it all (exact at the top, where NDCG@10 is decided; cf. Krichene & Rendle,
/// "On Sampled Metrics for Item Recommendation", KDD 2020, on why only the tail may be sampled).
public struct ValidationUser: Sendable {
    /// features[f][c]: feature f of candidate c.
    public let features: [[Float]]
    /// The catalogue row of each candidate (ties rank the lower row first, as the peers do).
    public let rows: [Int32]
    /// The held-out item's candidate index.
    public let target: Int
    public let exact: Int
    public let tailWeight: Double
    public let positives: Int

    public init(features: [[Float]], rows: [Int32], target: Int, exact: Int, tailWeight: Double, positives: Int) {
        self.features = features
        self.rows = rows
        self.target = target
        self.exact = min(exact, rows.count)
        self.tailWeight = tailWeight
        self.positives = positives
    }

    /// Every catalogue item not `excluded` a candidate, ranked exactly; `features[f][i]` is
    /// feature f of catalogue item i and `target` a catalogue row.
    public init(features: [[Float]], excluded: Set<Int>, target: Int, positives: Int) {
        let n = features.first?.count ?? 0
        let kept = (0..<n).filter { $0 == target || !excluded.contains($0) }
        self.init(features: features.map { f in kept.map { f[$0] } }, rows: kept.map { Int32($0) },
                  target: kept.firstIndex(of: target) ?? kept.count, exact: kept.count, tailWeight: 1, positives: positives)
    }

    /// The held-out item's estimated 1-based rank under `weights`: one plus the exact candidates
    /// above it plus `tailWeight` for each sampled one above it.
    public func rank(_ weights: [Double]) -> Double {
        let m = rows.count
        guard target < m else { return Double(m) + Double(m - exact) * tailWeight }
        var scores = [Float](repeating: 0, count: m)
        for (f, w) in zip(features, weights) where w != 0 {
            let wf = Float(w)
            f.withUnsafeBufferPointer { fp in
                scores.withUnsafeMutableBufferPointer { sp in
                    for c in 0..<m { sp[c] += wf * fp[c] }
                }
            }
        }
        let t = scores[target], tr = rows[target]
        var above = 0, tailAbove = 0
        scores.withUnsafeBufferPointer { s in
            rows.withUnsafeBufferPointer { r in
                for c in 0..<exact where c != target && (s[c] > t || (s[c] == t && r[c] < tr)) { above += 1 }
                for c in exact..<m where s[c] > t || (s[c] == t && r[c] < tr) { tailAbove += 1 }
            }
        }
        return 1 + Double(above) + Double(tailAbove) * tailWeight
    }
}

extension FusionScorer {
    /// A validation user's candidates: the held-out item and the `pool` best unseen items by
    /// each first-stage feature alone and by their unweighted sum (ranked exactly), and a
    /// uniform sample (seeded) of `tail` of the other unseen items. Attention is computed for
    /// the candidates only, so a user costs O(items · dimension) for the first stage plus
    /// O((pool + tail) · recent · dimension), and holds O(pool + tail) floats per feature —
    /// whatever the catalogue size.
    public func validationUser(_ user: UserSignals, excluded: Set<Int>, target: Int, pool: Int, tail: Int, seed: UInt64) -> ValidationUser {
        let n = catalogue.count
        let base = baseScores(user)
        var lists: [[Float]] = []
        if model.features.contains(.collaborative) { lists.append(base.cf) }
        if model.features.contains(.text) { lists.append(base.text) }
        if model.features.contains(.popularity) { lists.append(catalogue.popularity) }
        if model.features.contains(.recentPopularity) { lists.append(base.recentPopularity) }
        if model.features.contains(.sequence) { lists.append(base.sequence) }
        var sum = [Float](repeating: 0, count: n)
        for l in lists { for i in 0..<n { sum[i] += l[i] } }
        lists.append(sum)
        var chosen: [Int] = target >= 0 && target < n ? [target] : []
        var inPool = Set(chosen)
        for l in lists {
            var top = TopK(pool)
            for i in 0..<n where !excluded.contains(i) && l[i] > top.threshold { top.offer(Int32(i), l[i]) }
            for (id, _) in top.sorted() where inPool.insert(Int(id)).inserted { chosen.append(Int(id)) }
        }
        let exact = chosen.count
        let others = n - excluded.subtracting(inPool).count - inPool.count
        var rng = SeededRandom(seed: seed)
        if others <= tail {
            for i in 0..<n where !excluded.contains(i) && !inPool.contains(i) { chosen.append(i) }
        } else {
            var taken = Set<Int>()
            var tries = 0
            while taken.count < tail && tries < tail * 50 {
                tries += 1
                let j = rng.next(below: n)
                if !excluded.contains(j) && !inPool.contains(j) && taken.insert(j).inserted { chosen.append(j) }
            }
        }
        let sampled = chosen.count - exact
        let weight = sampled > 0 ? Double(others) / Double(sampled) : 1
        var columns = model.features.map { _ in [Float](repeating: 0, count: chosen.count) }
        for (c, i) in chosen.enumerated() {
            for (f, v) in features(i, user: user, base: base).enumerated() { columns[f][c] = Float(v) }
        }
        return ValidationUser(features: columns, rows: chosen.map { Int32($0) }, target: 0, exact: exact, tailWeight: weight, positives: user.positives)
    }
}

/// Fits fusion weights on validation users: a pairwise logistic start (held-out item against
/// candidates drawn uniformly from the user's), then coordinate ascent on the validation objective
/// NDCG@10 + ½·NDCG (uncut; it smooths the steps of the cut-off metric) on `bags` bootstrap
/// samples of the users, averaged (each at unit length). Deterministic.
public enum FusionFitting {
    public struct Settings: Sendable, Equatable {
        public var negatives = 50
        public var l2 = 1e-2
        public var rounds = 4
        /// Bootstrap resamples of the validation users, each refined by coordinate ascent from
        /// the logistic start; the fitted weights are the mean of their unit-length results.
        public var bags = 8
        public var seed: UInt64 = 1

        public init() {}
    }

    /// Mean NDCG@10 and the smoothed objective.
    public static func objective(_ users: [ValidationUser], _ weights: [Double], threads: Int = 2) -> (ndcg: Double, smooth: Double) {
        guard !users.isEmpty else { return (0, 0) }
        let parts = parallelMap(Array(users.indices), threads: threads, makeState: { () }) { _, u -> (Double, Double) in
            let r = users[u].rank(weights)
            let g = 1 / log2(r + 1)
            return (r <= 10 ? g : 0, g)
        }
        let cut = parts.reduce(0) { $0 + $1.0 } / Double(users.count)
        let full = parts.reduce(0) { $0 + $1.1 } / Double(users.count)
        return (cut, cut + 0.5 * full)
    }

    public static func fit(_ users: [ValidationUser], settings: Settings = Settings(), threads: Int = 2) -> [Double] {
        guard let d = users.first?.features.count, d > 0 else { return [] }
        var rng = SeededRandom(seed: settings.seed)
        var differences: [[Double]] = []
        for u in users {
            let m = u.rows.count
            guard m > 1, u.target < m else { continue }
            var taken = Set<Int>()
            var tries = 0
            while taken.count < settings.negatives && tries < settings.negatives * 20 {
                let j = rng.next(below: m)
                tries += 1
                if j != u.target && taken.insert(j).inserted {
                    differences.append((0..<d).map { Double(u.features[$0][u.target] - u.features[$0][j]) })
                }
            }
        }
        var start = PairwiseLogistic.fit(differences: differences, l2: settings.l2)
        if start.count != d { start = [Double](repeating: 1, count: d) }
        guard settings.bags > 1 else { return ascend(users, from: start, rounds: settings.rounds, threads: threads) }
        // Bagging: NDCG@10 on a few thousand users has many near-equal optima that generalise
        // differently; averaging the optima of bootstrap samples keeps what they agree on.
        var sum = [Double](repeating: 0, count: d)
        for _ in 0..<settings.bags {
            let sample = (0..<users.count).map { _ in users[rng.next(below: users.count)] }
            let w = ascend(sample, from: start, rounds: settings.rounds, threads: threads)
            let norm = w.map { $0 * $0 }.reduce(0, +).squareRoot()
            guard norm > 0 else { continue }
            for k in 0..<d { sum[k] += w[k] / norm }
        }
        let w = sum.map { $0 / Double(settings.bags) }
        return w
    }

    /// Coordinate ascent on the smoothed objective from `start`: each weight in turn tries steps
    /// of ±¼…2 of its scale and keeps the best improvement, for up to `rounds` sweeps.
    static func ascend(_ users: [ValidationUser], from start: [Double], rounds: Int, threads: Int) -> [Double] {
        let d = start.count
        var w = start
        var best = objective(users, w, threads: threads).smooth
        for _ in 0..<rounds {
            var improved = false
            for k in 0..<d {
                let scale = max(abs(w[k]), 0.25 * w.map(abs).reduce(0, +) / Double(d), 1e-3)
                for step in [-2.0, -1, -0.5, -0.25, 0.25, 0.5, 1, 2] {
                    var trial = w
                    trial[k] += step * scale
                    let o = objective(users, trial, threads: threads).smooth
                    if o > best + 1e-9 {
                        best = o
                        w = trial
                        improved = true
                    }
                }
            }
            if !improved { break }
        }
        return w
    }
}
