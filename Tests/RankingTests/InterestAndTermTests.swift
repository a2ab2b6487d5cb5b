import Foundation
import InterestCore
import Testing
@testable import Ranking

@Suite struct InterestClusteringTests {
    /// Unit vectors around two directions (lipstick-ish, fishing-ish) in 4-d.
    static func group(_ axis: Int, _ n: Int, seed: UInt64) -> [InterestClustering.Point] {
        var rng = SeededRandom(seed: seed)
        return (0..<n).map { _ in
            var v = [Float](repeating: 0, count: 4)
            v[axis] = 1
            for k in 0..<4 { v[k] += Float(rng.nextUnit() - 0.5) * 0.3 }
            return .init(vector: v.normalized(), weight: 1)
        }
    }

    @Test func twoTastesAreTwoInterests() {
        let points = Self.group(0, 12, seed: 1) + Self.group(2, 6, seed: 2)
        let interests = InterestClustering().cluster(points)
        #expect(interests.count == 2)
        #expect(Set(interests[0].members) == Set(0..<12), "the heavier interest first")
        #expect(Set(interests[1].members) == Set(12..<18))
        #expect(abs(interests[0].share - 12.0 / 18) < 1e-9)
    }

    @Test func oneTasteStaysOne() {
        #expect(InterestClustering().cluster(Self.group(1, 20, seed: 3)).count == 1)
    }

    @Test func deterministicWithASeed() {
        let points = Self.group(0, 9, seed: 4) + Self.group(1, 9, seed: 5) + Self.group(3, 9, seed: 6)
        let a = InterestClustering().cluster(points)
        #expect(a == InterestClustering().cluster(points))
        #expect(a.count == 3)
    }

    @Test func nothingWithWeightIsNoInterest() {
        #expect(InterestClustering().cluster([]).isEmpty)
        #expect(InterestClustering().cluster([.init(vector: [1, 0], weight: 0), .init(vector: [0, 0], weight: 1)]).isEmpty)
    }
}

@Suite struct TermScoringTests {
    @Test func distinctivenessFollowsTheFormula() {
        let s = TermScoring()
        // y = 3 of n = 5, df = 10 of N = 1000: π = 10.5/1001, α = 10π.
        let pi = 10.5 / 1001, a = 10 * pi
        let inside = 3 + a, outside = 5 + 10 - 3 - a
        let want = (log(inside / outside) - log(pi / (1 - pi))) / (1 / inside + 1 / outside).squareRoot()
        #expect(abs(s.distinctiveness(y: 3, n: 5, df: 10, documents: 1000) - want) < 1e-12)
        // A term the whole shop uses is not distinctive.
        #expect(s.distinctiveness(y: 1, n: 5, df: 900, documents: 1000) < 0)
    }

    @Test func phrasesWinOverTheirWordsAndCommonTermsGo() {
        let c: (String, Bool, Int, Double, Int) -> TermScoring.Candidate = { term, phrase, df, y, ev in
            .init(term: term, isPhrase: phrase, vector: [1, 0], documentFrequency: df, weight: y, evidence: ev, perInterest: [y])
        }
        let scored = TermScoring().score([c("fly rod", true, 5, 3, 3), c("rod", false, 8, 4, 4), c("great", false, 900, 1, 1),
                                          c("trout", false, 6, 2, 2)],
                                         interests: [[1, 0]], userWeight: 6, documents: 1000)
        let terms = scored.map(\.term)
        #expect(terms.contains("fly rod") && terms.contains("trout"))
        #expect(!terms.contains("rod"), "covered by the phrase")
        #expect(!terms.contains("great"), "the whole shop says it")
        #expect(scored.map(\.score) == scored.map(\.score).sorted(by: >))
    }

