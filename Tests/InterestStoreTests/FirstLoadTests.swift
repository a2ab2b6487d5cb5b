import Foundation
import GRDB
import InterestCore
@testable import InterestStore
import Testing

/// A first load (one transaction, indexes and `item_day` built at its end) writes what batch
/// writes write, duplicates included.
@Suite struct FirstLoadTests {
    /// Events with every case a load meets: item records, reviews rated below 1 (not positive),
    /// times before 1970 (days are floored), content duplicates, and explicit ids sent twice
    /// with other content (the first one wins).
    static func events() -> [Event] {
        var events: [Event] = [
            .item(ItemRecord(item: "P0", title: "Fly rod", text: "A light rod", category: "fishing")),
            .item(ItemRecord(item: "P1", title: "Reel")),
        ]
        for k in 0..<300 {
            let user = "u\(k % 23)", item = "P\(k % 11)"
            let ts = Int64(k % 5 == 0 ? -86_400 * 3 - Int64(k) : 1_700_000_000 + Int64(k) * 3_700)
            switch k % 4 {
            case 0: events.append(.review(Review(user: user, item: item, rating: Double(k % 6) * 0.5 + 0.5, text: "text \(k % 9)", timestamp: ts)))
            case 1: events.append(.query(SearchQuery(user: user, text: "query \(k % 13)", timestamp: ts)))
            case 2: events.append(.interaction(Interaction(eventID: "x\(k % 37)", user: user, item: item, action: .view, timestamp: ts)))
            default: events.append(.interaction(Interaction(user: user, item: item, action: .purchase, rating: k % 7 == 0 ? 0.5 : nil, timestamp: ts)))
            }
        }
        events += events[40..<90]  // sent again later in the load
        return events
    }

    /// The tables' contents without row ids (a first load leaves gaps where duplicates were).
    static func dump(_ path: String) throws -> [String: [String]] {
        let db = try DatabaseQueue(path: path)
        var out: [String: [String]] = [:]
        try db.read { db in
            for (name, sql) in [
                ("user", "SELECT id, external_id FROM user ORDER BY id"),
                ("item", "SELECT id, external_id, title, text, category, revision FROM item ORDER BY id"),
                ("review", "SELECT hex(key), event_id, user_id, item_id, rating, text, ts FROM review ORDER BY id"),
                ("query", "SELECT hex(key), event_id, user_id, text, ts FROM query ORDER BY id"),
                ("interaction", "SELECT hex(key), event_id, user_id, item_id, action, rating, ts FROM interaction ORDER BY id"),
                ("item_day", "SELECT item_id, day, positives FROM item_day ORDER BY item_id, day"),
                ("indexes", "SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"),
            ] {
                out[name] = try Row.fetchAll(db, sql: sql).map { "\($0)" }
            }
        }
        return out
    }

    @Test func aFirstLoadWritesWhatBatchWritesWrite() throws {
        let events = Self.events()
        let batched = temporaryDatabasePath()
        var cache = IdentityCache()
        var expected = WriteOutcome()
        let store = try InterestStore(path: batched)
        for start in stride(from: 0, to: events.count, by: 7) {
            expected += try store.write(Array(events[start..<min(start + 7, events.count)]), cache: &cache)
        }
        let loaded = temporaryDatabasePath()
        let fresh = try InterestStore(path: loaded)
        #expect(try fresh.acceptsFirstLoad())
        var loadCache = IdentityCache()
        var batches = stride(from: 0, to: events.count, by: 13).map { Array(events[$0..<min($0 + 13, events.count)]) }.makeIterator()
        let outcome = try #require(try fresh.writeFirstLoad(cache: &loadCache) { batches.next() })
        #expect(outcome.outcome == expected)
        #expect(outcome.duplicatesRemoved > 50, "the resent events and the repeated explicit ids")
        #expect(expected.duplicates == outcome.duplicatesRemoved)
        let (a, b) = (try Self.dump(batched), try Self.dump(loaded))
        for table in a.keys.sorted() { #expect(a[table] == b[table], "\(table)") }
        #expect(try !(b["item_day"] ?? []).isEmpty)
        #expect(loadCache.count == cache.count)
        #expect(try fresh.integrityCheck() == "ok")
        #expect(try !fresh.acceptsFirstLoad())
    }

    /// Both backends (a contract): a database holding events is ingested into the usual way.
    @Test(arguments: Backend.available)
    func aDatabaseWithEventsTakesNoFirstLoad(_ backend: Backend) throws {
        let store = try backend.makeStore()
        defer { dispose(store) }
        var cache = IdentityCache()
        _ = try store.write([.query(SearchQuery(user: "u1", text: "rod", timestamp: 1_700_000_000))], cache: &cache)
        #expect(try !store.acceptsFirstLoad())
        var asked = false
        let outcome = try store.writeFirstLoad(cache: &cache) { () -> [Event]? in
            asked = true
            return nil
        }
        #expect(outcome == nil && !asked)
    }

    @Test func aFailingLoadLeavesTheDatabaseAsItWas() throws {
        let path = temporaryDatabasePath()
        let store = try InterestStore(path: path)
        let before = try Self.dump(path)
        var cache = IdentityCache()
        #expect(Self.failTheSecondBatch(store, cache: &cache) == 2)
        #expect(try Self.dump(path) == before, "no events, every index in place")
        #expect(cache.count == 0)
        #expect(try store.acceptsFirstLoad())
    }

    /// Runs a first load whose second batch fails (its input's own error, rethrown unchanged);
    /// returns how many batches were asked for.
    static func failTheSecondBatch(_ store: any EventStore, cache: inout IdentityCache) -> Int {
        struct Stop: Error {}
        var calls = 0
        #expect(throws: Stop.self) {
            _ = try store.writeFirstLoad(cache: &cache) { () -> [Event]? in
                calls += 1
                if calls == 2 { throw Stop() }
                return Array(Self.events().prefix(40))
            }
        }
        return calls
    }
}
