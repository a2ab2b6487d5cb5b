import Foundation
import InterestCore
import NIOCore
import PostgresNIO
import Synchronization

/// The reads a replica answers collaborative requests with on PostgreSQL, with the SQLite
/// file's answers: what its model cache keys on, one user's activity (indexed by user), and the
/// events a loaded model has not seen.
extension PostgresStore {
    /// The newest version of every model kind (from the process's cache, see
    /// ``ModelVersionWatch``) and the highest item row id: a new item means items may need
    /// folding in. One indexed read (the item key's maximum) beside the cached versions.
    public func servingState() throws(StoreError) -> (versions: [String: Int], maxItem: Int64) {
        let versions = try latestVersions()
        let maxItem = try pool.transaction("reading the newest item", readOnly: true) { s in
            try s.value("SELECT coalesce(max(id), 0)::bigint FROM item", as: Int64.self) ?? 0
        }
        return (versions, maxItem)
    }

    /// One user's seen items, whether they have events past `mark`, and their factors under
    /// `factorVersion`, or nil for an unknown user. Indexed reads of that user only.
    public func userActivity(_ external: String, after mark: EventWatermark, factorVersion: Int? = nil) throws(StoreError) -> UserActivity? {
        try pool.transaction("reading the activity of user '\(external)'", readOnly: true) { s -> UserActivity? in
            guard let uid = try Self.userID(s, external) else { return nil }
            var binds = PostgresBindings()
            binds.append(uid)
            binds.append(mark.review)
            binds.append(mark.interaction)
            var items = Set<Int64>()
            var newer = false
            for row in try s.rows("""
                SELECT item_id, id > $2 FROM review WHERE user_id = $1 UNION ALL SELECT item_id, id > $3 FROM interaction WHERE user_id = $1
                """, binds) {
                items.insert(try row[0].decode(Int64.self))
                if try row[1].decode(Bool.self) { newer = true }
            }
            var factor: [Float]?
            if let factorVersion {
                var f = PostgresBindings()
                f.append(uid)
                f.append(Int32(factorVersion))
                factor = try s.value("SELECT vector FROM user_factor WHERE user_id = $1 AND model_version = $2", f, as: ByteBuffer.self)
                    .flatMap { VectorBlob.decode(Array($0.readableBytesView)) }
            }
            return UserActivity(items: items, newSinceWatermark: newer, factor: factor)
        }
    }

    /// Users with reviews or interactions added after `mark` (their factors are stale).
    public func usersWithEvents(after mark: EventWatermark) throws(StoreError) -> Set<String> {
        try pool.transaction("finding users with new events", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(mark.review)
            binds.append(mark.interaction)
            return Set(try s.rows("""
                SELECT u.external_id FROM "user" u WHERE u.id IN (SELECT user_id FROM review WHERE id > $1 UNION SELECT user_id FROM interaction WHERE id > $2)
                """, binds).map { try $0[0].decode(String.self) })
        }
    }

    /// Reviews and interactions added after `mark` on the items `keep` accepts (for folding in
    /// the items a model does not know): reviews first, then interactions, each by row id. The
    /// rows since `mark` are streamed into compact rows (40 bytes each) and filtered on the
    /// calling thread — `keep` cannot go into the connection's row callback, which the driver
    /// may keep past the query — so memory is O(events since the watermark) here, where the
    /// SQLite file keeps only the accepted rows.
    public func interactionRows(after mark: EventWatermark, items keep: (Int64) -> Bool) throws(StoreError) -> [InteractionRow] {
        let rows = try pool.transaction("reading new interactions", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(mark.review)
            binds.append(mark.interaction)
            let kept = KeptRows()
            try s.forEachRow("""
                SELECT user_id, item_id, action, rating, ts FROM (
                    SELECT 0 AS kind, id, user_id, item_id, NULL::smallint AS action, rating, ts FROM review WHERE id > $1
                    UNION ALL SELECT 1, id, user_id, item_id, action, rating, ts FROM interaction WHERE id > $2
                ) AS e ORDER BY kind, id
                """, binds) { row in
                let (user, item, action, rating, ts) = try row.decode((Int64, Int64, Int16?, Double?, Int64).self)
                kept.rows.withLock {
                    $0.append(InteractionRow(user: user, item: item, action: action.flatMap { Action(code: Int($0)) }, rating: rating, timestamp: ts))
                }
            }
            return kept.rows.withLock { $0 }
        }
        return rows.filter { keep($0.item) }
    }
}

/// Rows a streamed read keeps, shared with the row callback.
final class KeptRows: Sendable {
    let rows = Mutex<[InteractionRow]>([])
}

