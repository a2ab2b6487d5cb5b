import Foundation
import Synchronization
import InterestCore
@testable import InterestStore
import Testing

/// A first load into PostgreSQL (one transaction, events copied straight into their tables,
/// indexes and `item_day` built at its end) writes what batch writes write, duplicates
/// included; it leaves the same indexes and constraints, and nothing when it fails.
@Suite(.enabled(if: Backend.postgresURL != nil, "set INTERESTS_TEST_POSTGRES=postgres://user@host:port/db to run the PostgreSQL tests (.ci/run does)"))
struct PostgresFirstLoadTests {
    /// `FirstLoadTests.events()` (every kind, ratings below 1, times before 1970, content
    /// duplicates, explicit ids resent with other content) with item records between events:
    /// one changing an item events already named, one creating an item that events then use.
    static func events() -> [Event] {
        var events = FirstLoadTests.events()
        events.insert(.item(ItemRecord(item: "P3", title: "Tent", text: "Two-person tent")), at: 120)
        events.insert(.item(ItemRecord(item: "P99", title: "Stove", category: "camping")), at: 150)
        events.insert(.interaction(Interaction(user: "u7", item: "P99", action: .cart, timestamp: 1_700_100_000)), at: 151)
        events.insert(.review(Review(user: "new-user", item: "P99", rating: 4, text: "hot fast", timestamp: 1_700_100_100)), at: 152)
        return events
    }

