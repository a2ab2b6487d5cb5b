import GRDB
import InterestCore

/// The physical limit of the ingest path, for the ingest benchmark: how fast SQLite itself takes
/// the same event rows into the same schema when nothing else is done — ids already resolved,
/// one prepared statement per table, one transaction per batch, bound through the C API.
public struct RawInsertMeasurement: Sendable {
    /// Review, query and interaction rows inserted in the timed part.
    public let rows: Int
    public let seconds: Double
    public var rowsPerSecond: Double { seconds > 0 ? Double(rows) / seconds : 0 }
}

extension InterestStore {
    /// Inserts `events` into this (fresh) store the raw way and times only the event-row inserts.
    /// Users and items are created first, untimed, so the timed part is pure row insertion.
    public func measureRawInsert(_ events: [Event], batchSize: Int) throws(StoreError) -> RawInsertMeasurement {
        enum Row {
            case review(Review, Int64, Int64)
            case query(SearchQuery, Int64)
            case interaction(Interaction, Int64, Int64)
        }
        // Untimed: resolve every user and item.
        var rows: [Row] = []
        rows.reserveCapacity(events.count)
        try write("preparing the raw insert") { db in
            var users: [String: Int64] = [:]
            var items: [String: Int64] = [:]
            let insUser = try RawStatement(db, "INSERT INTO user(external_id) VALUES (?)")
            let insItem = try RawStatement(db, "INSERT INTO item(external_id) VALUES (?)")
            func id(_ s: String, _ map: inout [String: Int64], _ ins: RawStatement) throws -> Int64 {
                if let v = map[s] { return v }
                ins.reset()
                ins.bind(1, s)
                try ins.step()
                map[s] = ins.lastInsertRowID
                return ins.lastInsertRowID
            }
            for e in events {
                switch e {
                case .item: break
                case .review(let r): rows.append(.review(r, try id(r.user, &users, insUser), try id(r.item, &items, insItem)))
                case .query(let q): rows.append(.query(q, try id(q.user, &users, insUser)))
                case .interaction(let x): rows.append(.interaction(x, try id(x.user, &users, insUser), try id(x.item, &items, insItem)))
                }
            }
        }
        let clock = ContinuousClock()
        let start = clock.now
        var offset = 0
        while offset < rows.count {
            let end = min(offset + batchSize, rows.count)
            try write("raw insert") { db in
                try Self.prepareForBulkWrites(db)
                let review = try RawStatement(db, "INSERT INTO review(key, event_id, user_id, item_id, rating, text, ts) VALUES (?, ?, ?, ?, ?, ?, ?)")
                let query = try RawStatement(db, "INSERT INTO query(key, event_id, user_id, text, ts) VALUES (?, ?, ?, ?, ?)")
                let inter = try RawStatement(db, "INSERT INTO interaction(key, event_id, user_id, item_id, action, rating, ts) VALUES (?, ?, ?, ?, ?, ?, ?)")
                for k in offset..<end {
                    switch rows[k] {
                    case .review(let r, let u, let i):
                        review.reset()
                        review.bind(1, r.key); review.bind(2, r.eventID); review.bind(3, u); review.bind(4, i)
                        review.bind(5, r.rating); review.bind(6, r.text); review.bind(7, r.timestamp)
                        try review.step()
                    case .query(let q, let u):
                        query.reset()
                        query.bind(1, q.key); query.bind(2, q.eventID); query.bind(3, u)
                        query.bind(4, q.text); query.bind(5, q.timestamp)
                        try query.step()
                    case .interaction(let x, let u, let i):
                        inter.reset()
                        inter.bind(1, x.key); inter.bind(2, x.eventID); inter.bind(3, u); inter.bind(4, i)
                        inter.bind(5, Int64(x.action.code)); inter.bind(6, x.rating); inter.bind(7, x.timestamp)
                        try inter.step()
                    }
                }
            }
            offset = end
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return RawInsertMeasurement(rows: rows.count, seconds: seconds)
    }
}
