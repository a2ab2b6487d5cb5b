import InterestCore
import NIOCore
import PostgresNIO
import Synchronization

/// Writes a first load's batches (`PostgresStore.writeFirstLoad`): with the event tables held
/// exclusively and their identity indexes gone, nothing can conflict, so each run of events is
/// copied straight into its tables — one `COPY` per table, rows carrying their user and item
/// row ids — instead of into a staging table and then `INSERT … SELECT` joined with `user` and
/// `item` (measured on a 63,000-interaction batch: COPY into the stage ~2 µs a row, then
/// 3.6 µs a row for the insert, of which ~1.3 µs joins and sorts). The ids come from this
/// load's own name → id tables, filled by inserting each run's new users and items (in order
/// of first appearance, as batch writes do) and reading the ones stored before.
///
/// Memory: the two tables, ~60–80 bytes per user and item named in the load (~80 MB at a
/// million users), plus one run's rows while they are sent.
struct PostgresFirstLoadWriter {
    private var users: [String: Int64] = [:]
    private var items: [String: Int64] = [:]
    private var lockedRevisions = false

    /// Writes one batch: runs of reviews, queries and interactions by `COPY`, item records
    /// between them as batch writes write them.
    mutating func write(_ s: PostgresSession, _ events: [Event], outcome: inout WriteOutcome) throws {
        var run: [Event] = [], records: [ItemRecord] = []
        for event in events {
            if case .item(let record) = event {
                try writeRun(s, run, &outcome)
                run.removeAll(keepingCapacity: true)
                records.append(record)
            } else {
                try writeRecords(s, records, &outcome)
                records.removeAll(keepingCapacity: true)
                run.append(event)
            }
        }
        try writeRun(s, run, &outcome)
        try writeRecords(s, records, &outcome)
    }

    private mutating func writeRecords(_ s: PostgresSession, _ records: [ItemRecord], _ outcome: inout WriteOutcome) throws {
        guard !records.isEmpty else { return }
        try PostgresStore.writeRecords(s, records, base: 0, vectors: nil, text: nil, &outcome, lockedRevisions: &lockedRevisions)
        // Items these records created are looked up when an event first names them.
    }

    private mutating func writeRun(_ s: PostgresSession, _ run: [Event], _ outcome: inout WriteOutcome) throws {
        guard !run.isEmpty else { return }
        var newUsers: [String] = [], newItems: [String] = []
        var seenUsers = Set<String>(), seenItems = Set<String>()
        for event in run {
            let user: String, item: String?
            switch event {
            case .review(let r): (user, item) = (r.user, r.item)
            case .query(let q): (user, item) = (q.user, nil)
            case .interaction(let x): (user, item) = (x.user, x.item)
            case .item: continue
            }
            if users[user] == nil, seenUsers.insert(user).inserted { newUsers.append(user) }
            if let item, items[item] == nil, seenItems.insert(item).inserted { newItems.append(item) }
        }
        outcome.newUsers += try Self.resolve(s, table: "\"user\"", newUsers, into: &users)
        outcome.newItems += try Self.resolve(s, table: "item", newItems, into: &items)
        var reviews: [(Review, Int64, Int64)] = [], queries: [(SearchQuery, Int64)] = [], interactions: [(Interaction, Int64, Int64)] = []
        for event in run {
            // Every name was resolved above (a failed insert would have thrown).
            switch event {
            case .review(let r):
                guard let u = users[r.user], let i = items[r.item] else { continue }
                reviews.append((r, u, i))
            case .query(let q):
                guard let u = users[q.user] else { continue }
                queries.append((q, u))
            case .interaction(let x):
                guard let u = users[x.user], let i = items[x.item] else { continue }
                interactions.append((x, u, i))
            case .item:
                continue
            }
        }
        try Self.copy(s, into: "review", columns: ["key", "event_id", "user_id", "item_id", "rating", "text", "ts"], reviews) { t, row in
            let (r, u, i) = row
            t.bytea(r.key.bytes); t.text(r.eventID); t.int(u); t.int(i); t.optionalDouble(r.rating); t.text(r.text); t.int(r.timestamp)
        }
        try Self.copy(s, into: "query", columns: ["key", "event_id", "user_id", "text", "ts"], queries) { t, row in
            let (q, u) = row
            t.bytea(q.key.bytes); t.text(q.eventID); t.int(u); t.text(q.text); t.int(q.timestamp)
        }
        try Self.copy(s, into: "interaction", columns: ["key", "event_id", "user_id", "item_id", "action", "rating", "ts"], interactions) { t, row in
            let (x, u, i) = row
            t.bytea(x.key.bytes); t.text(x.eventID); t.int(u); t.int(i); t.int(Int64(x.action.code)); t.optionalDouble(x.rating)
            t.int(x.timestamp)
        }
        outcome.inserted += reviews.count + queries.count + interactions.count
    }

    /// Inserts the names not stored yet (row ids in the order given) and reads the ids of all
    /// of them into `ids`; returns how many were inserted. The load holds `user` and `item`
    /// exclusively, so nothing else inserts the same names meanwhile.
    private static func resolve(_ s: PostgresSession, table: String, _ names: [String], into ids: inout [String: Int64]) throws -> Int {
        guard !names.isEmpty else { return 0 }
        var binds = PostgresBindings()
        binds.append(names)
        var inserted = 0
        for row in try s.rows("""
            WITH n AS (SELECT name, ord FROM unnest($1::text[]) WITH ORDINALITY AS n(name, ord)),
            ins AS (INSERT INTO \(table)(external_id)
                    SELECT n.name FROM n WHERE NOT EXISTS (SELECT 1 FROM \(table) t WHERE t.external_id = n.name) ORDER BY n.ord
                    RETURNING id, external_id)
            SELECT id, external_id, true FROM ins
            UNION ALL SELECT t.id, t.external_id, false FROM \(table) t JOIN n ON t.external_id = n.name
            """, binds) {
            ids[try row[1].decode(String.self)] = try row[0].decode(Int64.self)
            if try row[2].decode(Bool.self) { inserted += 1 }
        }
        return inserted
    }

    /// Streams `rows` into `table` by `COPY`, formatting them piece by piece while the server
    /// reads the pieces before.
    private static func copy<Row: Sendable>(_ s: PostgresSession, into table: String, columns: [String], _ rows: [Row],
                                            _ format: @escaping @Sendable (inout CopyText, Row) -> Void) throws {
        guard !rows.isEmpty else { return }
        let next = Mutex(0)
        try s.copy(into: table, columns: columns) {
            next.withLock { start -> ByteBuffer? in
                guard start < rows.count else { return nil }
                let end = min(start + EventStage.rowsPerPiece, rows.count)
                var piece = CopyText(capacity: (end - start) * 96)
                for row in rows[start..<end] {
                    format(&piece, row)
                    piece.endRow()
                }
                start = end
                return piece.buffer
            }
        }
    }
}
