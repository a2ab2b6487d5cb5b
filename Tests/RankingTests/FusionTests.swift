import Foundation
import InterestCore
import Testing
@testable import Ranking

@Suite struct FusionTests {
    /// Three items in a 2-d text space and 2-d CF space.
    static let catalogue = RankingCatalogue(
        count: 3, textDimension: 2, itemVectors: [1, 0, 0, 1, 0.6, 0.8], cfFactors: 2, cfItems: [1, 0, 0, 2, 1, 1],
        popularity: [0, 0, 0], eventTimes: [[], [], []])

    @Test func twoFeatureFusionByHand() {
        let model = FusionModel(features: [.collaborative, .text], coldWeights: [0, 1], warmWeights: [2, 1], coldThreshold: 4)
        let scorer = FusionScorer(catalogue: Self.catalogue, model: model)
        let user = UserSignals(cf: [1, 1], profile: [1, 0], recent: [], positives: 10)
        // CF dots 1, 2, 2 → mean 5/3, sd √(2/9): z = (−1.4142, 0.7071, 0.7071).
        // Text cosines 1, 0, 0.6 → mean 1.6/3, sd √(0.4267/3·…): computed below by hand.
        let cos: [Double] = [1, 0, 0.6]
        let mc = cos.reduce(0, +) / 3
        let sc = (cos.map { ($0 - mc) * ($0 - mc) }.reduce(0, +) / 3).squareRoot()
        let tz = cos.map { ($0 - mc) / sc }
        let cz = [-2.0.squareRoot(), 0.5.squareRoot(), 0.5.squareRoot()]
        let want = (0..<3).map { 2 * cz[$0] + tz[$0] }
        let got = scorer.scores(user, excluding: [])
        for i in 0..<3 { #expect(abs(Double(got[i]) - want[i]) < 1e-5, "item \(i)") }
        // Item 2 (CF tie with item 1, better text) wins; item 0 (best text, worst CF) is last.
        #expect(got[2] > got[1] && got[1] > got[0])
    }

    @Test func coldUsersGetTheColdWeights() {
        let model = FusionModel(features: [.collaborative, .text], coldWeights: [0, 1], warmWeights: [1, 0], coldThreshold: 4)
        let scorer = FusionScorer(catalogue: Self.catalogue, model: model)
        let cold = scorer.scores(UserSignals(cf: [1, 1], profile: [1, 0], recent: [], positives: 2), excluding: [])
        let warm = scorer.scores(UserSignals(cf: [1, 1], profile: [1, 0], recent: [], positives: 5), excluding: [])
        #expect(cold.indices.max { cold[$0] < cold[$1] } == 0, "text leads for the cold user")
        #expect(warm[0] < warm[1], "CF leads for the warm user")
    }

    @Test func attentionFavoursNeighboursOfRecentItems() {
        let model = FusionModel(features: [.attention], coldWeights: [1], warmWeights: [1])
        let scorer = FusionScorer(catalogue: Self.catalogue, model: model)
        // Recent item 0 = (1, 0): item 2 (cos 0.6) beats item 1 (cos 0).
        let a1 = scorer.textAttention(1, UserSignals(cf: nil, profile: nil, recent: [0], positives: 1))
        let a2 = scorer.textAttention(2, UserSignals(cf: nil, profile: nil, recent: [0], positives: 1))
        #expect(abs(a1 - 0) < 1e-6 && abs(Double(a2) + log(1 - 0.6)) < 1e-5)
        let s = scorer.scores(UserSignals(cf: nil, profile: nil, recent: [0], positives: 1), excluding: [0])
        #expect(s[0] == -.infinity)
        #expect(s[2] > s[1])
    }

    @Test func dailyCountsFromAscendingDaysEqualTheSortingInitialiser() {
        let cases: [([Int64], [Int])] = [
            ([], []), ([5], [3]), ([1, 4, 9], [2, 1, 7]),
            ([9, 4], [1, 2]),                          // not ascending: sorted
            ([1, 1, 2], [1, 1, 1]),                    // repeated day: merged
            ([1, 2], [0, 4]),                          // an empty day: dropped
            ([3, 5], [Int.max, 2]),                    // saturates
        ]
        for (days, counts) in cases {
            #expect(DailyCounts(ascendingDays: days, counts: counts) == DailyCounts(zip(days, counts).map { ($0, $1) }), "\(days) \(counts)")
        }
        let c = DailyCounts(ascendingDays: [10, 12, 20], counts: [1, 2, 4])
        #expect(c.count(from: 11, through: 20) == 6 && c.count(from: 0, through: 10) == 1 && c.count(from: 21, through: 30) == 0)
    }

    @Test func dayMajorWindowsEqualThePerItemCounts() throws {
        var random = SeededRandom(seed: 77)
        let activity: [DailyCounts] = (0..<300).map { k in
            k % 7 == 0 ? .empty : DailyCounts((0..<random.next(below: 40)).map { _ in (Int64(19_000 + random.next(below: 200)), 1 + random.next(below: 5)) })
        }
        let index = try #require(DayMajorActivity(activity))
        for (first, last) in [(Int64(19_000), Int64(19_029)), (19_150, 19_179), (18_950, 19_010), (19_190, 19_250), (19_300, 19_330)] {
            #expect(index.counts(from: first, through: last, items: 300) == activity.map { $0.count(from: first, through: last) }, "\(first)…\(last)")
        }
        #expect(DayMajorActivity([.empty, .empty]) == nil)
        // Saturated totals still sum to what the per-item counts answer.
        let big = [DailyCounts([(5, Int.max), (6, 3)]), DailyCounts([(6, 2)])]
        let bigIndex = try #require(DayMajorActivity(big))
        #expect(bigIndex.counts(from: 5, through: 6, items: 2) == big.map { $0.count(from: 5, through: 6) })
        #expect(bigIndex.counts(from: 6, through: 6, items: 2) == big.map { $0.count(from: 6, through: 6) })
    }

    @Test func recentPopularityCountsTheUsersWindow() {
        let day: Int64 = 86_400
        let c = RankingCatalogue(count: 2, textDimension: 0, itemVectors: [], cfFactors: 0, cfItems: [], popularity: [0, 0],
                                 eventTimes: [[100 * day, 101 * day, 102 * day], [10 * day]])
        let at = c.recentPopularity(at: 103 * day)
        #expect(at[0] > at[1])
        let then = c.recentPopularity(at: 20 * day)
        #expect(then[1] > then[0])
    }

    @Test func pairwiseLogisticLearnsTheInformativeFeature() {
        // Feature 0 always favours the positive, feature 1 is noise.
        var rng = SeededRandom(seed: 3)
        let diffs = (0..<400).map { _ in [1 + rng.nextUnit(), rng.nextUnit() - 0.5] }
        let w = PairwiseLogistic.fit(differences: diffs, l2: 0.01)
        #expect(w[0] > 0.5 && abs(w[1]) < w[0] / 3)
        #expect(PairwiseLogistic.fit(differences: diffs, l2: 0.01) == w, "deterministic")
    }

    @Test func fittingImprovesValidationNDCG() {
        // 30 users; the held-out item is best on feature 1, feature 0 misleads.
        var rng = SeededRandom(seed: 5)
        let users = (0..<30).map { _ -> ValidationUser in
            var f0 = (0..<20).map { _ in Float(rng.nextUnit()) }
            var f1 = (0..<20).map { _ in Float(rng.nextUnit()) }
            f1[7] = 2
            f0[7] = -1
            return ValidationUser(features: [f0, f1], excluded: [0], target: 7, positives: 5)
        }
        let w = FusionFitting.fit(users)
        #expect(FusionFitting.objective(users, w).ndcg > 0.99)
        #expect(FusionFitting.objective(users, [1, 0]).ndcg < 0.5)
        #expect(FusionFitting.fit(users) == w)
    }
}

@Suite struct ValidationCandidateTests {
    /// A random catalogue of `n` items in 4-d text and CF spaces, with random popularity.
    static func scorer(n: Int, seed: UInt64) -> FusionScorer {
        var rng = SeededRandom(seed: seed)
        let text = (0..<(n * 4)).map { _ in Float(rng.nextUnit() - 0.5) }
        let cf = (0..<(n * 4)).map { _ in Float(rng.nextUnit() - 0.5) }
        let popularity = (0..<n).map { _ in Float(rng.nextUnit()) }
        let catalogue = RankingCatalogue(count: n, textDimension: 4, itemVectors: text, cfFactors: 4, cfItems: cf, popularity: popularity,
                                         eventTimes: [[Int64]](repeating: [], count: n))
        let features: [FusionFeature] = [.collaborative, .text, .attention, .popularity]
        return FusionScorer(catalogue: catalogue, model: FusionModel(features: features, coldWeights: [1, 1, 1, 1], warmWeights: [1, 1, 1, 1]))
    }

