import Foundation
import InterestCore
import NIOCore
import PostgresNIO

/// Ingest into PostgreSQL: a batch's events are streamed with `COPY` into a staging table of
/// the connection's own (temporary, emptied at commit), then moved into the event tables by
/// `INSERT … SELECT … ON CONFLICT DO NOTHING` — users and items first, then each event table in
/// one statement that also appends its positives per item-day to `item_day_change` — all in the batch's one
/// transaction: all of the batch or none of it, duplicates (same explicit id, or same content)
/// counted as on SQLite. Item records change an item's text, so they are written one by one
/// in input order (between the runs of events around them), under a lock that orders their
/// revisions. New users and items get their row ids in order of first appearance, as on
/// SQLite (so trainers that walk rows in id order see the same order on both). Per batch: O(events) rows sent once; the joins look users and items up by their
/// unique indexes.
extension PostgresStore {
    /// Writes one batch of validated events in one transaction (see the extension's note).
    /// `cache` is the SQLite writer's id cache and is left as it is: PostgreSQL resolves ids
    /// in the set-based statements. Vectors at ingest need a text model of this database,
    /// which only a training run makes; none is written here yet, so a text model found
    /// active makes the write fail as ``StoreError/staleTextModel(encoded:active:)`` does.
    public func write(_ events: [Event], vectors: EventVectors? = nil, cache: inout IdentityCache) throws(StoreError) -> WriteOutcome {
        let outcome = try pool.transaction("writing \(events.count) events") { s in
            var outcome = WriteOutcome()
            var state = TransactionState()
            try Self.writeBatch(s, events, vectors: vectors, outcome: &outcome, state: &state)
            return outcome
        }
        noteWritten(outcome.inserted)
        return outcome
    }

    /// Events written by this process since it last started a fold of the item-day changes:
    /// past ``compactEvery`` a fold starts on a thread of its own, on another pooled
    /// connection, while ingest goes on (at most one at a time per process; best effort: the
    /// write is committed whatever happens, changes left over wait for the next fold). So the
    /// change log stays bounded — about one change row per positive event, at most ~1 M per
    /// writing process plus what one fold takes — and a bulk run's folding overlaps its writes
    /// on the other core instead of all coming at its end (measured on the 5.8 M-event shop: the
    /// one fold at the end took 11–16 s of an 87-s run). Readers add the log to `item_day`, so
    /// a fold changes no answer, only how much a read scans.
    func noteWritten(_ events: Int) {
        guard events > 0 else { return }
        let total = sinceCompaction.add(events, ordering: .relaxed).newValue
        guard total >= Self.compactEvery else { return }
        guard backgroundFold.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        sinceCompaction.store(0, ordering: .relaxed)
        Thread.detachNewThread { [self] in
            _ = try? fold()
            backgroundFold.store(false, ordering: .releasing)
        }
    }

    static let compactEvery = 500_000

    /// Writes every batch `next` returns, until it returns nil, in ONE transaction (strict
    /// ingest: all of an input or nothing). An error thrown by `next` rolls everything back and
    /// is rethrown unchanged; database failures are thrown as ``StoreError``. Not retried on a
    /// deadlock (the batches cannot be read again): the error says to run it again.
    public func writeInOneTransaction(cache: inout IdentityCache, _ next: () throws -> ([Event], EventVectors?)?) throws -> WriteOutcome {
        var thrown: (any Error)?
        do {
            let outcome = try pool.transaction("writing events", retries: 0) { s in
                var outcome = WriteOutcome()
                var state = TransactionState()
                while true {
                    let batch: ([Event], EventVectors?)?
                    do { batch = try next() } catch {
                        thrown = error
                        throw error
                    }
                    guard let (events, vectors) = batch else { return outcome }
                    try Self.writeBatch(s, events, vectors: vectors, outcome: &outcome, state: &state)
                }
            }
            noteWritten(outcome.inserted)
            return outcome
        } catch {
            if let thrown { throw thrown }
            throw error
        }
    }

    /// What the batches of one transaction share.
    struct TransactionState {
        /// The item-revision lock is held.
        var lockedRevisions = false
        /// A run went through the staging table already (the next one empties it first).
        var stagedBefore = false
    }

