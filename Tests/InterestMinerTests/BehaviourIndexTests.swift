import InterestCore
import InterestStore
import Ranking
import Testing
@testable import InterestMiner

@Suite struct BehaviourIndexTests {
    /// Popularity (distinct users with a positive event) and daily counts computed by hand from
    /// a small table of events, with repeats, non-positive ratings, an unknown item and skips.
    @Test func countsDistinctUsersAndDaysAsByHand() {
        let day: Int64 = 86_400
        let rows = [
            InteractionRow(user: 7, item: 100, action: .view, rating: nil, timestamp: 10 * day + 5),
            InteractionRow(user: 7, item: 100, action: .purchase, rating: nil, timestamp: 10 * day + 50),  // same user again
            InteractionRow(user: 9, item: 100, action: nil, rating: 0, timestamp: 11 * day),            // not positive
            InteractionRow(user: 9, item: 100, action: nil, rating: 4, timestamp: 12 * day),
            InteractionRow(user: 3, item: 101, action: .cart, rating: nil, timestamp: 10 * day),
            InteractionRow(user: 3, item: 555, action: .cart, rating: nil, timestamp: 10 * day),        // not in the catalogue
            InteractionRow(user: 1_000_000_000, item: 101, action: .view, rating: nil, timestamp: -day), // a sparse user id, day −1
        ]
        let catalogue: [Int64: Int] = [100: 0, 101: 1, 102: 2]
        let table = EventsByUser(rows: rows, itemIDs: [100, 101, 102])
        #expect(table.count == 6 && table.userIDs == [3, 7, 9, 1_000_000_000], "the row on an unknown item is left out")
        let all = BehaviourIndex(rows: table, catalogueRow: catalogue, catalogueCount: 3)
        #expect(all.popularity == [2, 2, 0])
        #expect(all.activity[0] == DailyCounts([(10, 2), (12, 1)]))
        #expect(all.activity[1] == DailyCounts([(-1, 1), (10, 1)]))
        #expect(all.activity[2] == .empty)
        #expect(all[7].positives == 2 && all[7].seen == [0] && all[9].positives == 1 && all[9].seen == [0])
        // Leaving user 9's item 100 out, and summarising user 3 alone.
        let held = BehaviourIndex(rows: table, catalogueRow: catalogue, catalogueCount: 3, only: [3]) { u, i in u == 9 && i == 0 }
        #expect(held.popularity == [1, 2, 0])
        #expect(held.activity[0] == DailyCounts([(10, 2)]))
        #expect(held.users.keys.sorted() == [3] && held[3].seen == [1] && held[3].recent == [1])
    }
}
