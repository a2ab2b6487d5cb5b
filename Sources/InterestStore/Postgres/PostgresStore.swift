import Foundation
import InterestCore
import NIOCore
import PostgresNIO
import Synchronization

/// The store on a shared PostgreSQL database (`--db postgres://…`): the same tables, named
/// migrations, constraints, idempotency keys and answers as the SQLite file, for several
/// processes on several machines at once. PostgreSQL does what the SQLite backend does by
/// hand: concurrent writers (row locks; a deadlock between two ingest batches is retried),
/// snapshots for reads (`REPEATABLE READ`), durability and replication.
///
/// Every public method is one transaction on one pooled connection (``PostgresPool``).
public final class PostgresStore: Sendable {
    public let location: PostgresLocation
    let pool: PostgresPool
    /// Events this process wrote since it last folded item-day changes (``noteWritten(_:)``).
    let sinceCompaction = Atomic<Int>(0)
    /// Whether a fold started by ``noteWritten(_:)`` is running.
    let backgroundFold = Atomic<Bool>(false)

    /// Connects to the database `url` names and brings its schema up to date (creating the
    /// URL's `schema` when missing). Several processes may open a fresh database at once: the
    /// migration holds an advisory lock.
    public convenience init(url: String) throws(StoreError) {
        try self.init(location: try PostgresLocation(url: url))
    }

    /// The newest model versions, cached and refreshed by `NOTIFY` (``ModelVersionWatch``).
    let versionWatch: ModelVersionWatch
    /// The connections holding this process's training runs' leases (see
    /// `PostgresStore+Generations.swift`), by generation.
    let runLeases = Mutex<[Int: PostgresConnection]>([:])

    public init(location: PostgresLocation) throws(StoreError) {
        self.location = location
        let pool = try PostgresPool(location)
        self.pool = pool
        // The listener runs on the PostgreSQL executor, where waiting for a connect blocks no caller.
        versionWatch = ModelVersionWatch(schema: location.schema) { try pool.connectOwned("listening for new models") }
        try migrate()
    }

    deinit {
        versionWatch.stop()
        for lease in runLeases.withLock({ $0.values }) { let closing: EventLoopFuture<Void> = lease.close(); _ = try? closing.wait() }
    }

    /// Announces, inside a transaction that changed which models are current, the change to
    /// every process watching this store (delivered at commit).
    static func notifyModelsChanged(_ s: PostgresSession, _ watch: ModelVersionWatch) throws {
        var binds = PostgresBindings()
        binds.append(ModelVersionWatch.channel)
        binds.append(watch.payload)
        try s.execute("SELECT pg_notify($1, $2)", binds)
    }

    /// Key of the advisory lock migrations hold ("IntM").
    static let migrationLock: Int64 = 0x496E_744D

    private func migrate() throws(StoreError) {
        let known = Set(PostgresSchema.migrations.map(\.name))
        try pool.transaction("migrating the schema") { s in
            try s.execute("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
            if let schema = location.schema { try s.execute("CREATE SCHEMA IF NOT EXISTS \(schema)") }
            try s.execute("CREATE TABLE IF NOT EXISTS interests_migrations (identifier text PRIMARY KEY, applied_at bigint NOT NULL)")
            let applied = Set(try s.rows("SELECT identifier FROM interests_migrations").map { try $0[0].decode(String.self) })
            let unknown = applied.subtracting(known).sorted()
            if !unknown.isEmpty { throw StoreError.newerSchema(path: location.description, unknown: unknown) }
            for (name, sql) in PostgresSchema.migrations where !applied.contains(name) {
                for statement in PostgresSchema.statements(sql) { try s.execute(statement) }
                var binds = PostgresBindings()
                binds.append(name)
                binds.append(Int64(Date().timeIntervalSince1970))
                try s.execute("INSERT INTO interests_migrations(identifier, applied_at) VALUES ($1, $2)", binds)
            }
        }
    }

    /// The migrations applied, in order (what the contract tests compare with SQLite's).
    func appliedMigrations() throws(StoreError) -> [String] {
        try pool.transaction("reading migrations", readOnly: true) { s in
            try s.rows("SELECT identifier FROM interests_migrations").map { try $0[0].decode(String.self) }
        }.sorted { a, b in
            let order = PostgresSchema.migrations.map(\.name)
            return (order.firstIndex(of: a) ?? .max) < (order.firstIndex(of: b) ?? .max)
        }
    }

    static let visibleModel = InterestStore.visibleModel
}

extension PostgresStore {
    /// Counts per event type, users, items, time range, the tables' bytes on the server,
    /// models, generations — in one snapshot.
    public func stats() throws(StoreError) -> DatabaseStats {
        try pool.transaction("reading statistics", readOnly: true) { s in
            let byAction = try s.rows(StatsQueries.byAction).map { (Int(try $0[0].decode(Int16.self)), Int(try $0[1].decode(Int64.self))) }
            let range = try s.rows(StatsQueries.timeRange).first
            let models = try s.rows(StatsQueries.models).map { (try $0[0].decode(String.self), Int(try $0[1].decode(Int32.self))) }
            // Bytes of this store's tables with their indexes and TOAST, on the server.
            let bytes = try s.value("""
                SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'
                """, as: Int64.self) ?? 0
            var stats = StatsQueries.assemble(
                counts: try StatsQueries.counts.map { Int(try s.value($0, as: Int64.self) ?? 0) }, byAction: byAction,
                range: (try range?[0].decode(Int64?.self), try range?[1].decode(Int64?.self)), models: models, bytes: bytes)
            stats.generations = try Self.generations(s, reports: false)
            stats.forgottenAwaitingRetrain = Int(try s.value("SELECT count(*) FROM forgotten", as: Int64.self) ?? 0)
            return stats
        }
    }

