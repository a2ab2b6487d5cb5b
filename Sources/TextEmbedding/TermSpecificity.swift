import Foundation

/// How specific a term is to some of a shop's items rather than to reviews in general: its
/// residual IDF over items (Church & Gale, "Inverse Document Frequency (IDF): A Measure of
/// Deviations from Poisson", 1995) — log₂ of how many items' reviews would use it if every review
/// used it with the same chance, over how many items' reviews do. A word reviewers write whatever
/// they bought ("great", "bought", 好评, 这款) turns up on as many items as chance puts it: ≈ 0.
/// A word of one kind of product gathers on fewer items than its uses would reach: "dandruff",
/// 51 reviews on 3 of amazon-all-beauty's items where chance expects 11.8, scores 1.98.
///
/// Counting items rather than uses keeps the measure from rewarding words that merely vary with
/// how long an item's reviews are ("like", "use": more uses where reviews are longer, but on
/// every item). Below `minimumUses` reviews a word cannot be told from chance (nil: unknown,
/// never called generic). O(item-term pairs + terms × distinct review counts) at `train`, from
/// the per-item counts the text vectors pass gathers anyway; one number a term.
public enum TermSpecificity {
    /// Below this (bits) a word used often enough says nothing about a product: interest terms
    /// leave it out and explanations do not show it (README "Interest terms").
    public static let genericBelow = 0.15
    /// The fewest reviews using a term for its specificity to be computed.
    public static let minimumUses = 15

    /// The specificity of each term of `terms` used by at least `minimumUses` reviews, from
    /// `counts[i][term]` (reviews of item i using the term) and `reviews[i]` (reviews of item
    /// i): log₂(E / O), O the items with a review using it, E = Σᵢ (1 − (1 − p)^rᵢ) the items
    /// expected to have one when each of the R reviews uses it with chance p = C / R (C reviews
    /// use it). Empty for a shop without reviews.
    public static func compute(counts: [Int64: [String: Int]], reviews: [Int64: Int], terms: Set<String>) -> [String: Double] {
        var itemsWith: [Int: Int] = [:]  // review count → items with that many reviews
        for r in reviews.values where r > 0 { itemsWith[r, default: 0] += 1 }
        let total = Double(itemsWith.reduce(0) { $0 + $1.key * $1.value })
        guard total > 0 else { return [:] }
        var used: [String: Int] = [:]
        var items: [String: Int] = [:]
        for (item, perTerm) in counts {
            guard let r = reviews[item], r > 0 else { continue }
            for (term, c) in perTerm where c > 0 && terms.contains(term) {
                used[term, default: 0] += min(c, r)
                items[term, default: 0] += 1
            }
        }
        let histogram = itemsWith.sorted { $0.key < $1.key }
        var out: [String: Double] = [:]
        for (term, c) in used where c >= minimumUses {
            let p = min(1, Double(c) / total)
            let stay = log1p(-p)  // ln(1 − p); −∞ when every review uses it
            var expected = 0.0
            for (r, n) in histogram { expected += Double(n) * (1 - exp(Double(r) * stay)) }
            guard let observed = items[term], observed > 0, expected > 0 else { continue }
            out[term] = log2(expected / Double(observed))
        }
        return out
    }

    /// Whether a term with this specificity says nothing about a product (unknown: no).
    public static func isGeneric(_ specificity: Double?) -> Bool {
        specificity.map { $0 < genericBelow } ?? false
    }

    /// How much an explanation weighs a term's use: 0 for a generic word, else 1 + its
    /// specificity kept within [0, 3] (1 when unknown), so a specific word counts up to four
    /// times a neutral one.
    public static func explanationWeight(_ specificity: Double?) -> Double {
        guard let s = specificity else { return 1 }
        return s < genericBelow ? 0 : 1 + min(3, max(0, s))
    }
}
