import Foundation
import InterestStore

/// What a user is likely to want next, for `terms` (README "Interest terms", "What next"):
/// the items their history points to through the stored item neighbours, and the score of each
/// of those items' review terms.
extension Serving {
    /// The items the user's history points to, best first: Σ over the user's counted events of
    /// their weight × the stored neighbour score (`ItemNeighbours`), items the user touched left
    /// out, and only items it points to firmly — that sum at least `minimum` × the events' total
    /// weight (a weighted mean cosine with the user's items). Each comes with the interest
    /// (cluster) that contributed most to it.
    /// `neighbours`: a validation world's (nil: the stored ones).
    func pointedItems(events: [UserEventVector], weights: [Double], cluster: (Int) -> Int?, count: Int, minimum: Double,
                      neighbours given: [String: [(item: String, score: Double)]]?) throws(InterestMinerError)
        -> [(item: String, cluster: Int)] {
        guard count > 0 else { return [] }
        // Each item's event weight per interest.
        var weightOf: [String: [Int: Double]] = [:]
        for (k, e) in events.enumerated() {
            guard let item = e.item, let c = cluster(k) else { continue }
            weightOf[item, default: [:]][c, default: 0] += weights[k]
        }
        let neighbours: [String: [(item: String, score: Double)]]
        if let given {
            neighbours = given
        } else {
            do { neighbours = try store.itemNeighbours(Array(weightOf.keys)) } catch { throw .store(error) }
        }
        let touched = Set(events.compactMap(\.item))
        var byCluster: [String: [Int: Double]] = [:]
        for (item, perCluster) in weightOf {
            for n in neighbours[item] ?? [] where !touched.contains(n.item) {
                for (c, w) in perCluster { byCluster[n.item, default: [:]][c, default: 0] += w * n.score }
            }
        }
        let score = byCluster.mapValues { $0.values.reduce(0, +) }
        let total = weightOf.values.reduce(0) { $0 + $1.values.reduce(0, +) }
        return score.filter { $0.value >= minimum * total }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(count).map { item, _ in
            let best = (byCluster[item] ?? [:]).max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? 0
            return (item, best)
        }
    }

    /// Each term's `next` (README "Interest terms"): Σ over the next items (rank r = 1, 2, …) of
    /// share of the item's reviews using the term × idf² / r, with idf = ln(1 + (N − df + ½)/(df + ½))
    /// (BM25's), scaled so the best term has 1; and the next items each term appears in.
    static func nextScores(next: [String], itemTerms: [String: [(term: String, share: Double)]], rows: [String: TermRow],
                           documents: Int) -> (score: [String: Double], items: [String: [String]]) {
        var score: [String: Double] = [:]
        var items: [String: [String]] = [:]
        let n = Double(documents)
        for (r, item) in next.enumerated() {
            for (term, share) in itemTerms[item] ?? [] {
                guard let df = rows[term].map({ Double($0.documentFrequency) }) else { continue }
                let idf = log(1 + (n - df + 0.5) / (df + 0.5))
                score[term, default: 0] += share * idf * idf / Double(r + 1)
                items[term, default: []].append(item)
            }
        }
        guard let best = score.values.max(), best > 0 else { return ([:], items) }
        return (score.mapValues { $0 / best }, items)
    }
}
