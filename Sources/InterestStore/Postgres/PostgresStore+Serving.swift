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
    /// the items a model does not know), streamed: only the kept ones become rows. Reviews
    /// first, then interactions, each by row id.
    public func interactionRows(after mark: EventWatermark, items keep: (Int64) -> Bool) throws(StoreError) -> [InteractionRow] {
        try pool.transaction("reading new interactions", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(mark.review)
            binds.append(mark.interaction)
            let kept = KeptRows()
            try withoutActuallyEscaping(keep) { keep in
                // The row callback runs on the connection's event loop while this thread waits
                // for the query: `keep` is never called after this scope, nor concurrently.
                nonisolated(unsafe) let accept = keep
                try s.forEachRow("""
                    SELECT user_id, item_id, action, rating, ts FROM (
                        SELECT 0 AS kind, id, user_id, item_id, NULL::smallint AS action, rating, ts FROM review WHERE id > $1
                        UNION ALL SELECT 1, id, user_id, item_id, action, rating, ts FROM interaction WHERE id > $2
                    ) AS e ORDER BY kind, id
                    """, binds) { row in
                    let (user, item, action, rating, ts) = try row.decode((Int64, Int64, Int16?, Double?, Int64).self)
                    guard accept(item) else { return }
                    kept.rows.withLock {
                        $0.append(InteractionRow(user: user, item: item, action: action.flatMap { Action(code: Int($0)) }, rating: rating, timestamp: ts))
                    }
                }
            }
            return kept.rows.withLock { $0 }
        }
    }
}

/// Rows a streamed read keeps, shared with the row callback.
final class KeptRows: Sendable {
    let rows = Mutex<[InteractionRow]>([])
}
