import Foundation
import GRDB
import InterestCore

/// What forgetting a user removed.
public struct ForgetOutcome: Sendable, Codable, Equatable {
    public var reviews = 0
    public var queries = 0
    public var interactions = 0
    /// The user's stored interest profile (`user_profile`) was deleted.
    public var profile = false
    /// The user's collaborative-filtering factors (`user_factor`) were deleted.
    public var factors = false
    /// Items whose stored review sum had this user's review vectors subtracted.
    public var itemVectorsUpdated = 0
    /// The write-ahead log was checkpointed and truncated to zero bytes afterwards, so no old page
    /// image holding the user's rows is left in the `-wal` file. False only when readers kept
    /// the checkpoint from completing (the next forget or `interests forget` retries it). nil on
    /// PostgreSQL, whose log and vacuum the server manages (see `PostgresStore.forget`).
    public var walTruncated: Bool? = false

    public init() {}
}

extension InterestStore {
    /// Deletes every row of a user in one transaction — reviews (and their vectors), queries (and
    /// their vectors), interactions, the interest profile, the factors and the user row — and
    /// subtracts their review vectors from the items' stored review sums (`ItemVectorRule`), so
    /// item vectors no longer carry their text either. nil when the user is unknown.
    ///
    /// The file runs with `secure_delete = ON`, so deleted cells and freed pages are overwritten
    /// with zeros; afterwards the WAL is checkpointed in TRUNCATE mode, so the log holds no old
    /// page image with the user's text. Aggregates computed by `interests train` from everyone's
    /// text (term document frequencies, item terms, item factors) change at the next train.
    public func forget(user external: String) throws(StoreError) -> ForgetOutcome? {
        let outcome = try write("forgetting user '\(external)'") { db -> ForgetOutcome? in
            guard let uid = try Self.userID(db, external) else {
                return nil
            }
            var out = ForgetOutcome()
            out.itemVectorsUpdated = try Self.subtractReviewVectors(db, user: uid, tables: .active)
            // A training run building a generation now: its item sums lose the user's reviews too
            // (their other rows there go by ON DELETE CASCADE, and the run skips what it read of them).
            if try Self.buildInProgress(db) { _ = try Self.subtractReviewVectors(db, user: uid, tables: .building) }
            // Models of the active and kept generations learnt from the user: counted until a
            // complete training run started after this forget is activated (then they are dropped).
            try db.execute(sql: "INSERT INTO forgotten(forgotten_at, after_generation) VALUES (?, (SELECT coalesce(max(id), 0) FROM generation))",
                           arguments: [Int64(Date().timeIntervalSince1970)])
            try Self.uncountDays(db, user: uid)
            let highest = try EventTable.allCases.map { try Int64.fetchOne(db, sql: "SELECT max(id) FROM \($0.rawValue)") ?? 0 }
            try db.execute(sql: "DELETE FROM review WHERE user_id = ?", arguments: [uid])
            out.reviews = db.changesCount
            try db.execute(sql: "DELETE FROM query WHERE user_id = ?", arguments: [uid])
            out.queries = db.changesCount
            try db.execute(sql: "DELETE FROM interaction WHERE user_id = ?", arguments: [uid])
            out.interactions = db.changesCount
            try db.execute(sql: "DELETE FROM user_profile WHERE user_id = ?", arguments: [uid])
            out.profile = db.changesCount > 0
            try db.execute(sql: "DELETE FROM user_factor WHERE user_id = ?", arguments: [uid])
            out.factors = db.changesCount > 0
            try db.execute(sql: "DELETE FROM user WHERE id = ?", arguments: [uid])
            // Ids removed from the top of a table are never handed out again (see v16).
            for (table, top) in zip(EventTable.allCases, highest) where top > (try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM \(table.rawValue)") ?? 0) {
                try db.execute(sql: """
                    INSERT INTO event_id_floor(name, id) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET id = max(id, excluded.id)
                    """, arguments: [table.rawValue, top])
            }
            return out
        }
        guard var outcome else { return nil }
        outcome.walTruncated = truncateLog()
        return outcome
    }

