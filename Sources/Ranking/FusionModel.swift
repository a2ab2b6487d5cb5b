import Foundation
import InterestCore

/// The signals the fused ranker weighs for one (user, item) pair. Scores that live on a per-user
/// scale (CF dot products, cosines) are standardised over the user's catalogue first, so one
/// weight fits every user.
public enum FusionFeature: Int, Sendable, Codable, CaseIterable {
    /// Collaborative score x_u·y_i, standardised per user (0 when either side has no factors).
    case collaborative = 0
    /// Cosine of the user's decayed profile with the item vector, standardised per user.
    case text
    /// Target attention over the user's recent items (DIN-style): the softmax-weighted mean
    /// cosine a of the candidate with the user's last items (the nearest dominate), as −ln(1 − a).
    case attention
    // 3 was `interest`, the candidate's best cosine with the user's interest centroids: measured
    // by held-out validation on amazon-all-beauty and movielens-latest-small (seeds 1 and 2) it
    // earned nothing over `attention` (fused held-out NDCG@10 0.8074/0.8071 → 0.8045/0.8082 and
    // 0.0476/0.0741 → 0.0424/0.0721) and cost a clustering per request, so it was removed.
    // Stored rankers name features by these numbers: keep them.
    /// log(1 + users with a positive event on the item), standardised over the catalogue.
    case popularity = 4
    /// log(1 + positive events on the item in the 30 days before the user's latest event),
    /// standardised over the catalogue: what was in demand when the user was last active.
    case recentPopularity = 5
    /// Target attention as for `attention`, over the normalised collaborative item factors:
    /// "bought together"-style neighbours of what the user just chose.
    case collaborativeAttention = 6
    /// The sequence model's score y_u·E_i (a Transformer over the user's ordered history, see
    /// the SequenceModel target), standardised per user.
    case sequence = 7

    public var name: String {
        switch self {
        case .collaborative: "cf"
        case .text: "text"
        case .attention: "attention"
        case .popularity: "popularity"
        case .recentPopularity: "recent_popularity"
        case .collaborativeAttention: "cf_attention"
        case .sequence: "sequence"
        }
    }
}

/// A learned linear fusion: score = Σ_f w_f(segment) · x_f, with one weight vector per user
/// segment — cold users (at most `coldThreshold` positive items) and the rest — so text and
/// popularity can lead where behaviour is thin and collaborative filtering where it is rich.
public struct FusionModel: Sendable, Equatable, Codable {
    public var features: [FusionFeature]
    public var coldWeights: [Double]
    public var warmWeights: [Double]
    public var coldThreshold: Int

    public init(features: [FusionFeature], coldWeights: [Double], warmWeights: [Double], coldThreshold: Int = 4) {
        self.features = features
        self.coldWeights = coldWeights
        self.warmWeights = warmWeights
        self.coldThreshold = coldThreshold
    }

    public func weights(positives: Int) -> [Double] {
        positives <= coldThreshold ? coldWeights : warmWeights
    }
}

/// Pairwise logistic regression (RankNet-style, linear): minimise
/// Σ log(1 + e^(−w·(x⁺ − x⁻))) + λ|w|² over (positive, negative) feature pairs by Newton's
/// method — a handful of d×d solves, deterministic, no learning rate to tune. Each feature's
/// differences are scaled to unit root-mean-square before fitting (and the weights scaled back),
/// so the penalty treats a feature with a narrow range (a cosine) like one with a wide range.
public enum PairwiseLogistic {
    public static func fit(differences raw: [[Double]], l2: Double = 1e-2, iterations: Int = 30) -> [Double] {
        guard let d = raw.first?.count, d > 0 else { return [] }
        var scale = [Double](repeating: 0, count: d)
        for x in raw { for k in 0..<d { scale[k] += x[k] * x[k] } }
        scale = scale.map { let r = ($0 / Double(raw.count)).squareRoot(); return r > 1e-12 ? r : 1 }
        let differences = raw.map { x in (0..<d).map { x[$0] / scale[$0] } }
        let w = fitScaled(differences, d: d, l2: l2, iterations: iterations)
        return (0..<d).map { w[$0] / scale[$0] }
    }

    static func fitScaled(_ differences: [[Double]], d: Int, l2: Double, iterations: Int) -> [Double] {
        var w = [Double](repeating: 0, count: d)
        let n = Double(max(1, differences.count))
        for _ in 0..<iterations {
            var g = w.map { 2 * l2 * $0 }
            var h = [Double](repeating: 0, count: d * d)
            for k in 0..<d { h[k * d + k] = 2 * l2 }
            for x in differences {
                var z = 0.0
                for k in 0..<d { z += w[k] * x[k] }
                let p = 1 / (1 + exp(z))          // σ(−z)
                let s = p * (1 - p)
                for a in 0..<d {
                    g[a] -= p * x[a] / n
                    let xa = x[a] * s / n
                    for b in 0..<d { h[a * d + b] += xa * x[b] }
                }
            }
            guard let step = solve(h, g, d) else { break }
            var moved = 0.0
            for k in 0..<d {
                w[k] -= step[k]
                moved = max(moved, abs(step[k]))
            }
            if moved < 1e-9 { break }
        }
        return w
    }

    /// x with A·x = b (A symmetric positive definite), Gaussian elimination with pivoting.
    static func solve(_ a: [Double], _ b: [Double], _ n: Int) -> [Double]? {
        var m = a, x = b
        for col in 0..<n {
            var pivot = col
            for r in col..<n where abs(m[r * n + col]) > abs(m[pivot * n + col]) { pivot = r }
            guard abs(m[pivot * n + col]) > 1e-300 else { return nil }
            if pivot != col {
                for k in 0..<n { m.swapAt(col * n + k, pivot * n + k) }
                x.swapAt(col, pivot)
            }
            for r in (col + 1)..<n {
                let f = m[r * n + col] / m[col * n + col]
                if f == 0 { continue }
                for k in col..<n { m[r * n + k] -= f * m[col * n + k] }
                x[r] -= f * x[col]
            }
        }
        for r in stride(from: n - 1, through: 0, by: -1) {
            var s = x[r]
            for k in (r + 1)..<n { s -= m[r * n + k] * x[k] }
            x[r] = s / m[r * n + r]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}

/// Per-user standardisation of a score vector: (s − mean) / sd over its finite entries (sd 1
/// when flat; ±∞ entries, such as excluded items, stay as they are), so a user with loud dot
/// products and one with quiet ones weigh alike.
public func standardise(_ scores: inout [Float]) {
    var mean = 0.0, sq = 0.0, n = 0.0
    for s in scores where s.isFinite {
        mean += Double(s)
        n += 1
    }
    guard n > 0 else { return }
    mean /= n
    for s in scores where s.isFinite { sq += (Double(s) - mean) * (Double(s) - mean) }
    let sd = (sq / n).squareRoot()
    let inv = sd > 1e-12 ? 1 / sd : 1
    for k in scores.indices where scores[k].isFinite { scores[k] = Float((Double(scores[k]) - mean) * inv) }
}