    private static func writeBatch(_ s: PostgresSession, _ events: [Event], vectors: EventVectors?, outcome: inout WriteOutcome,
                                   state: inout TransactionState) throws {
        // The write barrier, shared: writers go on side by side; a watermark or an activation
        // waits for them (``writeBarrier``). Taken again by each batch of a strict run (it is
        // reentrant). In the same round trip: the active text encoder, which the batch's
        // vectors must come from.
        var kind = PostgresBindings()
        kind.append(ModelKind.textEncoder)
        let active = Int(try s.value("""
            SELECT (SELECT max(version) FROM model WHERE kind = $1 AND \(visibleModel)) FROM pg_advisory_xact_lock_shared(\(writeBarrier))
            """, kind, as: Int32.self) ?? 0)
        let encoded = vectors?.version ?? 0
        if active != encoded { throw StoreError.staleTextModel(encoded: encoded, active: active) }
        // With vectors, the new events' text goes into the active text tables in this transaction.
        var text = vectors.map { v in
            PostgresTextWriter(s, tables: .active, version: v.version,
                               profile: v.profile.flatMap { v.dimension > 0 ? ProfileBuild(rule: $0, version: v.version, dimension: v.dimension) : nil })
        }
        var run: [Event] = [], runStart = 0
        var records: [ItemRecord] = [], recordsStart = 0
        run.reserveCapacity(events.count)
        for (k, event) in events.enumerated() {
            if case .item(let record) = event {
                try writeRun(s, run, base: runStart, vectors: vectors, text: &text, &outcome, &state)
                run.removeAll(keepingCapacity: true)
                if records.isEmpty { recordsStart = k }
                records.append(record)
            } else {
                try writeRecords(s, records, base: recordsStart, vectors: vectors, text: text, &outcome, lockedRevisions: &state.lockedRevisions)
                records.removeAll(keepingCapacity: true)
                if run.isEmpty { runStart = k }
                run.append(event)
            }
        }
        try writeRun(s, run, base: runStart, vectors: vectors, text: &text, &outcome, &state)
        try writeRecords(s, records, base: recordsStart, vectors: vectors, text: text, &outcome, lockedRevisions: &state.lockedRevisions)
        try text?.flush()
    }

    /// Key of the advisory lock item-record writes hold ("IntR"), so `item.revision` grows in
    /// commit order (a training run catches up by revision).
    static let revisionLock: Int64 = 0x496E_7452

