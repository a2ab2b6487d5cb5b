import Testing
import TextEmbedding

/// The index of dispersion of a term's reviews over items, against hand-computed χ².
@Suite struct TermSpecificityTests {
    // Items 1 and 2 have 10 reviews each, item 3 has 20: R = 40, K = 3 (2 degrees of freedom).
    static let reviews: [Int64: Int] = [1: 10, 2: 10, 3: 20]

    @Test func aWordSpreadLikeReviewsIsGenericAndAGatheredOneIsNot() {
        let counts: [Int64: [String: Int]] = [
            1: ["great": 5, "rod": 10, "other": 7],
            2: ["great": 5, "rod": 6],
            3: ["great": 10, "rare": 3],
            9: ["great": 50],  // an item without reviews counts for nothing
        ]
        let s = TermSpecificity.compute(counts: counts, reviews: Self.reviews, terms: ["great", "rod", "rare"])
        // great: expected 5, 5, 10 — exactly what it has: χ² = 0.
        #expect(s["great"] == 0)
        #expect(TermSpecificity.isGeneric(s["great"]))
        // rod: expected 16·10/40 = 4, 4, 8; χ² = 6²/4 + 2²/4 + 8²/8 = 9 + 1 + 8 = 18, / 2 = 9.
        #expect(abs((s["rod"] ?? 0) - 9) < 1e-12)
        #expect(!TermSpecificity.isGeneric(s["rod"]))
        // rare: 3 uses (< 15) cannot be told from chance; "other" is not in the vocabulary.
        #expect(s["rare"] == nil && s["other"] == nil)
        #expect(!TermSpecificity.isGeneric(nil))
    }

    @Test func aShopWithOneReviewedItemHasNoIndex() {
        #expect(TermSpecificity.compute(counts: [1: ["a": 20]], reviews: [1: 20, 2: 0], terms: ["a"]).isEmpty)
        #expect(TermSpecificity.compute(counts: [:], reviews: [:], terms: ["a"]).isEmpty)
    }

    @Test func explanationsWeighSpecificWordsUpToFourTimes() {
        #expect(TermSpecificity.explanationWeight(nil) == 1)
        #expect(TermSpecificity.explanationWeight(0.9) == 0)
        #expect(TermSpecificity.explanationWeight(1.25) == 1.25)
        #expect(TermSpecificity.explanationWeight(2.5) == 2.5)
        #expect(TermSpecificity.explanationWeight(9) == 4)
    }
}
