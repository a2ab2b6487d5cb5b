import Foundation
import GRDB
import InterestCore

/// What the ranker needs of one user, read in one transaction: their reviews and interactions,
/// their stored profile, and whether any of their events is newer than a model's watermark.
public struct UserRankingState: Sendable {
    public let rows: [InteractionRow]
    public let profile: StoredProfile?
    /// Some review or interaction has a row id past the watermark given (false without one).
    public let hasNewerEvents: Bool
    /// The user's trained collaborative factors under the model version asked for (nil: none).
    public let factor: [Float]?
}

extension InterestStore {
    /// One user's ranking state (nil: unknown user) — one read transaction and four indexed
    /// queries, for the service's per-request path.
    public func userRankingState(_ external: String, after mark: EventWatermark?, factorVersion: Int? = nil) throws(StoreError) -> UserRankingState? {
        try read("reading a user's events and profile") { db -> UserRankingState? in
            guard let uid = try Self.userID(db, external) else { return nil }
            var rows: [InteractionRow] = []
            var newer = false
            let reviews = try RawStatement(db, "SELECT item_id, rating, ts, id FROM review WHERE user_id = ? ORDER BY ts, key")
            reviews.reset()
            reviews.bind(1, uid)
            while try reviews.step() {
                rows.append(InteractionRow(user: uid, item: reviews.int64(column: 0), action: nil, rating: reviews.optionalDouble(column: 1),
                                           timestamp: reviews.int64(column: 2)))
                if let mark, reviews.int64(column: 3) > mark.review { newer = true }
            }
            reviews.reset()
            let interactions = try RawStatement(db, "SELECT item_id, action, rating, ts, id FROM interaction WHERE user_id = ? ORDER BY ts, key")
            interactions.reset()
            interactions.bind(1, uid)
            while try interactions.step() {
                rows.append(InteractionRow(user: uid, item: interactions.int64(column: 0), action: Action(code: Int(interactions.int64(column: 1))),
                                           rating: interactions.optionalDouble(column: 2), timestamp: interactions.int64(column: 3)))
                if let mark, interactions.int64(column: 4) > mark.interaction { newer = true }
            }
            interactions.reset()
            let profile = try Row.fetchOne(db.cachedStatement(sql: "SELECT model_version, sum, weight, ts, events FROM user_profile WHERE user_id = ?"), arguments: [uid])
                .map { try Self.storedProfile($0, user: external) }
            return UserRankingState(rows: rows, profile: profile, hasNewerEvents: newer,
                                    factor: try Self.userFactor(db, user: uid, version: factorVersion))
        }
    }
}