    @Test func aNextTermWithoutEvidenceIsKeptAndScoredByTheFormula() throws {
        // "shampoo": none of the user's events (y = 0), df 50 of 1000, next 0.8, closeness 0.6.
        let next = TermScoring.Candidate(term: "shampoo", isPhrase: false, vector: [0.6, 0.8], documentFrequency: 50, weight: 0, evidence: 0,
                                         perInterest: [0.8], next: 0.8)
        let plain = TermScoring.Candidate(term: "conditioner", isPhrase: false, vector: [0.6, 0.8], documentFrequency: 50, weight: 0, evidence: 0,
                                          perInterest: [0.8])
        let own = TermScoring.Candidate(term: "trout", isPhrase: false, vector: [1, 0], documentFrequency: 6, weight: 2, evidence: 2, perInterest: [2])
        // Leading (the default): 0.5·cos + 0.5·tanh(z/2) + next.
        let leading = TermScoring().score([next, plain, own], interests: [[1, 0]], userWeight: 4, documents: 1000)
        let z0 = TermScoring().distinctiveness(y: 0, n: 4, df: 50, documents: 1000)
        #expect(abs((leading.first { $0.term == "shampoo" }?.score ?? 0) - (0.5 * 0.6 + 0.5 * tanh(z0 / 2) + 0.8)) < 1e-6)
        // Competing with the user's own words:
        var competing = TermScoring.Settings()
        competing.nextLeads = false
        let s = TermScoring(competing)
        let scored = s.score([next, plain, own], interests: [[1, 0]], userWeight: 4, documents: 1000)
        #expect(scored.map(\.term).sorted() == ["shampoo", "trout"], "z ≤ 0 without next is dropped")
        let z = s.distinctiveness(y: 0, n: 4, df: 50, documents: 1000)
        #expect(z < 0)
        let got = scored.first { $0.term == "shampoo" }
        // Its pointing strength stands in for the distinctiveness: 0.5·0.6 + 0.5·0.8 = 0.7.
        #expect(abs((got?.score ?? 0) - 0.7) < 1e-6)  // cosines are Float
        #expect(got?.next == 0.8 && got?.evidence == 0)
        // The user's own term, closer and distinctive, stays above it: 0.5·1 + 0.5·tanh(z/2).
        let trout = try #require(scored.first { $0.term == "trout" })
        #expect(trout.score > 0.7 && scored.first?.term == "trout")
        // A next term far from the interest cannot climb over the user's own words however
        // firmly it is pointed to: 0.5·0 + 0.5·1 = 0.5 < trout.
        let far = TermScoring.Candidate(term: "respect", isPhrase: false, vector: [0, 1], documentFrequency: 50, weight: 0, evidence: 0,
                                        perInterest: [1], next: 1)
        #expect(s.score([far, own], interests: [[1, 0]], userWeight: 4, documents: 1000).map(\.term) == ["trout", "respect"])
    }
}

/// The shown terms: every interest gets a share of the list, the rest goes by score.
@Suite struct DiversifiedTermsTests {
    static func scored(_ interests: [Int]) -> [TermScoring.Scored] {
        interests.enumerated().map { k, j in
            TermScoring.Scored(term: "t\(k)", score: 1 - Double(k) / 100, closeness: 0, distinctiveness: 0, next: 0, evidence: 1, interest: j)
        }
    }

    @Test func oneInterestIsThePrefix() {
        let s = Self.scored([0, 0, 0, 0, 0])
        #expect(TermScoring.diversified(s, top: 3, shares: [1]) == Array(s.prefix(3)))
        #expect(TermScoring.diversified(s, top: 0, shares: [1]).isEmpty)
    }

    @Test func aMinorInterestStillShows() {
        // Interest 1 (share 0.2) only ranks 6th and 7th by score; top 4 still holds its best term.
        let s = Self.scored([0, 0, 0, 0, 0, 1, 1])
        let shown = TermScoring.diversified(s, top: 4, shares: [0.8, 0.2])
        #expect(shown.map(\.term) == ["t0", "t1", "t2", "t5"], "score order, interest 1's best term included")
        // Quotas: interest 0 gets floor(10·0.8/2) = 4, interest 1 floor(10·0.2/2) = 1; the rest by score.
        let ten = TermScoring.diversified(Self.scored([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]), top: 10, shares: [0.8, 0.2])
        #expect(ten.count == 10 && ten.filter { $0.interest == 1 }.count == 1)
        #expect(ten.map(\.score) == ten.map(\.score).sorted(by: >))
    }
}
