import Foundation

/// How specific a term is to some of a shop's items rather than to reviews in general: the
/// index of dispersion of its reviews over items — Pearson's χ² of the counts cᵢ (reviews of
/// item i that use it) against the counts expected if every review used it with the same
/// chance, eᵢ = rᵢ·C/R, divided by its degrees of freedom K − 1. Church & Gale ("Poisson
/// Mixtures", Natural Language Engineering 1995) separate content words from function words the
/// same way, by how far their spread over documents exceeds a Poisson's: a word reviewers write
/// whatever they bought ("great", "this one", 好评, 这款, 性价比高) is spread like chance, index
/// ≈ 1; a word of one kind of product gathers on its items, index ≫ 1 (up to about the reviews
/// per item, for a word used by every review of a few items).
///
/// Only a word used widely can be told apart from chance: below `minimumUses` reviews the index
/// is not computed (nil: unknown, never called generic). O(item-term pairs) at `train`, from the
/// per-item counts the text vectors pass gathers anyway; one number a term.
public enum TermSpecificity {
    /// Below this index a word used often enough says nothing about a product: interest terms
    /// leave it out and explanations do not show it (README "Interest terms").
    public static let genericBelow = 1.25
    /// The fewest reviews using a term for its index to be computed.
    public static let minimumUses = 15

    /// The index of each term of `terms` used by at least `minimumUses` reviews, from
    /// `counts[i][term]` (reviews of item i using the term) and `reviews[i]` (reviews of item
    /// i): χ² = (R / C)·Σᵢ cᵢ² / rᵢ − C over the items using it, with C = Σᵢ cᵢ and R = Σᵢ rᵢ,
    /// divided by K − 1 for the K items with reviews. nil for a shop with fewer than two
    /// reviewed items.
    public static func compute(counts: [Int64: [String: Int]], reviews: [Int64: Int], terms: Set<String>) -> [String: Double] {
        let reviewed = reviews.values.filter { $0 > 0 }
        let total = Double(reviewed.reduce(0, +))
        guard reviewed.count > 1, total > 0 else { return [:] }
        var used: [String: Double] = [:]
        var squares: [String: Double] = [:]
        for (item, perTerm) in counts {
            guard let r = reviews[item], r > 0 else { continue }
            for (term, c) in perTerm where c > 0 && terms.contains(term) {
                let count = Double(min(c, r))
                used[term, default: 0] += count
                squares[term, default: 0] += count * count / Double(r)
            }
        }
        let freedom = Double(reviewed.count - 1)
        var out: [String: Double] = [:]
        for (term, c) in used where c >= Double(minimumUses) {
            let chiSquare = total / c * (squares[term] ?? 0) - c
            out[term] = max(0, chiSquare) / freedom
        }
        return out
    }

    /// Whether a term with this index says nothing about a product (unknown: no).
    public static func isGeneric(_ specificity: Double?) -> Bool {
        specificity.map { $0 < genericBelow } ?? false
    }

    /// How much an explanation weighs a term's use: 0 for a generic word, else its index kept
    /// within [1, 4] (1 when unknown), so a specific word counts up to four times a neutral one.
    public static func explanationWeight(_ specificity: Double?) -> Double {
        guard let s = specificity else { return 1 }
        return s < genericBelow ? 0 : min(4, max(1, s))
    }
}
