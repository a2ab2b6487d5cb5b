import Foundation
import GRDB
import InterestCore
@testable import InterestStore
import Testing

/// An event's identity: its content key within (user, time), or its explicit id (migration v12).
@Suite struct EventIdentityTests {
    @Test func explicitIDsAreUniqueWhateverTheContent() throws {
        let store = try InterestStore(path: temporaryDatabasePath())
        var cache = IdentityCache()
        let first: [Event] = [
            .interaction(Interaction(eventID: "e1", user: "u1", item: "P1", action: .view, timestamp: 1_700_000_000)),
            .review(Review(eventID: "e1", user: "u1", item: "P1", rating: 5, text: "good", timestamp: 1_700_000_000)),
        ]
        #expect(try store.write(first, cache: &cache).inserted == 2)
        // Same ids, other users, items and times: the same events (ids are per event type).
        let resent: [Event] = [
            .interaction(Interaction(eventID: "e1", user: "u2", item: "P2", action: .cart, timestamp: 1_700_009_999)),
            .review(Review(eventID: "e1", user: "u2", item: "P2", rating: 1, text: "other", timestamp: 1_700_009_999)),
            .query(SearchQuery(eventID: "e1", user: "u1", text: "lipstick", timestamp: 1_700_000_000)),
        ]
        let again = try store.write(resent, cache: &cache)
        #expect(again.inserted == 1 && again.duplicates == 2)
        // Identical content without an id is a different event from the one with an id.
        let plain = try store.write([.interaction(Interaction(user: "u1", item: "P1", action: .view, timestamp: 1_700_000_000))], cache: &cache)
        #expect(plain.inserted == 1)
        let s = try store.stats()
        #expect((s.reviews, s.queries, s.interactions) == (1, 1, 2))
    }

    @Test func contentDuplicatesInOneBatchAndAcrossBatchesAreWrittenOnce() throws {
        let store = try InterestStore(path: temporaryDatabasePath())
        var cache = IdentityCache()
        let view = Event.interaction(Interaction(user: "u1", item: "P1", action: .view, timestamp: 1_700_000_000))
        let later = Event.interaction(Interaction(user: "u1", item: "P1", action: .view, timestamp: 1_700_000_001))
        let outcome = try store.write([view, view, later, view], cache: &cache)
        #expect(outcome.inserted == 2 && outcome.duplicates == 2)
        var fresh = IdentityCache()
        #expect(try store.write([later, view], cache: &fresh).duplicates == 2)
        #expect(try store.stats().interactions == 2)
    }

    @Test func migrationKeepsEveryEventAndItsIdentity() throws {
        let path = temporaryDatabasePath()
        let events: [Event] = [
            .review(Review(user: "u1", item: "P1", rating: 4, text: "soft", timestamp: 1_700_000_000)),
            .query(SearchQuery(eventID: "q7", user: "u1", text: "brush", timestamp: 1_700_000_050)),
            .interaction(Interaction(user: "u1", item: "P1", action: .purchase, timestamp: 1_700_000_100)),
            .interaction(Interaction(eventID: "x9", user: "u1", item: "P1", action: .view, timestamp: 1_700_000_200)),
        ]
        // A database as it was before v12, its events written the way ingest wrote them then.
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v11-model-visibility-index")
            try queue.write { db in
                try db.execute(sql: "INSERT INTO user(id, external_id) VALUES (1, 'u1'); INSERT INTO item(id, external_id) VALUES (1, 'P1')")
                for case .review(let r) in events {
                    try db.execute(sql: "INSERT INTO review(id, key, event_id, user_id, item_id, rating, text, ts) VALUES (5, ?, NULL, 1, 1, 4, 'soft', ?)",
                                   arguments: [Data(r.key.bytes), r.timestamp])
                }
                for case .query(let q) in events {
                    try db.execute(sql: "INSERT INTO query(id, key, event_id, user_id, text, ts) VALUES (3, ?, 'q7', 1, 'brush', ?)",
                                   arguments: [Data(q.key.bytes), q.timestamp])
                }
                for (id, event) in zip([8, 9], events.suffix(2)) {
                    guard case .interaction(let x) = event else { continue }
                    try db.execute(sql: "INSERT INTO interaction(id, key, event_id, user_id, item_id, action, ts) VALUES (?, ?, ?, 1, 1, ?, ?)",
                                   arguments: [id, Data(x.key.bytes), x.eventID, x.action.code, x.timestamp])
                }
            }
        }
        let store = try InterestStore(path: path)
        #expect(try store.integrityCheck() == "ok")
        #expect(try store.history(ofUser: "u1") == events)
        var cache = IdentityCache()
        let again = try store.write(events, cache: &cache)
        #expect(again.inserted == 0 && again.duplicates == 4)
        let s = try store.stats()
        #expect((s.reviews, s.queries, s.interactions) == (1, 1, 2))
        // Row ids survive (review vectors and watermarks refer to them); the key alone is no longer an index.
        let (ids, indexes): ([Int64], [String]) = try store.read("checking") { db in
            (try Int64.fetchAll(db, sql: "SELECT id FROM review UNION ALL SELECT id FROM query UNION ALL SELECT id FROM interaction"),
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'interaction' ORDER BY name"))
        }
        #expect(ids == [5, 3, 8, 9])
        #expect(indexes == ["interaction_by_event_id", "interaction_by_user"])
    }
}