    static let user = UserSignals(cf: [0.3, -0.2, 0.5, 0.1], profile: [0.5, 0.5, -0.5, 0.5], recent: [3, 4], positives: 6)

    /// The exact rank of catalogue row `target` under `w` (features in the model's order),
    /// computed over every unseen item from the scorer's own per-item features.
    static func exactRank(_ scorer: FusionScorer, target: Int, excluded: Set<Int>, _ w: [Double]) -> Int {
        let base = scorer.baseScores(user)
        let score = { (i: Int) in zip(scorer.features(i, user: user, base: base), w).map { Float($0 * $1) }.reduce(0, +) }
        let t = score(target)
        return 1 + (0..<scorer.catalogue.count).filter { $0 != target && !excluded.contains($0) && (score($0) > t || (score($0) == t && $0 < target)) }.count
    }

    @Test func aSmallCatalogueIsRankedExactly() {
        let scorer = Self.scorer(n: 60, seed: 1)
        let excluded: Set<Int> = [3, 4, 10]
        let v = scorer.validationUser(Self.user, excluded: excluded, target: 17, pool: 5, tail: 100, seed: 2)
        #expect(v.rows.count == 57 && v.tailWeight == 1)
        #expect(Set(v.rows.map(Int.init)) == Set(0..<60).subtracting(excluded))
        for w in [[1.0, 1, 1, 1], [0.2, 1, -0.5, 0.3], [0, 0, 0, 1]] {
            #expect(v.rank(w) == Double(Self.exactRank(scorer, target: 17, excluded: excluded, w)), "weights \(w)")
        }
    }

