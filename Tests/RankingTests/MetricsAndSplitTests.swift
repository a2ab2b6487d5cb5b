import Foundation
import Testing
import InterestCore
@testable import Ranking

@Suite struct RankingMetricsTests {
    @Test func denseHeldOutEqualsTheGenericSplit() {
        var random = SeededRandom(seed: 21)
        var events: [LeaveLastOut.Event<Int32, Int32>] = []
        for _ in 0..<5_000 {
            // Few items and coarse times, so ties on time and repeats of an item are common.
            events.append(.init(user: Int32(random.next(below: 300)), item: Int32(random.next(below: 12)),
                                timestamp: Int64(random.next(below: 50)), positive: random.next(below: 5) != 0))
        }
        for minItems in [0, 1, 3, 5] {
            #expect(LeaveLastOut.heldOut(events, users: 300, minItems: minItems) == LeaveLastOut.heldOut(AnySequence(events), minItems: minItems),
                    "minItems \(minItems)")
        }
        // Users outside 0..<users are left out.
        #expect(LeaveLastOut.heldOut(events, users: 100).keys.allSatisfy { $0 < 100 })
        #expect(!LeaveLastOut.heldOut(events, users: 300).isEmpty)
    }

    @Test func handComputedMetrics() {
        // Three users: held-out item at ranks 1, 3 and 12 among 20, 10 and 12 candidates.
        let m = RankingMetrics.from(ranks: [1, 3, 12], candidates: [20, 10, 12], k: 10)
        #expect(m.users == 3)
        #expect(abs(m.recall - 2.0 / 3) < 1e-12)
        #expect(abs(m.ndcg - (1 + 1 / log2(4.0)) / 3) < 1e-12)   // (1 + 0.5) / 3
        #expect(abs(m.mrr - (1 + 1.0 / 3) / 3) < 1e-12)
        // AUC per user: (c − r)/(c − 1): 19/19, 7/9, 0/11.
        #expect(abs(m.auc - (1 + 7.0 / 9 + 0) / 3) < 1e-12)
    }

    @Test func unlistedItemsGetNoTopKCredit() {
        let m = RankingMetrics.from(ranks: [2], candidates: [5], inList: [false])
        #expect(m.recall == 0 && m.ndcg == 0 && m.mrr == 0)
        #expect(abs(m.auc - 0.75) < 1e-12)
        #expect(RankingMetrics.from(ranks: [], candidates: []) == .empty)
    }

    @Test func rankBreaksTiesByIndexAndSkipsExcluded() {
        let scores: [Float] = [0.5, 0.9, 0.5, 0.1, 0.9]
        // Target 2 (0.5): beaten by 1 and 4 (0.9) and by 0 (equal score, lower index).
        #expect(RankingMetrics.rank(of: 2, scores: scores, excluded: []) == (4, 5))
        // Excluding 1 and 0 leaves only 4 ahead.
        #expect(RankingMetrics.rank(of: 2, scores: scores, excluded: [0, 1]) == (2, 3))
        #expect(RankingMetrics.rank(of: 0, scores: scores, excluded: []) == (3, 5))
    }
}

@Suite struct LeaveLastOutTests {
    typealias E = LeaveLastOut.Event<String, String>

    @Test func holdsOutEachEligibleUsersLastPositiveItem() {
        let events: [E] = [
            // a: three items, last at ts 30 (i3); a later negative event does not count.
            .init(user: "a", item: "i1", timestamp: 10, positive: true),
            .init(user: "a", item: "i2", timestamp: 20, positive: true),
            .init(user: "a", item: "i3", timestamp: 30, positive: true),
            .init(user: "a", item: "i9", timestamp: 99, positive: false),
            // b: a tie on time goes to the larger item id.
            .init(user: "b", item: "x1", timestamp: 5, positive: true),
            .init(user: "b", item: "x3", timestamp: 7, positive: true),
            .init(user: "b", item: "x2", timestamp: 7, positive: true),
            // c: only two distinct items (one repeated): not eligible.
            .init(user: "c", item: "y1", timestamp: 1, positive: true),
            .init(user: "c", item: "y1", timestamp: 2, positive: true),
            .init(user: "c", item: "y2", timestamp: 3, positive: true),
        ]
        #expect(LeaveLastOut.heldOut(events) == ["a": "i3", "b": "x3"])
        #expect(LeaveLastOut.heldOut(events, minItems: 2) == ["a": "i3", "b": "x3", "c": "y2"])
    }
}
