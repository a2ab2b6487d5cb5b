import Testing
import TextEmbedding

/// Residual IDF over items, against values worked out by hand.
@Suite struct TermSpecificityTests {
    // Items 1 and 2 have 10 reviews each, item 3 has 20: R = 40.
    static let reviews: [Int64: Int] = [1: 10, 2: 10, 3: 20]

    @Test func aWordOnEveryItemIsGenericAndAGatheredOneIsNot() {
        let counts: [Int64: [String: Int]] = [
            1: ["great": 5, "rod": 10, "other": 7],
            2: ["great": 5, "rod": 6],
            3: ["great": 10, "rare": 3],
            9: ["great": 50],  // an item without reviews counts for nothing
        ]
        let s = TermSpecificity.compute(counts: counts, reviews: Self.reviews, terms: ["great", "rod", "rare"])
        // great: p = 20/40; expected items 2(1 − ½¹⁰) + (1 − ½²⁰) = 2.998046, observed 3:
        // log₂(2.998046 / 3) = −0.00094.
        #expect(abs((s["great"] ?? 1) - (-0.0009400193828652435)) < 1e-12)
        #expect(TermSpecificity.isGeneric(s["great"]))
        // rod: p = 16/40; expected 2(1 − 0.6¹⁰) + (1 − 0.6²⁰) = 2.987870, observed 2:
        // log₂(2.987870 / 2) = 0.5791.
        #expect(abs((s["rod"] ?? 0) - 0.5791174770279327) < 1e-12)
        #expect(!TermSpecificity.isGeneric(s["rod"]))
        // rare: 3 uses (< 15) cannot be told from chance; "other" is not in the vocabulary.
        #expect(s["rare"] == nil && s["other"] == nil)
        #expect(!TermSpecificity.isGeneric(nil))
    }

    @Test func aShopWithoutReviewsHasNoSpecificity() {
        #expect(TermSpecificity.compute(counts: [1: ["a": 20]], reviews: [1: 0], terms: ["a"]).isEmpty)
        #expect(TermSpecificity.compute(counts: [:], reviews: [:], terms: ["a"]).isEmpty)
        // A word in every review of the shop: expected = observed items, 0 bits.
        #expect(TermSpecificity.compute(counts: [1: ["a": 10], 2: ["a": 10]], reviews: [1: 10, 2: 10], terms: ["a"])["a"] == 0)
    }

    @Test func explanationsWeighSpecificWordsUpToFourTimes() {
        #expect(TermSpecificity.explanationWeight(nil) == 1)
        #expect(TermSpecificity.explanationWeight(0.1) == 0)
        #expect(TermSpecificity.explanationWeight(0.5) == 1.5)
        #expect(TermSpecificity.explanationWeight(9) == 4)
    }
}
