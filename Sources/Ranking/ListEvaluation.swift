/// Scores ranked lists exactly as ../shared/peers/evaluate_lists.py does (`rank_in_list` and
/// `metrics_from_ranks` of its common.py): ids not in the catalogue, the user's train items and
/// repeats are dropped from a list; a held-out item missing from the list gets no top-k credit
/// and, for AUC, the expected rank under a random order of the unranked rest.
public enum ListEvaluation {
    /// (rank, in list, candidates) of `target` in `ranked`.
    public static func rankInList(_ ranked: [String], target: String, seen: Set<String>, catalogue: Set<String>) -> (Double, Bool, Int) {
        let candidates = catalogue.count - seen.intersection(catalogue).count
        var position = 0
        var used = Set<String>()
        for item in ranked where !used.contains(item) && catalogue.contains(item) && !seen.contains(item) {
            used.insert(item)
            position += 1
            if item == target { return (Double(position), true, candidates) }
        }
        return (Double(position) + Double(candidates - position + 1) / 2, false, candidates)
    }

    /// Metrics of `lists` for the test users (user → held-out item); users without a list count
    /// as an empty list.
    public static func evaluate(_ lists: [String: [String]], test: [String: String], seen: [String: Set<String>], catalogue: Set<String>,
                                users: [String], k: Int) -> RankingMetrics {
        var ranks: [Double] = [], candidates: [Int] = [], inList: [Bool] = []
        for u in users {
            guard let target = test[u] else { continue }
            let (r, listed, c) = rankInList(lists[u] ?? [], target: target, seen: seen[u] ?? [], catalogue: catalogue)
            ranks.append(r)
            inList.append(listed)
            candidates.append(c)
        }
        return RankingMetrics.from(ranks: ranks, candidates: candidates, inList: inList, k: k)
    }

    /// Share of the catalogue that appears in at least one user's top `k`.
    public static func coverage(_ lists: [String: [String]], catalogue: Set<String>, k: Int) -> Double {
        guard !catalogue.isEmpty else { return 0 }
        var shown = Set<String>()
        for l in lists.values { for i in l.prefix(k) where catalogue.contains(i) { shown.insert(i) } }
        return Double(shown.count) / Double(catalogue.count)
    }
}
