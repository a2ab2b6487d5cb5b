import Foundation
import GRDB
import InterestCore
@testable import InterestStore
import Testing

/// The backends the contract suite runs on: SQLite always; PostgreSQL when
/// `INTERESTS_TEST_POSTGRES` names a server (`.ci/run` starts a throw-away one and sets it),
/// and always in CI (`CI` set), where a missing server then fails the suite.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    static let postgresURL = ProcessInfo.processInfo.environment["INTERESTS_TEST_POSTGRES"]
        ?? (ProcessInfo.processInfo.environment["CI"] != nil ? "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" : nil)
    static let available: [Backend] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]

    var testDescription: String { rawValue }

    /// A fresh, empty store: a new file, or a new schema of its own on the server.
    func makeStore() throws -> any EventStore {
        switch self {
        case .sqlite:
            return try InterestStore(path: temporaryDatabasePath())
        case .postgres:
            let url = try #require(Self.postgresURL)
            let schema = "t_" + UUID().uuidString.prefix(13).lowercased().replacingOccurrences(of: "-", with: "")
            return try PostgresStore(url: url + (url.contains("?") ? "&" : "?") + "schema=\(schema)")
        }
    }
}

/// Drops a test's PostgreSQL schema (nothing for SQLite, whose files live in the temp folder).
func dispose(_ store: any EventStore) {
    guard let pg = store as? PostgresStore, let schema = pg.location.schema else { return }
    _ = try? pg.pool.withSession("dropping a test schema") { s in try s.execute("DROP SCHEMA \(schema) CASCADE") }
}

@Suite struct StoreContractTests {
    static let events: [Event] = [
        .item(ItemRecord(item: "P1", title: "Matte lipstick", text: "Long lasting 口红", category: "beauty")),
        .review(Review(user: "u1", item: "P1", rating: 5, text: "口红很好看 💄 tab\there\nnew line \\ backslash \r end", timestamp: 1_700_000_000)),
        .query(SearchQuery(eventID: "q-1", user: "u1", text: "fly rod", timestamp: 1_700_000_100)),
        .interaction(Interaction(user: "u1", item: "P2", action: .purchase, timestamp: 1_700_000_200)),
        .interaction(Interaction(user: "u2", item: "P1", action: .rate, rating: 3.5, timestamp: 1_700_000_300)),
        .interaction(Interaction(user: "u2", item: "P1", action: .rate, rating: 0.5, timestamp: 1_700_000_400)),
        .review(Review(user: "u3", item: "P3", rating: nil, text: "before 1970", timestamp: -86_401)),
    ]

    @Test(arguments: Backend.available)
    func evaluationReportsKeepTheNewest(_ backend: Backend) throws {
        let store = try backend.makeStore()
        defer { dispose(store) }
        #expect(try store.latestEvaluation() == nil)
        for k in 1...(evaluationsKept + 2) { try store.saveEvaluation("{\"run\":\(k),\"text\":\"口红 \\\"quoted\\\"\"}", at: 1_700_000_000 + Int64(k)) }
        let last = try #require(try store.latestEvaluation())
        #expect(last.time == 1_700_000_000 + Int64(evaluationsKept + 2))
        #expect(last.report == "{\"run\":\(evaluationsKept + 2),\"text\":\"口红 \\\"quoted\\\"\"}")
        let kept: Int
        if let pg = store as? PostgresStore {
            kept = try pg.pool.withSession("counting") { s in Int(try s.value("SELECT count(*) FROM evaluation", as: Int64.self) ?? 0) }
        } else {
            kept = try #require(store as? InterestStore).read("counting") { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM evaluation") ?? 0 }
        }
        #expect(kept == evaluationsKept)
    }

    @Test(arguments: Backend.available)
    func roundTripKeepsEveryField(_ backend: Backend) throws {
        let store = try backend.makeStore()
        defer { dispose(store) }
        var cache = IdentityCache()
        let outcome = try store.write(Self.events, cache: &cache)
        #expect(outcome == WriteOutcome(inserted: 7, duplicates: 0, itemsUpdated: 0, newUsers: 3, newItems: 3))
        #expect(try store.history(ofUser: "u1") == Array(Self.events[1...3]))
        #expect(try store.history(ofUser: "u2") == Array(Self.events[4...5]))
        #expect(try store.history(ofUser: "u3") == [Self.events[6]])
        #expect(try store.history(ofUser: "nobody") == nil)
        #expect(try store.itemRecord("P1") == ItemRecord(item: "P1", title: "Matte lipstick", text: "Long lasting 口红", category: "beauty"))
        #expect(try store.itemRecord("P2") == ItemRecord(item: "P2"))
        #expect(try store.itemRecord("P9") == nil)
        #expect(try store.userExists("u2") && !(try store.userExists("u9")))
        let s = try store.stats()
        #expect((s.users, s.items, s.describedItems, s.reviews, s.queries, s.interactions) == (3, 3, 1, 2, 1, 3))
        #expect(s.interactionsByAction == ["purchase": 1, "rate": 2])
        #expect(s.firstTimestamp == -86_401 && s.lastTimestamp == 1_700_000_400)
        #expect(s.fileBytes > 0 && s.models.isEmpty && s.generations.isEmpty && s.forgottenAwaitingRetrain == 0)
        #expect(try store.latestVersions().isEmpty)
        // Positives per item-day (rating 0.5 is not one); day of -86,401 s is -2 (floor).
        let days = try store.itemDays().sorted { $0.key < $1.key }.map { $0.value.map { [$0.day, Int64($0.count)] } }
        #expect(days == [[[19675, 2]], [[19675, 1]], [[-2, 1]]])
    }

