import GRDB
import InterestCore

/// What a first load did, beyond the outcome of its events.
public struct FirstLoadOutcome: Sendable, Equatable {
    public var outcome: WriteOutcome
    /// Events that arrived twice within the load and were removed before the identity indexes
    /// were built (counted in `outcome.duplicates`).
    public var duplicatesRemoved: Int
}

extension InterestStore {
    /// Whether the database can take a first load now: its event tables are empty and it has no
    /// text model (so no event needs a vector or a profile at ingest).
    public func acceptsFirstLoad() throws(StoreError) -> Bool {
        try read("checking for a first load") { db in try Self.acceptsFirstLoad(db) }
    }

    static func acceptsFirstLoad(_ db: Database) throws -> Bool {
        let events = try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM review) OR EXISTS (SELECT 1 FROM query) OR EXISTS (SELECT 1 FROM interaction)
            """) ?? true
        let textModel = try Int.fetchOne(db, sql: "SELECT max(version) FROM model WHERE kind = ? AND \(visibleModel)",
                                         arguments: [ModelKind.textEncoder])
        return !events && textModel == nil
    }

    /// Writes every batch `next` returns, until it returns nil, into an empty database in ONE
    /// transaction, the way a database is best filled: the event tables' secondary indexes
    /// (identity, per user, per item, `item_day` by day) are dropped at its start and built once
    /// at its end by sorting, and `item_day` is counted from the loaded events — instead of one
    /// random B-tree insert per event and index. Events keep the meaning of `write`: an event
    /// already loaded (same content key, or same explicit id) is a duplicate; the first one wins.
    /// Duplicates are found when the identity indexes are built; only then are they resolved,
    /// event by event in load order, as `write` would have.
    ///
    /// Returns nil, having written nothing and called `next` never, when the database no longer
    /// accepts a first load (another writer got there first). An error thrown by `next` rolls
    /// everything back and is rethrown unchanged; database failures are thrown as ``StoreError``.
    /// Other writers wait for the transaction (the busy timeout), readers do not.
    ///
    /// Time: one append per event, then a sort per index — O(E log E) with a small constant;
    /// memory: the identity cache plus SQLite's page cache and sorter (temporary files).
    public func writeFirstLoad(cache: inout IdentityCache, _ next: () throws -> [Event]?) throws -> FirstLoadOutcome? {
        var pending = IdentityCache()
        let known = cache
        let result: FirstLoadOutcome?
        do {
            result = try writer.writeWithoutTransaction { db -> FirstLoadOutcome? in
                // Ids are resolved in this transaction, which no other writer can enter, so each
                // event's user and item exist by construction: the per-row parent checks go.
                try db.execute(sql: "PRAGMA foreign_keys = OFF; PRAGMA temp_store = FILE")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY") }
                var result: FirstLoadOutcome?
                try db.inTransaction(.immediate) {
                    guard try Self.acceptsFirstLoad(db) else { return .rollback }
                    try Self.prepareForBulkWrites(db)
                    let indexes = try DeferredIndexes(db)
                    var outcome = WriteOutcome()
                    var events = try EventWriter(db, countsDays: false)
                    while let batch = try next() {
                        try events.write(batch, known: known, pending: &pending, outcome: &outcome)
                    }
                    let removed = try indexes.rebuild(db)
                    outcome.inserted -= removed
                    outcome.duplicates += removed
                    result = FirstLoadOutcome(outcome: outcome, duplicatesRemoved: removed)
                    return .commit
                }
                return result
            }
        } catch let e as DatabaseError {
            throw StoreError.sqlite(operation: "loading events into an empty database", message: e.message ?? "\(e.resultCode)")
        }
        if result != nil { cache.merge(pending) }
        return result
    }
}

/// The secondary indexes of the event tables and of `item_day`, dropped for a first load and
/// built again from their own stored definitions (so the schema is written once, in `Schema`).
private struct DeferredIndexes {
    let definitions: [(table: String, name: String, sql: String, unique: Bool)]

    init(_ db: Database) throws {
        let tables = EventTable.allCases.map(\.rawValue) + ["item_day"]
        var found: [(String, String, String, Bool)] = []
        for table in tables {
            for row in try Row.fetchAll(db, sql: """
                SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name
                """, arguments: [table]) {
                let name: String = row["name"]
                let sql: String = row["sql"]
                found.append((table, name, sql, sql.uppercased().hasPrefix("CREATE UNIQUE")))
            }
        }
        definitions = found
        for d in definitions { try db.execute(sql: "DROP INDEX \(d.name)") }
    }

    /// Builds every index again; an identity index that meets duplicates has them removed
    /// first. Then counts `item_day` from the events and builds its index. Returns the number
    /// of duplicate events removed.
    func rebuild(_ db: Database) throws -> Int {
        // The sorter keeps up to a page cache's worth in memory per thread before it spills to
        // temporary files: a 128 MB cache bounds it at ~0.4 GB (the load's 512 MB would take
        // 2 GB at a million users) for the same sorts.
        try db.execute(sql: "PRAGMA threads = 2; PRAGMA cache_size = -131072")
        defer { try? db.execute(sql: "PRAGMA threads = 0") }
        var removed = 0
        for table in EventTable.allCases.map(\.rawValue) {
            let own = definitions.filter { $0.table == table }
            do {
                try db.inSavepoint {
                    for d in own where d.unique { try db.execute(sql: d.sql) }
                    return .commit
                }
            } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
                removed += try Self.removeDuplicates(db, table: table)
                for d in own where d.unique { try db.execute(sql: d.sql) }
            }
            for d in own where !d.unique { try db.execute(sql: d.sql) }
        }
        // A positive event (no rating, or rating ≥ 1) counts towards its item's UTC day, as
        // `EventWriter.countDay` counts it; the day is the floor of ts / 86,400.
        try db.execute(sql: """
            INSERT INTO item_day(item_id, day, positives)
            SELECT item_id, day, count(*) FROM (
                SELECT item_id, (ts - ((ts % 86400) + 86400) % 86400) / 86400 AS day FROM review
                WHERE rating IS NULL OR rating >= 1
                UNION ALL
                SELECT item_id, (ts - ((ts % 86400) + 86400) % 86400) / 86400 AS day FROM interaction
                WHERE rating IS NULL OR rating >= 1)
            WHERE true GROUP BY item_id, day
            ON CONFLICT(item_id, day) DO UPDATE SET positives = positives + excluded.positives
            """)
        for d in definitions where d.table == "item_day" { try db.execute(sql: d.sql) }
        return removed
    }

    /// Deletes the events that `write` would have refused, in load order: an event conflicts
    /// when an earlier kept event has its (user, time, key) or its explicit id. Only events
    /// that share one of these with another event are read.
    private static func removeDuplicates(_ db: Database, table: String) throws -> Int {
        struct Identity: Hashable {
            let user: Int64
            let ts: Int64
            let key: [UInt8]
        }
        let rows = try RawStatement(db, """
            SELECT id, user_id, ts, key, event_id FROM \(table) WHERE id IN (
                SELECT id FROM \(table) WHERE (user_id, ts, key) IN (
                    SELECT user_id, ts, key FROM \(table) GROUP BY user_id, ts, key HAVING count(*) > 1)
                UNION
                SELECT id FROM \(table) WHERE event_id IN (
                    SELECT event_id FROM \(table) WHERE event_id IS NOT NULL GROUP BY event_id HAVING count(*) > 1))
            ORDER BY id
            """)
        var identities = Set<Identity>()
        var eventIDs = Set<String>()
        var losers: [Int64] = []
        while try rows.step() {
            let identity = Identity(user: rows.int64(column: 1), ts: rows.int64(column: 2), key: rows.blob(column: 3) ?? [])
            let eventID = rows.text(column: 4)
            if identities.contains(identity) || eventID.map(eventIDs.contains) == true {
                losers.append(rows.int64(column: 0))
            } else {
                identities.insert(identity)
                if let eventID { eventIDs.insert(eventID) }
            }
        }
        let delete = try RawStatement(db, "DELETE FROM \(table) WHERE id = ?")
        for id in losers {
            delete.reset()
            delete.bind(1, id)
            try delete.step()
        }
        return losers.count
    }
}