    /// Writes a run of reviews, queries and interactions (no item records).
    private static func writeRun(_ s: PostgresSession, _ run: [Event], base: Int, vectors: EventVectors?, text: inout PostgresTextWriter?,
                                 _ outcome: inout WriteOutcome, _ state: inout TransactionState) throws {
        guard !run.isEmpty else { return }
        var staged = [0, 0, 0]
        var stage = EventStage(expected: run.count)
        // With vectors: each kind's event keys → the first position staged with that key (the
        // row an insert keeps), to match the inserted rows with their vectors.
        var positions: [[[UInt8]: Int]] = [[:], [:], [:]]
        for (seq, event) in run.enumerated() {
            if text != nil, let (kind, key) = Self.kindAndKey(event) { positions[kind][key.bytes] = positions[kind][key.bytes] ?? seq }
            switch event {
            case .item:
                continue
            case .review(let r):
                staged[0] += 1
                stage.add(seq, 2, r.key, r.eventID, r.user, r.item, nil, r.rating, r.text, r.timestamp)
            case .query(let q):
                staged[1] += 1
                stage.add(seq, 3, q.key, q.eventID, q.user, nil, nil, nil, q.text, q.timestamp)
            case .interaction(let x):
                staged[2] += 1
                stage.add(seq, 4, x.key, x.eventID, x.user, x.item, x.action.code, x.rating, nil, x.timestamp)
            }
        }
        try stage.send(s, tableUsedBefore: &state.stagedBefore)
        func exec(_ sql: String) throws -> Int {
            let (text, binds) = stage.statement(sql)
            return try s.execute(text, binds)
        }
        func value(_ sql: String) throws -> Int64? {
            let (text, binds) = stage.statement(sql)
            return try s.value(text, binds, as: Int64.self)
        }
        // New users are created, then every user of the batch is locked (`FOR KEY SHARE`: a
        // forget, which takes its user `FOR UPDATE`, waits for this transaction); a user that a
        // forget committed away in between is missing from the locked rows, and the batch is
        // retried (its events then create the user anew, as events after a forget do).
        // Users and items already stored are left out before the insert, so they consume no
        // ids: row ids stay dense and equal to the SQLite file's for the same input.
        outcome.newUsers += try exec("""
            INSERT INTO "user"(external_id)
            SELECT n.user_name FROM (SELECT user_name, min(seq) AS first FROM interests_stage GROUP BY user_name) n
            WHERE NOT EXISTS (SELECT 1 FROM "user" u WHERE u.external_id = n.user_name) ORDER BY n.first
            ON CONFLICT DO NOTHING
            """)
        // With profiles to update, two batches of the same user take turns (`FOR NO KEY UPDATE`:
        // each adds to the profile the other wrote; still no wait for other users' writers).
        let lock = text?.profile == nil ? "FOR KEY SHARE" : "FOR NO KEY UPDATE"
        // Locked users short of the batch's distinct users: some were forgotten meanwhile.
        let missing = try value("""
            WITH held AS (SELECT 1 FROM "user" u WHERE u.external_id IN (SELECT user_name FROM interests_stage) ORDER BY u.id \(lock) OF u)
            SELECT (SELECT count(DISTINCT user_name) FROM interests_stage) - (SELECT count(*) FROM held)
            """) ?? 0
        if missing > 0 {
            throw StoreError.postgres(operation: "writing events", message: "\(missing) users were forgotten while their events were written",
                                      sqlState: "40001")
        }
        outcome.newItems += try exec("""
            INSERT INTO item(external_id)
            SELECT n.item_name FROM (SELECT item_name, min(seq) AS first FROM interests_stage WHERE item_name IS NOT NULL GROUP BY item_name) n
            WHERE NOT EXISTS (SELECT 1 FROM item i WHERE i.external_id = n.item_name) ORDER BY n.first
            ON CONFLICT DO NOTHING
            """)
        let tables: [(kind: Int, insert: String, select: String, items: Bool, returning: String)] = [
            (2, "review(key, event_id, user_id, item_id, rating, text, ts)", "s.key, s.event_id, u.id, i.id, s.rating, s.text, s.ts", true,
             "key, id, user_id, item_id, rating, ts, NULL::smallint AS action"),
            (3, "query(key, event_id, user_id, text, ts)", "s.key, s.event_id, u.id, s.text, s.ts", false,
             "key, id, user_id, NULL::bigint AS item_id, NULL::double precision AS rating, ts, NULL::smallint AS action"),
            (4, "interaction(key, event_id, user_id, item_id, action, rating, ts)", "s.key, s.event_id, u.id, i.id, s.action, s.rating, s.ts", true,
             "key, id, user_id, item_id, rating, ts, action"),
        ]
        var inserted: [(seq: Int, kind: Int, id: Int64, user: Int64, item: Int64?, rating: Double?, time: Int64, action: Int16?)] = []
        for (k, t) in tables.enumerated() where staged[k] > 0 {
            let join = "JOIN \"user\" u ON u.external_id = s.user_name" + (t.items ? " JOIN item i ON i.external_id = s.item_name" : "")
            // Positives (no rating, or rating >= 1) count towards their item's day.
            let days = t.items ? """
                , days AS (
                    INSERT INTO item_day_change(item_id, day, positives)
                    SELECT item_id, \(PostgresSchema.day("ts")) AS day, count(*) FROM ins WHERE rating IS NULL OR rating >= 1
                    GROUP BY 1, 2
                    RETURNING 1)
                """ : ""
            let count: Int
            if text == nil {
                count = Int(try value("""
                    WITH ins AS (
                        INSERT INTO \(t.insert)
                        SELECT \(t.select) FROM interests_stage s \(join) WHERE s.kind = \(t.kind) ORDER BY s.seq
                        ON CONFLICT DO NOTHING
                        RETURNING \(t.items ? "item_id, rating, ts" : "ts"))\(days)
                    SELECT count(*) FROM ins
                    """) ?? 0)
            } else {
                let (sql, binds) = stage.statement("""
                    WITH ins AS (
                        INSERT INTO \(t.insert)
                        SELECT \(t.select) FROM interests_stage s \(join) WHERE s.kind = \(t.kind) ORDER BY s.seq
                        ON CONFLICT DO NOTHING
                        RETURNING \(t.returning))\(days)
                    SELECT key, id, user_id, item_id, rating, ts, action FROM ins
                    """)
                let rows = try s.rows(sql, binds)
                for row in rows {
                    let key = Array(try row[0].decode(ByteBuffer.self).readableBytesView)
                    guard let seq = positions[k][key] else { continue }
                    inserted.append((seq, k, try row[1].decode(Int64.self), try row[2].decode(Int64.self), try row[3].decode(Int64?.self),
                                     try row[4].decode(Double?.self), try row[5].decode(Int64.self), try row[6].decode(Int16?.self)))
                }
                count = rows.count
            }
            outcome.inserted += count
            outcome.duplicates += staged[k] - count
        }
        if var writer = text, let vectors {
            try Self.addText(&writer, inserted.sorted { $0.seq < $1.seq }, base: base, vectors)
            text = writer
        }
    }

