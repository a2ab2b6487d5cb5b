import InterestCore
import PostgresNIO

/// A first load into PostgreSQL, as the SQLite file takes one (`InterestStore.writeFirstLoad`):
/// every batch of an ingest into empty event tables in ONE transaction, whose event tables'
/// indexes are dropped at its start and built once at its end by sorting, with `item_day`
/// counted from the loaded events — instead of, per event, a staging row, a speculative insert
/// into every index (the conflict check of `ON CONFLICT`) and a row in the item-day change log
/// that folds later rewrite (`PostgresFirstLoadWriter` copies the events straight into their
/// tables). Measured on the 5.8 M-event generated shop: the change log and its folds
/// were ~40% of the server's busy time in a chunked ingest (`pg_stat_activity` sampled every
/// 0.5 s), beside one backend saturated by the inserts.
extension PostgresStore {
    /// Whether the database can take a first load now: its event tables are empty and it has no
    /// text model (so no event needs a vector or a profile at ingest).
    public func acceptsFirstLoad() throws(StoreError) -> Bool {
        try pool.transaction("checking for a first load", readOnly: true) { s in try Self.acceptsFirstLoad(s) }
    }

    static func acceptsFirstLoad(_ s: PostgresSession) throws -> Bool {
        var kind = PostgresBindings()
        kind.append(ModelKind.textEncoder)
        return try s.value("""
            SELECT NOT (EXISTS (SELECT 1 FROM review) OR EXISTS (SELECT 1 FROM query) OR EXISTS (SELECT 1 FROM interaction))
                AND (SELECT max(version) FROM model WHERE kind = $1 AND \(visibleModel)) IS NULL
            """, kind, as: Bool.self) ?? false
    }

    /// Writes every batch `next` returns, until it returns nil, into empty event tables in ONE
    /// transaction (see the extension's note). Events keep the meaning of `write`: an event
    /// already loaded (same content key, or same explicit id) is a duplicate and the first one
    /// wins — duplicates are found when the identity indexes are built and only then removed,
    /// event by event in load order (row ids follow the load's order). Users and items get their
    /// row ids in order of first appearance, as in batch writes.
    ///
    /// Returns nil, having written nothing and called `next` never, when the database no longer
    /// accepts a first load (another writer got there first). An error thrown by `next` rolls
    /// everything back — the dropped indexes come back with it (PostgreSQL's DDL is
    /// transactional) — and is rethrown unchanged; database failures are thrown as
    /// ``StoreError``. The event tables are held exclusively for the whole load: other writers
    /// AND readers of events wait for its commit (unlike SQLite, whose readers go on) — a first
    /// load is for filling a database before it serves.
    ///
    /// Time: one copied row per event, then a sort per index — O(E log E); server memory: the
    /// sorts' `maintenance_work_mem` (256 MB, spilling to temporary files beyond it).
    public func writeFirstLoad(cache: inout IdentityCache, _ next: () throws -> [Event]?) throws -> FirstLoadOutcome? {
        var thrown: (any Error)?
        do {
            return try pool.transaction("loading events into an empty database", retries: 0) { s -> FirstLoadOutcome? in
                // The write barrier first, as every writer takes it, then the tables: a training
                // run's activation, which takes the barrier exclusively, cannot sit between them.
                try s.execute("SELECT pg_advisory_xact_lock_shared(\(Self.writeBarrier))")
                // Users and items before the event tables, in the order batch writes take
                // them (a writer that created a user finishes before the load starts); their
                // readers go on. The event tables exclusively (dropping their indexes needs it).
                try s.execute("LOCK TABLE \"user\", item IN EXCLUSIVE MODE")
                try s.execute("LOCK TABLE review, query, interaction IN ACCESS EXCLUSIVE MODE")
                guard try Self.acceptsFirstLoad(s) else { return nil }
                try s.execute("SET LOCAL maintenance_work_mem = '256MB'")
                let indexes = try PostgresDeferredIndexes(s, tables: ["review", "query", "interaction"])
                var outcome = WriteOutcome()
                var writer = PostgresFirstLoadWriter()
                while true {
                    let batch: [Event]?
                    do { batch = try next() } catch {
                        thrown = error
                        throw error
                    }
                    guard let batch else { break }
                    try writer.write(s, batch, outcome: &outcome)
                }
                let removed = try indexes.rebuild(s)
                outcome.inserted -= removed
                outcome.duplicates += removed
                return FirstLoadOutcome(outcome: outcome, duplicatesRemoved: removed)
            }
        } catch {
            if let thrown { throw thrown }
            throw error
        }
    }
}

/// The event tables' indexes and identity constraints, dropped for a first load and built
/// again from their own definitions as the server reports them (so the schema is written once,
/// in `PostgresSchema`). Indexes a foreign key depends on stay.
private struct PostgresDeferredIndexes {
    struct Definition {
        let table: String
        let name: String
        /// `CREATE … INDEX …`, or `ALTER TABLE … ADD CONSTRAINT …` for a constraint's index.
        let create: String
        let unique: Bool
    }

    let definitions: [Definition]

