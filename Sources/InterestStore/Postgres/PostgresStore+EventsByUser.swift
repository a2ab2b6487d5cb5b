import Foundation
import InterestCore
import NIOCore
import PostgresNIO
import Synchronization

/// What training and the collaborative reads take from the events on PostgreSQL, with the
/// SQLite file's answers: every review and interaction grouped by user, and one user's rows.
extension PostgresStore {
    /// Every review and interaction up to `bound` (nil: all committed now, and that watermark)
    /// as an `EventsByUser` — users ascending by row id, within a user reviews then interactions,
    /// each by row id, as on SQLite. One snapshot; the rows come sorted by user from the server
    /// and are streamed into the table's columns (21 bytes an event, reserved from a count
    /// first), so no array of rows is held. Time: a sort of the events on the server,
    /// O(events · log events), and one pass on the client.
    ///
    /// Without a bound the watermark is taken first, in a transaction of its own under the write
    /// barrier (a snapshot taken before that lock was granted could miss a batch in flight
    /// whose ids lie below the highest visible one).
    public func eventsByUser(upTo bound: EventWatermark? = nil) throws(StoreError) -> (table: EventsByUser, watermark: EventWatermark) {
        let mark: EventWatermark
        if let bound {
            mark = bound
        } else {
            mark = try pool.transaction("reading the watermark") { s in
                try s.execute("SELECT pg_advisory_xact_lock(\(Self.writeBarrier))")
                return try Self.currentWatermark(s).events
            }
        }
        return try pool.transaction("reading interactions", readOnly: true) { s in
            let itemIDs = try s.rows("SELECT id FROM item ORDER BY id").map { try $0[0].decode(Int64.self) }
            let itemIndex = DenseIDMap(itemIDs)
            var binds = PostgresBindings()
            binds.append(mark.review)
            binds.append(mark.interaction)
            let total = Int(try s.value("""
                SELECT (SELECT count(*) FROM review WHERE id <= $1) + (SELECT count(*) FROM interaction WHERE id <= $2)
                """, binds, as: Int64.self) ?? 0)
            let builder = EventColumns.Box(EventColumns(capacity: total))
            try s.forEachRow("""
                SELECT user_id, item_id, rating, ts, action FROM (
                    SELECT user_id, 0 AS kind, id, item_id, rating, ts, NULL::smallint AS action FROM review WHERE id <= $1
                    UNION ALL SELECT user_id, 1, id, item_id, rating, ts, action FROM interaction WHERE id <= $2
                ) AS e ORDER BY user_id, kind, id
                """, binds) { row in
                let (user, item, rating, ts, action) = try row.decode((Int64, Int64, Double?, Int64, Int16?).self)
                guard let i = itemIndex[item] else { return }
                builder.columns.withLock { $0.append(user: user, item: i, time: ts, rating: rating, action: action.flatMap { Action(code: Int($0)) }) }
            }
            let c = builder.columns.withLock { $0 }
            let offsets = c.offsets + (c.userIDs.isEmpty ? [] : [c.items.count])
            return (EventsByUser(userIDs: c.userIDs, itemIDs: itemIDs, offsets: c.userIDs.isEmpty ? [0] : offsets, items: c.items, times: c.times,
                                 ratings: c.ratings, actions: c.actions), mark)
        }
    }

    /// A user's reviews and interactions (for fold-in), or nil when the user is unknown: reviews
    /// then interactions, each in (time, key) order, as on SQLite.
    public func interactionRows(ofUser external: String) throws(StoreError) -> [InteractionRow]? {
        try pool.transaction("reading the interactions of '\(external)'", readOnly: true) { s -> [InteractionRow]? in
            guard let uid = try Self.userID(s, external) else { return nil }
            var binds = PostgresBindings()
            binds.append(uid)
            var rows: [InteractionRow] = []
            for r in try s.rows("SELECT item_id, rating, ts FROM review WHERE user_id = $1 ORDER BY ts, key", binds) {
                rows.append(InteractionRow(user: uid, item: try r[0].decode(Int64.self), action: nil, rating: try r[1].decode(Double?.self),
                                           timestamp: try r[2].decode(Int64.self)))
            }
            for r in try s.rows("SELECT item_id, action, rating, ts FROM interaction WHERE user_id = $1 ORDER BY ts, key", binds) {
                rows.append(InteractionRow(user: uid, item: try r[0].decode(Int64.self), action: Action(code: Int(try r[1].decode(Int16.self))),
                                           rating: try r[2].decode(Double?.self), timestamp: try r[3].decode(Int64.self)))
            }
            return rows
        }
    }
}

/// The columns of an `EventsByUser` filled from rows sorted by user.
struct EventColumns: Sendable {
    /// Shared with the row callback (which runs on the connection's event loop).
    final class Box: Sendable {
        let columns: Mutex<EventColumns>
        init(_ c: EventColumns) { columns = Mutex(c) }
    }

    var userIDs: [Int64] = []
    /// Where each user's events start (the end of the last is the event count).
    var offsets: [Int] = []
    var items: [Int32] = []
    var times: [Int64] = []
    var ratings: [Double] = []
    var actions: [Action?] = []

    init(capacity: Int) {
        items.reserveCapacity(capacity)
        times.reserveCapacity(capacity)
        ratings.reserveCapacity(capacity)
        actions.reserveCapacity(capacity)
    }

    mutating func append(user: Int64, item: Int32, time: Int64, rating: Double?, action: Action?) {
        if userIDs.last != user {
            userIDs.append(user)
            offsets.append(items.count)
        }
        items.append(item)
        times.append(time)
        ratings.append(rating ?? .nan)
        actions.append(action)
    }
}