    /// Removes the user's review vectors from their items' review sums (same encoder version
    /// only; a sum of another version is rebuilt by the next train anyway).
    private static func subtractReviewVectors(_ db: Database, user: Int64, tables: TableSet) throws -> Int {
        var byItem: [Int64: (version: Int, vectors: [[Float]])] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT r.item_id, v.model_version, v.vector FROM review r JOIN \(tables.name(.reviewVector)) v ON v.review_id = r.id
            WHERE r.user_id = ? AND v.vector IS NOT NULL ORDER BY r.id
            """, arguments: [user]) {
            let data: [UInt8] = [UInt8](row[2] as Data)
            guard let vector = VectorBlob.decode(data) else { continue }
            let item: Int64 = row[0]
            byItem[item, default: (row[1], [])].vectors.append(vector)
        }
        var updated = 0
        for (item, part) in byItem.sorted(by: { $0.key < $1.key }) {
            guard let row = try Row.fetchOne(db, sql: """
                SELECT model_version, text_vector, review_sum, review_count FROM \(tables.name(.itemVector)) WHERE item_id = ?
                """, arguments: [item]) else { continue }
            let version: Int = row[0]
            guard version == part.version, let sumData = row[2] as Data?, var sum = VectorBlob.decode([UInt8](sumData)) else { continue }
            let text = (row[1] as Data?).flatMap { VectorBlob.decode([UInt8]($0)) }
            var count: Int = row[3]
            for v in part.vectors where v.count == sum.count {
                for k in sum.indices { sum[k] -= v[k] }
                count -= 1
            }
            count = max(0, count)
            let newSum: [Float]? = count == 0 ? nil : sum
            try db.execute(sql: "UPDATE \(tables.name(.itemVector)) SET review_sum = ?, review_count = ?, vector = ? WHERE item_id = ?", arguments: [
                newSum.map { Data(VectorBlob.encode($0)) }, count,
                ItemVectorRule.combine(text: text, reviewSum: newSum, reviewCount: count).map { Data(VectorBlob.encode($0)) }, item,
            ])
            updated += 1
        }
        return updated
    }

    /// Takes the user's positive events out of their items' daily counts.
    private static func uncountDays(_ db: Database, user: Int64) throws {
        let rows = try Row.fetchAll(db, sql: """
            SELECT item_id, CASE WHEN ts % 86400 < 0 THEN ts / 86400 - 1 ELSE ts / 86400 END AS day, count(*) FROM (
                SELECT item_id, ts FROM review WHERE user_id = ?1 AND (rating IS NULL OR rating >= 1)
                UNION ALL SELECT item_id, ts FROM interaction WHERE user_id = ?1 AND (rating IS NULL OR rating >= 1)
            ) GROUP BY item_id, day
            """, arguments: [user])
        for row in rows {
            let (item, day, n): (Int64, Int64, Int64) = (row[0], row[1], row[2])
            try db.execute(sql: "UPDATE item_day SET positives = positives - ? WHERE item_id = ? AND day = ? AND positives > ?", arguments: [n, item, day, n])
            if db.changesCount == 0 { try db.execute(sql: "DELETE FROM item_day WHERE item_id = ? AND day = ?", arguments: [item, day]) }
        }
    }

    /// Checkpoints the WAL and truncates it to zero bytes (a few tries: a reader in the middle of
    /// an older snapshot makes the checkpoint wait, then fail). True when the log is empty.
    func truncateLog() -> Bool {
        guard path != ":memory:" else { return true }
        for _ in 0..<5 {
            do {
                let result = try writer.writeWithoutTransaction { db in
                    // Wait for readers of older snapshots at most 2 s a try, not the usual 30.
                    try db.execute(sql: "PRAGMA busy_timeout = 2000")
                    defer { try? db.execute(sql: "PRAGMA busy_timeout = 30000") }
                    return try db.checkpoint(.truncate)
                }
                if result.walFrameCount <= 0 { return true }
            } catch {
                continue
            }
        }
        return false
    }
}

extension InterestStore {
    /// Whether a user row exists.
    public func userExists(_ external: String) throws(StoreError) -> Bool {
        try read("looking up user '\(external)'") { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM user WHERE external_id = ?)", arguments: [external]) ?? false
        }
    }
}