    @Test func theTopIsExactAndTheTailEstimated() {
        let n = 3_000
        let scorer = Self.scorer(n: n, seed: 3)
        let excluded: Set<Int> = [3, 4]
        // The best item by CF alone is in the exact pool: ranked first under CF weights.
        let base = scorer.baseScores(Self.user)
        let best = (0..<n).filter { !excluded.contains($0) }.max { base.cf[$0] < base.cf[$1] }!
        let top = scorer.validationUser(Self.user, excluded: excluded, target: best, pool: 20, tail: 300, seed: 4)
        #expect(top.rank([1, 0, 0, 0]) == 1)
        #expect(top.tailWeight > 1 && top.rows.count == top.exact + 300)
        // A middling item: the estimate lands near the exact rank (sampling error ~ √(p(1−p)/300)·n).
        let middle = (0..<n).filter { !excluded.contains($0) }.sorted { base.cf[$0] > base.cf[$1] }[n / 2]
        let v = scorer.validationUser(Self.user, excluded: excluded, target: middle, pool: 20, tail: 300, seed: 5)
        let w = [1.0, 0.5, 0.2, 0.3]
        let exact = Double(Self.exactRank(scorer, target: middle, excluded: excluded, w))
        #expect(abs(v.rank(w) - exact) < 0.12 * Double(n), "estimate \(v.rank(w)) against \(exact)")
        #expect(scorer.validationUser(Self.user, excluded: excluded, target: middle, pool: 20, tail: 300, seed: 5).rows == v.rows, "seeded")
    }
}

@Suite struct ListEvaluationTests {
    @Test func ranksFollowThePeersRules() {
        let catalogue: Set<String> = ["a", "b", "c", "d", "e"]
        // Seen "b" and unknown "zz" and repeats are dropped: a, c, d → target d at rank 3 of 4.
        #expect(ListEvaluation.rankInList(["a", "b", "zz", "a", "c", "d"], target: "d", seen: ["b"], catalogue: catalogue) == (3, true, 4))
        // Not in the list: expected rank in a random fill of the rest = 1 + (4 − 1 + 1)/2 = 3.
        #expect(ListEvaluation.rankInList(["a"], target: "e", seen: ["b"], catalogue: catalogue) == (3, false, 4))
    }

