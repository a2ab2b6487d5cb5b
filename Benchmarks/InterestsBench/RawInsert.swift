import Foundation
import GRDB
import GRDBSQLite
import InterestCore
import InterestStore

/// The physical limit of the ingest path, for the ingest benchmark: how fast SQLite itself takes
/// the same event rows into the same schema (created by `InterestStore`) with the store's
/// connection settings when nothing else is done — ids already resolved, one prepared statement
/// per table, one transaction per batch, bound through the C API.
struct RawInsertMeasurement {
    /// Review, query and interaction rows inserted in the timed part.
    let rows: Int
    let seconds: Double
    var rowsPerSecond: Double { seconds > 0 ? Double(rows) / seconds : 0 }

    private enum Row {
        case review(Review, Int64, Int64)
        case query(SearchQuery, Int64)
        case interaction(Interaction, Int64, Int64)
    }

    /// Inserts `events` into a fresh database at `path` the raw way and times only the event-row
    /// inserts. Users and items are created first, untimed, so the timed part is pure row insertion.
    static func measure(path: String, _ events: [Event], batchSize: Int) throws -> RawInsertMeasurement {
        _ = try InterestStore(path: path)  // the schema, by the store's migrations
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            // The store's settings (InterestStore.init), with its bulk-write cache size.
            try db.execute(sql: """
                PRAGMA synchronous = NORMAL; PRAGMA cache_size = -524288; PRAGMA wal_autocheckpoint = 16384;
                PRAGMA journal_size_limit = 67108864; PRAGMA temp_store = MEMORY; PRAGMA secure_delete = ON;
                """)
        }
        let queue = try DatabaseQueue(path: path, configuration: config)
        var rows: [Row] = []
        rows.reserveCapacity(events.count)
        try queue.write { db in
            var users: [String: Int64] = [:]
            var items: [String: Int64] = [:]
            func id(_ s: String, _ map: inout [String: Int64], _ table: String) throws -> Int64 {
                if let v = map[s] { return v }
                try db.execute(sql: "INSERT INTO \(table)(external_id) VALUES (?)", arguments: [s])
                map[s] = db.lastInsertedRowID
                return db.lastInsertedRowID
            }
            for e in events {
                switch e {
                case .item: break
                case .review(let r): rows.append(.review(r, try id(r.user, &users, "user"), try id(r.item, &items, "item")))
                case .query(let q): rows.append(.query(q, try id(q.user, &users, "user")))
                case .interaction(let x): rows.append(.interaction(x, try id(x.user, &users, "user"), try id(x.item, &items, "item")))
                }
            }
        }
        let clock = ContinuousClock()
        let start = clock.now
        var offset = 0
        while offset < rows.count {
            let end = min(offset + batchSize, rows.count)
            try queue.write { db in
                let review = try db.makeStatement(sql: "INSERT INTO review(key, event_id, user_id, item_id, rating, text, ts) VALUES (?, ?, ?, ?, ?, ?, ?)")
                let query = try db.makeStatement(sql: "INSERT INTO query(key, event_id, user_id, text, ts) VALUES (?, ?, ?, ?, ?)")
                let inter = try db.makeStatement(sql: "INSERT INTO interaction(key, event_id, user_id, item_id, action, rating, ts) VALUES (?, ?, ?, ?, ?, ?, ?)")
                for k in offset..<end {
                    switch rows[k] {
                    case .review(let r, let u, let i):
                        try step(review.sqliteStatement, db) { s in
                            bind(s, 1, r.key); bind(s, 2, r.eventID); sqlite3_bind_int64(s, 3, u); sqlite3_bind_int64(s, 4, i)
                            bind(s, 5, r.rating); bind(s, 6, r.text); sqlite3_bind_int64(s, 7, r.timestamp)
                        }
                    case .query(let q, let u):
                        try step(query.sqliteStatement, db) { s in
                            bind(s, 1, q.key); bind(s, 2, q.eventID); sqlite3_bind_int64(s, 3, u)
                            bind(s, 4, q.text); sqlite3_bind_int64(s, 5, q.timestamp)
                        }
                    case .interaction(let x, let u, let i):
                        try step(inter.sqliteStatement, db) { s in
                            bind(s, 1, x.key); bind(s, 2, x.eventID); sqlite3_bind_int64(s, 3, u); sqlite3_bind_int64(s, 4, i)
                            sqlite3_bind_int64(s, 5, Int64(x.action.code)); bind(s, 6, x.rating); sqlite3_bind_int64(s, 7, x.timestamp)
                        }
                    }
                }
            }
            offset = end
        }
        let elapsed = clock.now - start
        return RawInsertMeasurement(rows: rows.count, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func step(_ s: OpaquePointer, _ db: Database, _ bindAll: (OpaquePointer) -> Void) throws {
        sqlite3_reset(s)
        bindAll(s)
        let code = sqlite3_step(s)
        guard code == SQLITE_DONE else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection))) }
    }

    private static func bind(_ s: OpaquePointer, _ i: Int32, _ text: String?) {
        guard let text else { sqlite3_bind_null(s, i); return }
        _ = sqlite3_bind_text(s, i, text, -1, transient)
    }

    private static func bind(_ s: OpaquePointer, _ i: Int32, _ value: Double?) {
        if let value { sqlite3_bind_double(s, i, value) } else { sqlite3_bind_null(s, i) }
    }

    /// The store's key format: the 128-bit key as 16 big-endian bytes.
    private static func bind(_ s: OpaquePointer, _ i: Int32, _ key: EventKey) {
        withUnsafeBytes(of: (key.high.bigEndian, key.low.bigEndian)) { raw in _ = sqlite3_bind_blob(s, i, raw.baseAddress, 16, transient) }
    }
}