    /// The newest visible version of each model kind: from the process's cache while it is
    /// listening for changes (``ModelVersionWatch``), else from the server.
    public func latestVersions() throws(StoreError) -> [String: Int] {
        try versionWatch.versions { () throws(StoreError) -> [String: Int] in
            try pool.transaction("reading model versions", readOnly: true) { s in
                Dictionary(try s.rows(StatsQueries.models).map { (try $0[0].decode(String.self), Int(try $0[1].decode(Int32.self))) },
                           uniquingKeysWith: { a, _ in a })
            }
        }
    }

    /// Every generation, newest first.
    public func generations() throws(StoreError) -> [GenerationInfo] {
        try pool.transaction("reading generations", readOnly: true) { s in try Self.generations(s, reports: true) }
    }

    static func generations(_ s: PostgresSession, reports: Bool) throws -> [GenerationInfo] {
        try s.rows("SELECT id, state, started_at, activated_at, parts, \(reports ? "report" : "NULL::text") FROM generation ORDER BY id DESC").map { row in
            GenerationInfo(id: Int(try row[0].decode(Int64.self)), state: try row[1].decode(String.self), startedAt: try row[2].decode(Int64.self),
                           activatedAt: try row[3].decode(Int64?.self), parts: try row[4].decode(String.self).split(separator: ",").map(String.init),
                           report: try row[5].decode(String?.self))
        }
    }

    /// Every item's positive events per UTC day, days ascending: `item_day` plus the changes
    /// not folded into it yet.
    public func itemDays() throws(StoreError) -> [Int64: [(day: Int64, count: Int)]] {
        try pool.transaction("reading item activity", readOnly: true) { s in
            var out: [Int64: [(day: Int64, count: Int)]] = [:]
            for row in try s.rows("""
                SELECT item_id, day, sum(positives)::bigint FROM (
                    SELECT item_id, day, positives FROM item_day UNION ALL SELECT item_id, day, positives FROM item_day_change
                ) AS counts GROUP BY item_id, day HAVING sum(positives) > 0 ORDER BY item_id, day
                """) {
                out[try row[0].decode(Int64.self), default: []].append((try row[1].decode(Int64.self), Int(try row[2].decode(Int64.self))))
            }
            return out
        }
    }

    /// Folds the item-day changes that ingest and forget appended into `item_day`, in one
    /// transaction; returns the item-days written. One compaction at a time (an advisory lock;
    /// a second caller returns 0 at once). Only compaction writes `item_day`, so the totals it
    /// computes are exact; rows appended meanwhile wait for the next one. Time: O(changes +
    /// the item-days they touch).
    /// A fold this process started in the background is waited for first, so what this call
    /// folds includes every change this process committed before it.
    @discardableResult
    public func compactItemDays() throws(StoreError) -> Int {
        while backgroundFold.load(ordering: .acquiring) { Thread.sleep(forTimeInterval: 0.01) }
        return try fold()
    }