    /// The tables in load order without event row ids (duplicates and conflicts consume ids
    /// differently on the two paths), `item_day` folded, and the schema's indexes and
    /// constraints with the schema's name taken out.
    func dump(_ store: PostgresStore) throws -> [String: String] {
        let schema = try #require(store.location.schema)
        return try store.pool.withSession("reading back") { s in
            var out: [String: String] = [:]
            for (name, sql) in [
                ("user", #"SELECT string_agg(id || '|' || external_id, E'\n' ORDER BY id) FROM "user""#),
                ("item", "SELECT string_agg(concat_ws('|', id, external_id, title, text, category, revision), E'\\n' ORDER BY id) FROM item"),
                ("review", """
                    SELECT string_agg(concat_ws('|', encode(key, 'hex'), coalesce(event_id, '∅'), user_id, item_id, coalesce(rating::text, '∅'), text, ts),
                                      E'\\n' ORDER BY id) FROM review
                    """),
                ("query", "SELECT string_agg(concat_ws('|', encode(key, 'hex'), coalesce(event_id, '∅'), user_id, text, ts), E'\\n' ORDER BY id) FROM query"),
                ("interaction", """
                    SELECT string_agg(concat_ws('|', encode(key, 'hex'), coalesce(event_id, '∅'), user_id, item_id, action, coalesce(rating::text, '∅'), ts),
                                      E'\\n' ORDER BY id) FROM interaction
                    """),
                ("item_day", """
                    SELECT string_agg(concat_ws('|', item_id, day, n), E'\\n' ORDER BY item_id, day) FROM (
                        SELECT item_id, day, sum(positives) AS n FROM (SELECT * FROM item_day UNION ALL SELECT * FROM item_day_change) d
                        GROUP BY 1, 2 HAVING sum(positives) > 0) f
                    """),
                ("indexes", "SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = current_schema()"),
                ("constraints", """
                    SELECT string_agg(conname || ': ' || pg_get_constraintdef(oid), E'\\n' ORDER BY conname)
                    FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
                    """),
            ] {
                out[name] = (try s.value(sql, as: String.self) ?? "").replacingOccurrences(of: schema + ".", with: "")
            }
            return out
        }
    }

    @Test func aFirstLoadWritesWhatBatchWritesWrite() throws {
        let events = Self.events()
        let batched = try #require(try Backend.postgres.makeStore() as? PostgresStore)
        defer { dispose(batched) }
        var cache = IdentityCache()
        var expected = WriteOutcome()
        for start in stride(from: 0, to: events.count, by: 7) {
            expected += try batched.write(Array(events[start..<min(start + 7, events.count)]), cache: &cache)
        }
        let fresh = try #require(try Backend.postgres.makeStore() as? PostgresStore)
        defer { dispose(fresh) }
        #expect(try fresh.acceptsFirstLoad())
        var batches = stride(from: 0, to: events.count, by: 13).map { Array(events[$0..<min($0 + 13, events.count)]) }.makeIterator()
        var loadCache = IdentityCache()
        let outcome = try #require(try fresh.writeFirstLoad(cache: &loadCache) { batches.next() })
        #expect(outcome.outcome == expected)
        #expect(outcome.duplicatesRemoved > 50, "the resent events and the repeated explicit ids")
        #expect(expected.duplicates == outcome.duplicatesRemoved)
        #expect(expected.newItems == 12 && expected.itemsUpdated == 1)
        let (a, b) = (try dump(batched), try dump(fresh))
        #expect(a.keys.sorted() == b.keys.sorted())
        for table in a.keys.sorted() { #expect(a[table] == b[table], "\(table)") }
        #expect(!(b["item_day"] ?? "").isEmpty)
        #expect((b["indexes"] ?? "").contains("interaction_by_event_id"))
        #expect(try !fresh.acceptsFirstLoad())
        // The loaded database takes batch writes as usual: its identity indexes are back.
        let again = try fresh.write(Array(events.prefix(30)), cache: &cache)
        #expect((again.inserted, again.duplicates, again.itemsUpdated) == (0, 30, 0))
        #expect(try fresh.history(ofUser: "new-user") == [events[152]])
    }

    /// A service write arriving during a first load waits for it (the load holds users, items
    /// and the event tables) and is then written the usual way; neither fails.
    @Test func aWriteDuringAFirstLoadWaitsAndThenLands() throws {
        let store = try #require(try Backend.postgres.makeStore() as? PostgresStore)
        defer { dispose(store) }
        let loading = DispatchSemaphore(value: 0), written = DispatchSemaphore(value: 0)
        let result = Mutex<(outcome: WriteOutcome?, error: String?, afterLoad: Bool)>((nil, nil, false))
        let loadDone = Atomic<Bool>(false)
        Thread.detachNewThread {
            loading.wait()
            var cache = IdentityCache()
            do {
                let o = try store.write([.interaction(Interaction(user: "live", item: "P1", action: .cart, timestamp: 1_700_200_000))], cache: &cache)
                result.withLock { $0 = (o, nil, loadDone.load(ordering: .acquiring)) }
            } catch {
                result.withLock { $0 = (nil, "\(error)", loadDone.load(ordering: .acquiring)) }
            }
            written.signal()
        }
        var calls = 0
        var cache = IdentityCache()
        let loaded = try store.writeFirstLoad(cache: &cache) { () -> [Event]? in
            calls += 1
            switch calls {
            case 1: return Array(Self.events().prefix(100))
            case 2:
                loading.signal()
                Thread.sleep(forTimeInterval: 0.5)  // the writer is waiting meanwhile
                return Array(Self.events()[100..<160])
            default: return nil
            }
        }
        loadDone.store(true, ordering: .releasing)
        #expect(loaded != nil)
        #expect(written.wait(timeout: .now() + 30) == .success)
        let r = result.withLock { $0 }
        #expect(r.error == nil)
        #expect(r.outcome?.inserted == 1 && r.outcome?.newUsers == 1)
        #expect(r.afterLoad, "the write waited for the load's commit")
        #expect(try store.history(ofUser: "live")?.count == 1)
    }

    @Test func aFailingLoadLeavesTheDatabaseAsItWas() throws {
        let store = try #require(try Backend.postgres.makeStore() as? PostgresStore)
        defer { dispose(store) }
        var cache = IdentityCache()
        _ = try store.write([.item(ItemRecord(item: "P1", title: "Reel"))], cache: &cache)
        let before = try dump(store)
        #expect(FirstLoadTests.failTheSecondBatch(store, cache: &cache) == 2)
        #expect(try dump(store) == before, "no events, every index and constraint in place")
        #expect(try store.acceptsFirstLoad())
    }
}