    @Test func tinySplitByHand() {
        let catalogue: Set<String> = ["a", "b", "c", "d"]
        let test = ["u1": "a", "u2": "c", "u3": "d"]
        let lists = ["u1": ["a", "b"], "u2": ["b", "d", "c"]]  // u3 has no list
        let seen: [String: Set<String>] = ["u2": ["a"]]
        let m = ListEvaluation.evaluate(lists, test: test, seen: seen, catalogue: catalogue, users: ["u1", "u2", "u3"], k: 2)
        // u1: rank 1 of 4 (hit); u2: rank 3 of 3 (miss at k = 2); u3: empty → rank (0 + 5)/2 = 2.5 of 4, not listed.
        #expect(m.users == 3)
        #expect(abs(m.recall - 1.0 / 3) < 1e-12)
        #expect(abs(m.ndcg - 1.0 / 3) < 1e-12)
        #expect(abs(m.mrr - 1.0 / 3) < 1e-12)
        #expect(abs(m.auc - (1 + 0 + (4 - 2.5) / 3) / 3) < 1e-12)
        #expect(ListEvaluation.coverage(lists, catalogue: catalogue, k: 2) == 0.75)
    }

    /// Splitting the first stage by rows over threads changes nothing, bit for bit.
    @Test func threadedScoresEqualSingleThreaded() {
        var rng = SeededRandom(seed: 9)
        let n = 20_000
        let vectors = (0..<(n * 8)).map { _ in rng.nextUnitFloat() - 0.5 }
        let factors = (0..<(n * 4)).map { _ in rng.nextUnitFloat() - 0.5 }
        let c = RankingCatalogue(count: n, textDimension: 8, itemVectors: vectors, cfFactors: 4, cfItems: factors,
                                 popularity: (0..<n).map { Float($0 % 7) }, eventTimes: Array(repeating: [], count: n))
        let model = FusionModel(features: [.collaborative, .text, .attention, .popularity], coldWeights: [1, 1, 1, 0.1], warmWeights: [1, 2, 1, 0.1])
        let scorer = FusionScorer(catalogue: c, model: model)
        let user = UserSignals(cf: [0.3, -0.2, 0.5, 0.1], profile: [0.1, 0.2, -0.3, 0.4, 0.5, -0.1, 0.2, 0.3], recent: [5, 17, 4_000], positives: 9)
        let one = scorer.scoresAndBase(user, excluding: [3, 5], threads: 1)
        let two = scorer.scoresAndBase(user, excluding: [3, 5], threads: 2)
        #expect(one.scores == two.scores && one.base.cf == two.base.cf && one.base.text == two.base.text)
        #expect(one.scores[3] == -.infinity && one.scores[5] == -.infinity)
    }

    /// `top(k)` (shortlist only) gives exactly the items and scores of the full ranking's top k,
    /// also when k is larger than the shortlist or most items are excluded.
    @Test func topOfTheShortlistIsTheTopOfTheFullRanking() {
        var rng = SeededRandom(seed: 3)
        let n = 600
        let c = RankingCatalogue(count: n, textDimension: 6, itemVectors: (0..<(n * 6)).map { _ in rng.nextUnitFloat() - 0.5 },
                                 cfFactors: 3, cfItems: (0..<(n * 3)).map { _ in rng.nextUnitFloat() - 0.5 },
                                 popularity: (0..<n).map { Float($0 % 5) }, eventTimes: Array(repeating: [], count: n))
        let model = FusionModel(features: [.collaborative, .text, .attention, .collaborativeAttention, .popularity],
                                coldWeights: [1, 1, 2, 1, 0.2], warmWeights: [2, 1, 3, 1, 0.1])
        var scorer = FusionScorer(catalogue: c, model: model)
        scorer.shortlist = 20
        for (recent, excluded, k) in [([1, 2, 3], [Int](), 10), ([7, 300], [7, 300, 5], 20), ([9], Array(0..<590), 15), ([4, 8], [], 40), ([], [2], 10)] {
            let user = UserSignals(cf: [0.2, -0.4, 0.3], profile: [0.1, -0.2, 0.3, 0.4, -0.5, 0.1], recent: recent, positives: 7)
            let full = scorer.scores(user, excluding: excluded)
            var best = TopK(k)
            for (i, s) in full.enumerated() where s != -.infinity { best.offer(Int32(i), s) }
            let expected = best.sorted()
            let got = scorer.top(k, for: user, excluding: excluded)
            #expect(got.map(\.id) == expected.map(\.id), "recent \(recent), k \(k)")
            #expect(got.map(\.score) == expected.map(\.score), "recent \(recent), k \(k)")
        }
    }
}