extension PostgresStore {
    /// Every item's positive events per UTC day, item by item, days ascending (`item_day` plus
    /// the changes not folded yet), handed to `body` on the calling thread. The rows are
    /// collected first (24 bytes an item-day), then grouped. O(item-days).
    public func forEachItemDays(_ body: (Int64, [Int64], [Int]) -> Void) throws(StoreError) {
        let collected = try pool.transaction("reading item activity", readOnly: true) { s in
            let box = ItemDayRows()
            try s.forEachRow("""
                SELECT item_id, day, sum(positives)::bigint FROM (
                    SELECT item_id, day, positives FROM item_day UNION ALL SELECT item_id, day, positives FROM item_day_change
                ) AS counts GROUP BY item_id, day HAVING sum(positives) > 0 ORDER BY item_id, day
                """) { row in
                let (item, day, count) = try row.decode((Int64, Int64, Int64).self)
                box.rows.withLock { $0.append((item, day, count)) }
            }
            return box.rows.withLock { $0 }
        }
        var start = 0
        while start < collected.count {
            let item = collected[start].item
            var end = start
            while end < collected.count && collected[end].item == item { end += 1 }
            body(item, collected[start..<end].map(\.day), collected[start..<end].map { Int($0.count) })
            start = end
        }
    }

    /// What the ranker needs of one user in one snapshot (nil: unknown user): their reviews and
    /// interactions (reviews first, each kind in (time, key) order, as on SQLite), their stored profile, whether any
    /// event is past `mark`, and their factors under `factorVersion`. Indexed reads of that user.
    public func userRankingState(_ external: String, after mark: EventWatermark?, factorVersion: Int? = nil) throws(StoreError) -> UserRankingState? {
        try pool.transaction("reading a user's events and profile", readOnly: true) { s -> UserRankingState? in
            guard let uid = try Self.userID(s, external) else { return nil }
            var binds = PostgresBindings()
            binds.append(uid)
            binds.append(mark?.review ?? Int64.max)
            binds.append(mark?.interaction ?? Int64.max)
            var rows: [InteractionRow] = []
            var newer = false
            for r in try s.rows("""
                SELECT item_id, action, rating, ts, newer FROM (
                    SELECT 0 AS kind, key, item_id, NULL::smallint AS action, rating, ts, id > $2 AS newer FROM review WHERE user_id = $1
                    UNION ALL SELECT 1, key, item_id, action, rating, ts, id > $3 FROM interaction WHERE user_id = $1
                ) AS e ORDER BY kind, ts, key
                """, binds) {
                rows.append(InteractionRow(user: uid, item: try r[0].decode(Int64.self), action: try r[1].decode(Int16?.self).flatMap { Action(code: Int($0)) },
                                           rating: try r[2].decode(Double?.self), timestamp: try r[3].decode(Int64.self)))
                newer = try r[4].decode(Bool.self) || newer
            }
            var user = PostgresBindings()
            user.append(uid)
            var profile: StoredProfile?
            if let row = try s.rows("SELECT model_version, sum, weight, ts, events FROM user_profile WHERE user_id = $1", user).first {
                let sum = try row[1].decode(ByteBuffer.self)
                guard let vector = DoubleVectorBlob.decode(Array(sum.readableBytesView)) else {
                    throw StoreError.corrupt(what: "profile of '\(external)'", reason: "bad vector size")
                }
                profile = StoredProfile(profile: DecayedSum(sum: vector, weight: try row[2].decode(Double.self), timestamp: try row[3].decode(Int64.self),
                                                            events: Int(try row[4].decode(Int32.self))), version: Int(try row[0].decode(Int32.self)))
            }
            var factor: [Float]?
            if let factorVersion {
                user.append(Int32(factorVersion))
                factor = try s.value("SELECT vector FROM user_factor WHERE user_id = $1 AND model_version = $2", user, as: ByteBuffer.self)
                    .flatMap { VectorBlob.decode(Array($0.readableBytesView)) }
            }
            return UserRankingState(rows: rows, profile: profile, hasNewerEvents: newer, factor: factor)
        }
    }
}

/// Item-day rows a streamed read collects, shared with the row callback.
final class ItemDayRows: Sendable {
    let rows = Mutex<[(item: Int64, day: Int64, count: Int64)]>([])
}

extension PostgresStore {
    /// Every item's positive events on days `first`…`last` (UTC day numbers), by catalogue row
    /// (`rowOf`; items outside it are skipped), summed on the server (`item_day` plus the
    /// changes not folded yet). O(item-days in the window) — a scan of `item_day`'s day index.
    public func itemPositives(fromDay first: Int64, throughDay last: Int64, rowOf: [Int64: Int], rows count: Int) throws(StoreError) -> [Int] {
        var out = [Int](repeating: 0, count: max(0, count))
        guard first <= last else { return out }
        let rows = DenseIDMap(rowOf, count: out.count)
        let sums = try pool.transaction("reading item activity", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(first)
            binds.append(last)
            return try s.rows("""
                SELECT item_id, sum(positives)::bigint FROM (
                    SELECT item_id, positives FROM item_day WHERE day BETWEEN $1 AND $2
                    UNION ALL SELECT item_id, positives FROM item_day_change WHERE day BETWEEN $1 AND $2
                ) AS counts GROUP BY item_id
                """, binds).map { (try $0[0].decode(Int64.self), try $0[1].decode(Int64.self)) }
        }
        for (item, n) in sums {
            guard let r = rows[item] else { continue }
            out[Int(r)] = n > Int64(Int.max) ? Int.max : max(0, Int(n))
        }
        return out
    }
}