    /// An event's table (0 review, 1 query, 2 interaction) and identity key; nil for item records.
    private static func kindAndKey(_ event: Event) -> (Int, EventKey)? {
        switch event {
        case .review(let r): (0, r.key)
        case .query(let q): (1, q.key)
        case .interaction(let x): (2, x.key)
        case .item: nil
        }
    }

    /// The vectors of a run's inserted reviews and queries (by their positions in the batch,
    /// `base` + position in the run), their items' review sums, and every inserted event's
    /// part in its user's profile, in input order — as the SQLite writer adds them.
    private static func addText(_ writer: inout PostgresTextWriter,
                                _ rows: [(seq: Int, kind: Int, id: Int64, user: Int64, item: Int64?, rating: Double?, time: Int64, action: Int16?)],
                                base: Int, _ vectors: EventVectors) throws {
        func vector(_ seq: Int) -> [Float]? { base + seq < vectors.vectors.count ? vectors.vectors[base + seq] : nil }
        func terms(_ seq: Int) -> String? { base + seq < vectors.terms.count ? vectors.terms[base + seq] : nil }
        try writer.addReviews(rows.compactMap { r in
            guard r.kind == 0, let item = r.item else { return nil }
            return (r.id, r.user, item, vector(r.seq), terms(r.seq), r.rating, r.time)
        })
        try writer.addQueries(rows.compactMap { r in r.kind == 1 ? (r.id, r.user, vector(r.seq), terms(r.seq), r.time) : nil })
        try writer.addToProfiles(rows.compactMap { r in
            switch r.kind {
            case 0: (r.user, .review, vector(r.seq), r.item, r.rating, nil, r.time)
            case 1: (r.user, .query, vector(r.seq), nil, nil, nil, r.time)
            default: (r.user, .interaction, nil, r.item, r.rating, r.action.flatMap { Action(code: Int($0)) }, r.time)
            }
        })
    }

