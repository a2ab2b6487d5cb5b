import Foundation
import InterestCore

/// One validation user for fitting the fusion: every feature over the whole catalogue, what is
/// excluded from ranking (seen items), the held-out item, and the user's positive count.
public struct ValidationUser: Sendable {
    /// features[f][i]: feature f of item i.
    public let features: [[Float]]
    public let excluded: Set<Int>
    public let target: Int
    public let positives: Int
    /// `excluded` as one flag per item: the objective tests every item thousands of times in a
    /// fit, and a flag costs a load where a set costs a hash.
    let excludedMask: [Bool]

    public init(features: [[Float]], excluded: Set<Int>, target: Int, positives: Int) {
        self.features = features
        self.excluded = excluded
        self.target = target
        self.positives = positives
        var mask = [Bool](repeating: false, count: features.first?.count ?? 0)
        for i in excluded where i >= 0 && i < mask.count { mask[i] = true }
        excludedMask = mask
    }

    /// The held-out item's 1-based rank under `weights` (ties: lower index first, as the peers)
    /// and the number of candidates.
    public func rank(_ weights: [Double]) -> (Int, Int) {
        let n = features.first?.count ?? 0
        guard target < n else { return (n, n) }
        var scores = [Float](repeating: 0, count: n)
        for (f, w) in zip(features, weights) where w != 0 {
            let wf = Float(w)
            for i in 0..<n { scores[i] += wf * f[i] }
        }
        let t = scores[target]
        var better = 0, count = 0
        excludedMask.withUnsafeBufferPointer { mask in
            scores.withUnsafeBufferPointer { s in
                for i in 0..<min(n, mask.count) where !mask[i] {
                    count += 1
                    if i != target && (s[i] > t || (s[i] == t && i < target)) { better += 1 }
                }
            }
        }
        return (better + 1, count)
    }
}

/// Fits fusion weights on validation users: a pairwise logistic start (held-out item against
/// uniformly sampled unseen items), then coordinate ascent on the validation objective
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
            let (r, _) = users[u].rank(weights)
            let g = 1 / log2(Double(r) + 1)
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
            let n = u.features.first?.count ?? 0
            guard n > u.excluded.count + 1 else { continue }
            var taken = Set<Int>()
            var tries = 0
            while taken.count < settings.negatives && tries < settings.negatives * 20 {
                let j = rng.next(below: n)
                tries += 1
                if j != u.target && !u.excluded.contains(j) && taken.insert(j).inserted {
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
