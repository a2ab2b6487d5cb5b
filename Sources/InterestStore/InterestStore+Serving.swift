import Foundation
import GRDB
import InterestCore

/// What ranking one user by collaborative filtering needs from the database.
public struct UserActivity: Sendable, Equatable {
    /// Row ids of the items the user reviewed or interacted with ("seen").
    public let items: Set<Int64>
    /// The user has reviews or interactions newer than the model's watermark (their trained
    /// factors, if any, are stale: fold them in).
    public let newSinceWatermark: Bool
    /// The user's trained collaborative factors under the model version asked for (nil: none).
    public let factor: [Float]?
}

/// What ranking one user by text needs from the database.
public struct UserTextState: Sendable, Equatable {
    /// Sum of the user's review and query vectors (review rows first, then queries, each in row
    /// order), nil when none has a vector.
    public let sum: [Float]?
    /// External ids of the items the user reviewed or interacted with.
    public let items: Set<String>
}

extension InterestStore {
    /// The newest version of every model kind and the highest item row id, in one read (what the
    /// service's model cache keys on: a new item row means items may need folding in).
    public func servingState() throws(StoreError) -> (versions: [String: Int], maxItem: Int64) {
        try read("reading model versions") { db in
            var versions: [String: Int] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT kind, max(version) FROM model WHERE \(Self.visibleModel) GROUP BY kind")) { versions[row[0]] = row[1] }
            return (versions, try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) FROM item")) ?? 0)
        }
    }

    /// One user's seen items and whether they have events past `mark`, or nil for an unknown
    /// user. Indexed reads only (`review_by_user`, `interaction_by_user`).
    public func userActivity(_ external: String, after mark: EventWatermark, factorVersion: Int? = nil) throws(StoreError) -> UserActivity? {
        try read("reading the activity of user '\(external)'") { db -> UserActivity? in
            guard let uid = try Self.userID(db, external) else { return nil }
            var items = Set<Int64>()
            var newer = false
            for row in try Row.fetchAll(db, sql: "SELECT id, item_id FROM review WHERE user_id = ?", arguments: [uid]) {
                items.insert(row[1])
                if (row[0] as Int64) > mark.review { newer = true }
            }
            for row in try Row.fetchAll(db, sql: "SELECT id, item_id FROM interaction WHERE user_id = ?", arguments: [uid]) {
                items.insert(row[1])
                if (row[0] as Int64) > mark.interaction { newer = true }
            }
            return UserActivity(items: items, newSinceWatermark: newer, factor: try Self.userFactor(db, user: uid, version: factorVersion))
        }
    }

    /// One user's summed text vectors and seen items, or nil for an unknown user.
    public func userTextState(_ external: String) throws(StoreError) -> UserTextState? {
        try read("reading the text vectors of user '\(external)'") { db -> UserTextState? in
            guard let uid = try Self.userID(db, external) else { return nil }
            var sum: [Float]?
            for sql in [
                "SELECT v.vector FROM review r JOIN review_vector v ON v.review_id = r.id WHERE r.user_id = ? AND v.vector IS NOT NULL ORDER BY r.id",
                "SELECT v.vector FROM query q JOIN query_vector v ON v.query_id = q.id WHERE q.user_id = ? AND v.vector IS NOT NULL ORDER BY q.id",
            ] {
                for row in try Row.fetchAll(db, sql: sql, arguments: [uid]) {
                    guard let data = row[0] as Data?, let v = VectorBlob.decode([UInt8](data)) else { continue }
                    if sum == nil { sum = v } else { sum?.add(v) }
                }
            }
            let items = try String.fetchAll(db, sql: """
                SELECT i.external_id FROM review r JOIN item i ON i.id = r.item_id WHERE r.user_id = ?
                UNION SELECT i.external_id FROM interaction x JOIN item i ON i.id = x.item_id WHERE x.user_id = ?
                """, arguments: [uid, uid])
            return UserTextState(sum: sum, items: Set(items))
        }
    }
}