    /// Writes a run of item records as the SQLite writer does, record by record: new →
    /// inserted; changed title, text or category → updated (a new revision); the same as stored
    /// → a duplicate. Each item's first record of the run is written by two set-based
    /// statements (insert the new, update the changed); an item's further records in the same
    /// run follow one by one, in order, so each item ends as sequential writes would leave it.
    static func writeRecords(_ s: PostgresSession, _ records: [ItemRecord], base: Int, vectors: EventVectors?, text: PostgresTextWriter?,
                                     _ outcome: inout WriteOutcome, lockedRevisions: inout Bool) throws {
        guard !records.isEmpty else { return }
        if !lockedRevisions {
            try s.execute("SELECT pg_advisory_xact_lock(\(revisionLock))")
            lockedRevisions = true
        }
        var seen: [String: Int] = [:]
        var firsts = CopyText(capacity: records.count * 64)
        var repeats: [(seq: Int, record: ItemRecord)] = []
        for (seq, r) in records.enumerated() {
            guard seen[r.item] == nil else {
                repeats.append((seq, r))
                continue
            }
            seen[r.item] = seq
            firsts.record(seq, r)
        }
        try s.execute(itemStageDDL)
        try s.execute("TRUNCATE interests_stage_item")
        try s.copy(into: "interests_stage_item", columns: ["seq", "item", "title", "text", "category"], firsts.buffer)
        let created = try s.rows("""
            INSERT INTO item(external_id, title, text, category, revision)
            SELECT s.item, s.title, s.text, s.category, (SELECT coalesce(max(revision), 0) FROM item) + row_number() OVER (ORDER BY s.seq)
            FROM interests_stage_item s WHERE NOT EXISTS (SELECT 1 FROM item i WHERE i.external_id = s.item) ORDER BY s.seq
            ON CONFLICT (external_id) DO NOTHING RETURNING id, external_id
            """)
        let changed = try s.rows("""
            UPDATE item i SET title = coalesce(u.title, i.title), text = coalesce(u.text, i.text), category = coalesce(u.category, i.category),
                revision = u.base + u.rank
            FROM (SELECT s.item, s.title, s.text, s.category, row_number() OVER (ORDER BY s.seq) AS rank,
                         (SELECT coalesce(max(revision), 0) FROM item) AS base
                  FROM interests_stage_item s JOIN item c ON c.external_id = s.item
                  WHERE (s.title IS NOT NULL AND c.title IS DISTINCT FROM s.title) OR (s.text IS NOT NULL AND c.text IS DISTINCT FROM s.text)
                     OR (s.category IS NOT NULL AND c.category IS DISTINCT FROM s.category)) AS u
            WHERE i.external_id = u.item RETURNING i.id, i.external_id
            """)
        let (inserted, updated) = (created.count, changed.count)
        outcome.inserted += inserted
        outcome.newItems += inserted
        outcome.itemsUpdated += updated
        outcome.duplicates += seen.count - inserted - updated
        // The records that created or changed their item, by position: their text's vector
        // replaces the item's own (a record without text leaves it), in input order.
        var written: [(seq: Int, item: Int64)] = []
        for row in created + changed {
            if let seq = seen[try row[1].decode(String.self)] { written.append((seq, try row[0].decode(Int64.self))) }
        }
        for (seq, r) in repeats {
            if let id = try writeItemRecord(s, r, &outcome) { written.append((seq, id)) }
        }
        guard let text, let vectors else { return }
        try text.setItemTexts(written.sorted { $0.seq < $1.seq }.compactMap { w in
            let k = base + w.seq
            guard k < vectors.vectors.count, let vector = vectors.vectors[k] else { return nil }
            return (w.item, vector, k < vectors.terms.count ? vectors.terms[k] : nil)
        })
    }

    static let itemStageDDL = """
        CREATE TEMP TABLE IF NOT EXISTS interests_stage_item (
            seq integer NOT NULL, item text NOT NULL, title text, text text, category text
        ) ON COMMIT DELETE ROWS
        """

    /// Writes one item record (an item's second or later record in a run); returns the item's
    /// row id when the record created or changed it.
    private static func writeItemRecord(_ s: PostgresSession, _ r: ItemRecord, _ outcome: inout WriteOutcome) throws -> Int64? {
        var binds = PostgresBindings()
        binds.append(r.item)
        binds.append(r.title)
        binds.append(r.text)
        binds.append(r.category)
        let created = try s.rows("""
            INSERT INTO item(external_id, title, text, category, revision)
            VALUES ($1, $2, $3, $4, (SELECT coalesce(max(revision), 0) + 1 FROM item))
            ON CONFLICT (external_id) DO NOTHING RETURNING id
            """, binds)
        if let row = created.first {
            outcome.inserted += 1
            outcome.newItems += 1
            return try row[0].decode(Int64.self)
        }
        let changed = try s.rows("""
            UPDATE item SET title = coalesce($2, title), text = coalesce($3, text), category = coalesce($4, category),
                revision = (SELECT coalesce(max(revision), 0) + 1 FROM item)
            WHERE external_id = $1 AND (($2::text IS NOT NULL AND title IS DISTINCT FROM $2) OR ($3::text IS NOT NULL AND text IS DISTINCT FROM $3)
                                        OR ($4::text IS NOT NULL AND category IS DISTINCT FROM $4))
            RETURNING id
            """, binds)
        guard let row = changed.first else {
            outcome.duplicates += 1
            return nil
        }
        outcome.itemsUpdated += 1
        return try row[0].decode(Int64.self)
    }
}