    init(_ s: PostgresSession, tables: [String]) throws {
        var found: [Definition] = []
        var names = PostgresBindings()
        names.append(tables)
        for row in try s.rows("""
            SELECT t.relname::text, i.relname::text, x.indisunique, c.conname::text,
                   CASE WHEN c.oid IS NULL THEN pg_get_indexdef(i.oid) ELSE pg_get_constraintdef(c.oid) END
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u')
            WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = x.indexrelid)
            ORDER BY 1, 2
            """, names) {
            let (table, name, unique) = (try row[0].decode(String.self), try row[1].decode(String.self), try row[2].decode(Bool.self))
            let constraint = try row[3].decode(String?.self)
            let definition = try row[4].decode(String.self)
            if let constraint {
                try s.execute("ALTER TABLE \(table) DROP CONSTRAINT \(constraint)")
                found.append(Definition(table: table, name: name, create: "ALTER TABLE \(table) ADD CONSTRAINT \(constraint) \(definition)", unique: unique))
            } else {
                try s.execute("DROP INDEX \(name)")
                found.append(Definition(table: table, name: name, create: definition, unique: unique))
            }
        }
        definitions = found
    }

    /// Builds every index again; a table whose identity indexes meet duplicates has them
    /// removed first. Then counts `item_day` from the events. Returns the number of duplicate
    /// events removed.
    func rebuild(_ s: PostgresSession) throws -> Int {
        var removed = 0
        for table in ["review", "query", "interaction"] {
            let own = definitions.filter { $0.table == table }
            try s.execute("SAVEPOINT interests_identity")
            do {
                for d in own where d.unique { try s.execute(d.create) }
                try s.execute("RELEASE SAVEPOINT interests_identity")
            } catch {
                // A unique index met two events of one identity (or the build failed for
                // another reason, which then fails again below and is thrown).
                try s.execute("ROLLBACK TO SAVEPOINT interests_identity")
                try s.execute("RELEASE SAVEPOINT interests_identity")
                removed += try Self.removeDuplicates(s, table: table)
                for d in own where d.unique { try s.execute(d.create) }
            }
            for d in own where !d.unique { try s.execute(d.create) }
        }
        try Self.countItemDays(s)
        return removed
    }

    /// Counts `item_day` from the loaded events: a positive event (no rating, or rating ≥ 1)
    /// counts towards its item's UTC day, as the batch writes' change rows count it. An empty
    /// `item_day` (the usual case: its events were empty) is filled by plain inserts in key
    /// order with its indexes built after (measured on the 5.8 M-event shop: 1.28 M item-days
    /// inserted in 6.9 s with the day index in place); folds wait meanwhile. The aggregate gets
    /// the memory to hash in one pass (6.2 s → 3.5 s there, against 4 MB spilling to disk).
    private static func countItemDays(_ s: PostgresSession) throws {
        try s.execute("SET LOCAL work_mem = '128MB'")
        try s.execute("LOCK TABLE item_day IN EXCLUSIVE MODE")
        let empty = try s.value("SELECT NOT EXISTS (SELECT 1 FROM item_day)", as: Bool.self) ?? false
        let indexes = empty ? try PostgresDeferredIndexes(s, tables: ["item_day"]) : nil
        try s.execute("""
            INSERT INTO item_day(item_id, day, positives)
            SELECT item_id, day, count(*) FROM (
                SELECT item_id, \(PostgresSchema.day("ts")) AS day FROM review WHERE rating IS NULL OR rating >= 1
                UNION ALL
                SELECT item_id, \(PostgresSchema.day("ts")) AS day FROM interaction WHERE rating IS NULL OR rating >= 1) p
            GROUP BY 1, 2 ORDER BY 1, 2
            \(empty ? "" : "ON CONFLICT (item_id, day) DO UPDATE SET positives = item_day.positives + excluded.positives")
            """)
        for d in indexes?.definitions ?? [] { try s.execute(d.create) }
    }

    /// Deletes the events that `write` would have refused, in load order: an event conflicts
    /// when an earlier kept event has its (user, time, key) or its explicit id. Only events
    /// that share one of these with another event are read.
    private static func removeDuplicates(_ s: PostgresSession, table: String) throws -> Int {
        struct Identity: Hashable {
            let user: Int64
            let ts: Int64
            let key: [UInt8]
        }
        var identities = Set<Identity>()
        var eventIDs = Set<String>()
        var losers: [Int64] = []
        for row in try s.rows("""
            SELECT id, user_id, ts, key, event_id FROM \(table) WHERE (user_id, ts, key) IN (
                SELECT user_id, ts, key FROM \(table) GROUP BY user_id, ts, key HAVING count(*) > 1)
            UNION
            SELECT id, user_id, ts, key, event_id FROM \(table) WHERE event_id IN (
                SELECT event_id FROM \(table) WHERE event_id IS NOT NULL GROUP BY event_id HAVING count(*) > 1)
            ORDER BY id
            """) {
            let id = try row[0].decode(Int64.self)
            let identity = Identity(user: try row[1].decode(Int64.self), ts: try row[2].decode(Int64.self),
                                    key: Array(try row[3].decode(ByteBuffer.self).readableBytesView))
            let eventID = try row[4].decode(String?.self)
            if identities.contains(identity) || eventID.map(eventIDs.contains) == true {
                losers.append(id)
            } else {
                identities.insert(identity)
                if let eventID { eventIDs.insert(eventID) }
            }
        }
        guard !losers.isEmpty else { return 0 }
        var binds = PostgresBindings()
        binds.append(losers)
        return try s.execute("DELETE FROM \(table) WHERE id = ANY($1)", binds)
    }
}