    @Test(arguments: Backend.available)
    func duplicatesAreCountedNotWritten(_ backend: Backend) throws {
        let store = try backend.makeStore()
        defer { dispose(store) }
        var cache = IdentityCache()
        _ = try store.write(Self.events, cache: &cache)
        var fresh = IdentityCache()
        let again = try store.write(Self.events, cache: &fresh)
        // The item record is identical to what is stored: a duplicate too.
        #expect(again == WriteOutcome(inserted: 0, duplicates: 7, itemsUpdated: 0, newUsers: 0, newItems: 0))
        // The same explicit id with other content, and a repeat inside one batch.
        let batch: [Event] = [
            .query(SearchQuery(eventID: "q-1", user: "u7", text: "other text", timestamp: 5)),
            .interaction(Interaction(user: "u7", item: "P7", action: .view, timestamp: 9)),
            .interaction(Interaction(user: "u7", item: "P7", action: .view, timestamp: 9)),
        ]
        let third = try store.write(batch, cache: &cache)
        #expect(third == WriteOutcome(inserted: 1, duplicates: 2, itemsUpdated: 0, newUsers: 1, newItems: 1))
        #expect(try store.history(ofUser: "u7") == [batch[1]])
        #expect(try store.stats().interactions == 4)
    }

    @Test(arguments: Backend.available)
    func itemRecordsApplyInInputOrder(_ backend: Backend) throws {
        let store = try backend.makeStore()
        defer { dispose(store) }
        var cache = IdentityCache()
        let outcome = try store.write([
            .interaction(Interaction(user: "u1", item: "A", action: .view, timestamp: 1)),
            .item(ItemRecord(item: "A", title: "First")),
            .item(ItemRecord(item: "A", category: "tools")),
            .item(ItemRecord(item: "A", title: "First")),
            .item(ItemRecord(item: "B", text: "new")),
            .interaction(Interaction(user: "u1", item: "B", action: .cart, timestamp: 2)),
        ], cache: &cache)
        // A is created by the event, then updated twice, then the same again; B is a new record.
        #expect(outcome == WriteOutcome(inserted: 3, duplicates: 1, itemsUpdated: 2, newUsers: 1, newItems: 2))
        #expect(try store.itemRecord("A") == ItemRecord(item: "A", title: "First", category: "tools"))
        #expect(try store.itemRecord("B") == ItemRecord(item: "B", text: "new"))
    }