    func fold() throws(StoreError) -> Int {
        try pool.transaction("folding item-day changes") { s in
            guard try s.value("SELECT pg_try_advisory_xact_lock(\(Self.compactionLock))", as: Bool.self) == true else { return 0 }
            return Int(try s.value("""
                WITH moved AS (DELETE FROM item_day_change RETURNING item_id, day, positives),
                sums AS MATERIALIZED (SELECT item_id, day, sum(positives)::bigint AS n FROM moved GROUP BY item_id, day),
                changed AS (UPDATE item_day d SET positives = d.positives + s.n FROM sums s
                            WHERE d.item_id = s.item_id AND d.day = s.day AND d.positives + s.n > 0 RETURNING 1),
                gone AS (DELETE FROM item_day d USING sums s WHERE d.item_id = s.item_id AND d.day = s.day AND d.positives + s.n <= 0 RETURNING 1),
                added AS (INSERT INTO item_day(item_id, day, positives)
                          SELECT s.item_id, s.day, s.n FROM sums s
                          WHERE s.n > 0 AND NOT EXISTS (SELECT 1 FROM item_day d WHERE d.item_id = s.item_id AND d.day = s.day) ORDER BY 1, 2
                          RETURNING 1)
                SELECT (SELECT count(*) FROM changed) + (SELECT count(*) FROM gone) + (SELECT count(*) FROM added)
                """, as: Int64.self) ?? 0)
        }
    }

    /// Key of the advisory lock compactions hold ("IntD").
    static let compactionLock: Int64 = 0x496E_7444

    /// Forgotten users an active or kept generation may still have learnt from.
    public func forgottenAwaitingRetrain() throws(StoreError) -> Int {
        try pool.transaction("counting forgotten users", readOnly: true) { s in Int(try s.value("SELECT count(*) FROM forgotten", as: Int64.self) ?? 0) }
    }
}

extension PostgresStore {
    /// A user's events, oldest first (ties: reviews, queries, interactions, then insertion
    /// order), or nil when the user is unknown.
    public func history(ofUser external: String) throws(StoreError) -> [Event]? {
        try pool.transaction("reading the history of user '\(external)'", readOnly: true) { s -> [Event]? in
            guard let uid = try Self.userID(s, external) else { return nil }
            var binds = PostgresBindings()
            binds.append(uid)
            var events: [(ts: Int64, order: Int, seq: Int64, event: Event)] = []
            for row in try s.rows("""
                SELECT r.id, r.event_id, i.external_id, r.rating, r.text, r.ts FROM review r JOIN item i ON i.id = r.item_id WHERE r.user_id = $1
                """, binds) {
                let ts = try row[5].decode(Int64.self)
                events.append((ts, 0, try row[0].decode(Int64.self), .review(Review(
                    eventID: try row[1].decode(String?.self), user: external, item: try row[2].decode(String.self),
                    rating: try row[3].decode(Double?.self), text: try row[4].decode(String.self), timestamp: ts))))
            }
            for row in try s.rows("SELECT id, event_id, text, ts FROM query WHERE user_id = $1", binds) {
                let ts = try row[3].decode(Int64.self)
                events.append((ts, 1, try row[0].decode(Int64.self), .query(SearchQuery(
                    eventID: try row[1].decode(String?.self), user: external, text: try row[2].decode(String.self), timestamp: ts))))
            }
            for row in try s.rows("""
                SELECT x.id, x.event_id, i.external_id, x.action, x.rating, x.ts FROM interaction x JOIN item i ON i.id = x.item_id WHERE x.user_id = $1
                """, binds) {
                let id = try row[0].decode(Int64.self)
                let code = Int(try row[3].decode(Int16.self))
                guard let action = Action(code: code) else {
                    throw StoreError.corrupt(what: "interaction \(id)", reason: "unknown action code \(code)")
                }
                let ts = try row[5].decode(Int64.self)
                events.append((ts, 2, id, .interaction(Interaction(
                    eventID: try row[1].decode(String?.self), user: external, item: try row[2].decode(String.self), action: action,
                    rating: try row[4].decode(Double?.self), timestamp: ts))))
            }
            events.sort { ($0.ts, $0.order, $0.seq) < ($1.ts, $1.order, $1.seq) }
            return events.map(\.event)
        }
    }

    /// An item's stored record, or nil when the item is unknown.
    public func itemRecord(_ external: String) throws(StoreError) -> ItemRecord? {
        try pool.transaction("reading item '\(external)'", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(external)
            return try s.rows("SELECT title, text, category FROM item WHERE external_id = $1", binds).first.map {
                ItemRecord(item: external, title: try $0[0].decode(String?.self), text: try $0[1].decode(String?.self), category: try $0[2].decode(String?.self))
            }
        }
    }

    /// Whether a user row exists.
    public func userExists(_ external: String) throws(StoreError) -> Bool {
        try pool.transaction("looking up user '\(external)'", readOnly: true) { s in try Self.userID(s, external) != nil }
    }

    static func userID(_ s: PostgresSession, _ external: String) throws -> Int64? {
        var binds = PostgresBindings()
        binds.append(external)
        return try s.value("SELECT id FROM \"user\" WHERE external_id = $1", binds, as: Int64.self)
    }
}
