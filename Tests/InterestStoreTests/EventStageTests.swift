import Foundation
import InterestCore
@testable import InterestStore
import PostgresNIO
import Testing

/// The two forms a run of events takes into PostgreSQL (`EventStage`): large runs through `COPY`
/// and a temporary table, small runs as array parameters. The same events written as one large
/// batch and as many small ones leave the same rows — ids, keys, NULLs, text — and count the
/// same duplicates.
@Suite(.enabled(if: Backend.postgresURL != nil, "set INTERESTS_TEST_POSTGRES=postgres://user@host:port/db to run the PostgreSQL tests (.ci/run does)"))
struct EventStageTests {
    /// 600 events over 40 users and 25 items: every kind, ratings and none, explicit ids and
    /// none, text with tabs, newlines, backslashes and Chinese, and duplicates (by id and by
    /// content) both inside a batch and across batches.
    static let events: [Event] = (0..<600).map { n in
        let user = "u\(n % 40)", item = "P\(n % 30)", time = Int64(1_700_000_000 + n / 3)
        switch n % 6 {
        case 0: return .review(Review(eventID: "r-\(n % 300)", user: user, item: item, rating: n % 12 == 0 ? nil : Double(n % 5) + 0.5,
                                      text: "tent \(n % 7)\tfür\nsummer \\ 帐篷 \(n % 9)", timestamp: time))
        case 1: return .query(SearchQuery(user: user, text: "fly rod \(n % 11)", timestamp: time))
        case 2: return .interaction(Interaction(eventID: n % 4 == 0 ? nil : "x-\(n % 450)", user: user, item: item, action: .rate, rating: 3.5, timestamp: time))
        default: return .interaction(Interaction(user: user, item: item, action: n % 2 == 0 ? .view : .purchase,
                                                 timestamp: 1_700_000_000 + Int64(n % 120)))
        }
    }

    func rows(_ store: PostgresStore) throws -> [String] {
        try store.pool.withSession("reading back") { s in
            try [
                """
                SELECT string_agg(concat_ws('|', r.id, u.external_id, encode(r.key, 'hex'), coalesce(r.event_id, '∅'), i.external_id,
                                            coalesce(r.rating::text, '∅'), r.text, r.ts), E'\\n' ORDER BY r.id)
                FROM review r JOIN "user" u ON u.id = r.user_id JOIN item i ON i.id = r.item_id
                """,
                """
                SELECT string_agg(concat_ws('|', q.id, u.external_id, encode(q.key, 'hex'), coalesce(q.event_id, '∅'), q.text, q.ts), E'\\n' ORDER BY q.id)
                FROM query q JOIN "user" u ON u.id = q.user_id
                """,
                """
                SELECT string_agg(concat_ws('|', x.id, u.external_id, encode(x.key, 'hex'), coalesce(x.event_id, '∅'), i.external_id, x.action,
                                            coalesce(x.rating::text, '∅'), x.ts), E'\\n' ORDER BY x.id)
                FROM interaction x JOIN "user" u ON u.id = x.user_id JOIN item i ON i.id = x.item_id
                """,
                #"SELECT string_agg(id || '|' || external_id, E'\n' ORDER BY id) FROM "user""#,
                "SELECT string_agg(id || '|' || external_id, E'\\n' ORDER BY id) FROM item",
                "SELECT string_agg(concat_ws('|', item_id, day, positives), E'\\n' ORDER BY item_id, day) FROM (SELECT item_id, day, sum(positives) AS positives FROM item_day_change GROUP BY 1, 2) d",
            ].map { try s.value($0, as: String.self) ?? "" }
        }
    }

    @Test func largeAndSmallRunsLeaveTheSameRows() throws {
        #expect(Self.events.count > EventStage.arrayLimit)
        let large = try #require(try Backend.postgres.makeStore() as? PostgresStore)
        defer { dispose(large) }
        let small = try #require(try Backend.postgres.makeStore() as? PostgresStore)
        defer { dispose(small) }

        var cache = IdentityCache()
        let once = try large.write(Self.events, cache: &cache)
        var inBatches = WriteOutcome()
        for start in stride(from: 0, to: Self.events.count, by: 50) {
            let o = try small.write(Array(Self.events[start..<min(start + 50, Self.events.count)]), cache: &cache)
            inBatches.inserted += o.inserted
            inBatches.duplicates += o.duplicates
            inBatches.newUsers += o.newUsers
            inBatches.newItems += o.newItems
        }
        #expect(once == inBatches)
        #expect(once.duplicates > 0)
        #expect(once.newUsers == 40)
        #expect(once.newItems == 25)  // items n ≡ 1 (mod 6) only ever meet queries
        let a = try rows(large), b = try rows(small)
        #expect(a.allSatisfy { !$0.isEmpty })
        for (x, y) in zip(a, b) { #expect(x == y) }
        // The text survived the trip byte for byte.
        #expect(a[0].contains("tent 0\tfür\nsummer \\ 帐篷 0"))
        // A second pass of everything is all duplicates, on both paths.
        let again = try small.write(Self.events, cache: &cache)
        let againSmall = try large.write(Array(Self.events.prefix(50)), cache: &cache)
        #expect(again.inserted == 0 && again.duplicates == Self.events.count)
        #expect(againSmall.inserted == 0 && againSmall.duplicates == 50)
    }
}