    @Test(arguments: Backend.available)
    func aBatchThatBreaksAConstraintLeavesNothing(_ backend: Backend) throws {
        let store = try backend.makeStore()
        defer { dispose(store) }
        var cache = IdentityCache()
        let long = String(repeating: "x", count: 300)
        #expect(throws: StoreError.self) {
            try store.write([
                .interaction(Interaction(user: "ok", item: "I", action: .view, timestamp: 1)),
                .interaction(Interaction(user: long, item: "I", action: .view, timestamp: 2)),
            ], cache: &cache)
        }
        let s = try store.stats()
        #expect((s.users, s.items, s.interactions) == (0, 0, 0))
        #expect(try store.history(ofUser: "ok") == nil)
        // The store works after the failure.
        #expect(try store.write([Self.events[3]], cache: &cache).inserted == 1)
    }

    @Test(arguments: Backend.available)
    func forgetRemovesEveryRowAndItsCounts(_ backend: Backend) throws {
        let store = try backend.makeStore()
        defer { dispose(store) }
        var cache = IdentityCache()
        _ = try store.write(Self.events, cache: &cache)
        let outcome = try #require(try store.forget(user: "u1"))
        #expect((outcome.reviews, outcome.queries, outcome.interactions, outcome.profile, outcome.factors) == (1, 1, 1, false, false))
        #expect(try store.forget(user: "u1") == nil)
        #expect(try store.history(ofUser: "u1") == nil && !(try store.userExists("u1")))
        let s = try store.stats()
        #expect((s.users, s.reviews, s.queries, s.interactions, s.forgottenAwaitingRetrain) == (2, 1, 0, 2, 1))
        let days = try store.itemDays().sorted { $0.key < $1.key }.map { $0.value.map { [$0.day, Int64($0.count)] } }
        #expect(days == [[[19675, 1]], [[-2, 1]]])
        // The user may come back as a new user (a new ingest run: SQLite's id cache is per run).
        var fresh = IdentityCache()
        #expect(try store.write([Self.events[3]], cache: &fresh).newUsers == 1)
    }

    @Test(arguments: Backend.available)
    func foldingItemDayChangesKeepsEveryCount(_ backend: Backend) throws {
        let store = try backend.makeStore()
        defer { dispose(store) }
        func days() throws -> [[[Int64]]] {
            try store.itemDays().sorted { $0.key < $1.key }.map { $0.value.map { [$0.day, Int64($0.count)] } }
        }
        var cache = IdentityCache()
        _ = try store.write(Self.events, cache: &cache)
        _ = try store.forget(user: "u2")
        let before = try days()
        #expect(before == [[[19675, 1]], [[19675, 1]], [[-2, 1]]])
        let folded = try store.compactItemDays()
        // SQLite keeps item_day exact at every write; PostgreSQL folds P1, P2 and P3's days.
        #expect(folded == (backend == .sqlite ? 0 : 3))
        #expect(try days() == before)
        // A forget after the fold takes its counts off folded rows; the next fold deletes them.
        _ = try store.forget(user: "u1")
        #expect(try days() == [[[-2, 1]]])
        _ = try store.compactItemDays()
        #expect(try days() == [[[-2, 1]]])
        if let pg = store as? PostgresStore {
            let left = try pg.pool.withSession("counting") { s in
                (try s.value("SELECT count(*) FROM item_day_change", as: Int64.self), try s.value("SELECT count(*) FROM item_day", as: Int64.self))
            }
            #expect(left.0 == 0 && left.1 == 1)
        }
    }

    @Test(arguments: Backend.available)
    func concurrentWritersOfTheSameUsersLoseNothing(_ backend: Backend) async throws {
        let store = try backend.makeStore()
        defer { dispose(store) }
        // Four writers, each 50 batches over the same 40 users and items in different orders.
        try await withThrowingTaskGroup(of: WriteOutcome.self) { group in
            for w in 0..<4 {
                group.addTask {
                    var cache = IdentityCache()
                    var total = WriteOutcome()
                    for b in 0..<50 {
                        let batch: [Event] = (0..<40).map { k in
                            let u = (k * (w + 1) + b) % 40
                            return .interaction(Interaction(user: "u\(u)", item: "i\((u + b) % 40)", action: .view, timestamp: Int64(w * 1000 + b)))
                        }
                        total += try store.write(batch, cache: &cache)
                    }
                    return total
                }
            }
            var total = WriteOutcome()
            for try await o in group { total += o }
            #expect(total.newUsers == 40 && total.newItems == 40)
            #expect(total.inserted + total.duplicates == 4 * 50 * 40)
            #expect(try store.stats().interactions == total.inserted)
        }
    }

    @Test(arguments: Backend.available)
    func forgetsDuringIngestLeaveNoOrphans(_ backend: Backend) async throws {
        let store = try backend.makeStore()
        defer { dispose(store) }
        // Two writers keep sending events of "x" (and their own users) while "x" is forgotten
        // again and again: whatever interleaving, no event may outlive its user row.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<2 {
                group.addTask {
                    for b in 0..<25 {
                        var cache = IdentityCache()
                        _ = try store.write((0..<20).map { k in
                            .interaction(Interaction(user: k % 2 == 0 ? "x" : "w\(w)", item: "i\(k)", action: .view, timestamp: Int64(1_700_000_000 + w * 10_000 + b * 100 + k)))
                        }, cache: &cache)
                    }
                }
            }
            group.addTask {
                for _ in 0..<25 { _ = try store.forget(user: "x") }
            }
            try await group.waitForAll()
        }
        _ = try store.forget(user: "x")
        #expect(try store.history(ofUser: "x") == nil)
        #expect(try store.history(ofUser: "w0")?.count == 250 && store.history(ofUser: "w1")?.count == 250)
        if let pg = store as? PostgresStore {
            let orphans = try pg.pool.withSession("counting orphans") { s in
                try s.value("SELECT count(*) FROM interaction x WHERE NOT EXISTS (SELECT 1 FROM \"user\" u WHERE u.id = x.user_id)", as: Int64.self)
            }
            #expect(orphans == 0)
        }
    }

    @Test func bothBackendsHaveTheSameMigrations() throws {
        #expect(PostgresSchema.migrations.map(\.name) == Schema.migrator.migrations)
    }

    @Test(.enabled(if: Backend.postgresURL != nil, "set INTERESTS_TEST_POSTGRES=postgres://user@host:port/db to run the contract suite on PostgreSQL too (.ci/run does)"))
    func postgresRecordsEveryMigrationOnce() throws {
        let store = try #require(try Backend.postgres.makeStore() as? PostgresStore)
        defer { dispose(store) }
        #expect(try store.appliedMigrations() == Schema.migrator.migrations)
        // A second open finds the schema current.
        let again = try PostgresStore(location: store.location)
        #expect(try again.appliedMigrations() == Schema.migrator.migrations)
    }
}
