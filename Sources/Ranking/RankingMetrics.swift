import Foundation

/// Recall@k, NDCG@k, MRR@k and AUC over users with one held-out item each — the formulas of
/// ../shared/peers/common.py `metrics_from_ranks`, so our figures and the peers' agree.
public struct RankingMetrics: Sendable, Equatable, Codable {
    public var users: Int
    public var recall: Double
    public var ndcg: Double
    public var mrr: Double
    public var auc: Double

    public static let empty = RankingMetrics(users: 0, recall: 0, ndcg: 0, mrr: 0, auc: 0)

    /// `ranks`: 1-based rank of each user's held-out item among their candidates; `candidates`:
    /// how many items were rankable for the user (held-out item included); `inList`: false when
    /// the system did not rank the item (no top-k credit; the rank is the expected one under a
    /// random order of the unranked rest).
    public static func from(ranks: [Double], candidates: [Int], inList: [Bool]? = nil, k: Int = 10) -> RankingMetrics {
        let n = ranks.count
        guard n > 0 else { return .empty }
        var recall = 0.0, ndcg = 0.0, mrr = 0.0, auc = 0.0
        for u in 0..<n {
            let r = ranks[u]
            let listed = inList?[u] ?? true
            if listed && r <= Double(k) {
                recall += 1
                ndcg += 1 / log2(r + 1)
                mrr += 1 / r
            }
            let c = Double(candidates[u])
            auc += c > 1 ? (c - r) / max(c - 1, 1) : 1
        }
        let d = Double(n)
        return RankingMetrics(users: n, recall: recall / d, ndcg: ndcg / d, mrr: mrr / d, auc: auc / d)
    }

    /// The rank of `target` when items are ordered by `scores` descending, ties by index (the
    /// peers' stable order), over candidates not in `excluded`. Returns (rank, candidates).
    public static func rank(of target: Int, scores: [Float], excluded: Set<Int>) -> (Double, Int) {
        let t = scores[target]
        var better = 0
        var count = 0
        for (i, s) in scores.enumerated() where !excluded.contains(i) {
            count += 1
            if i == target { continue }
            if s > t || (s == t && i < target) || (s.isNaN == false && t.isNaN) { better += 1 }
        }
        return (Double(better + 1), count)
    }
}
