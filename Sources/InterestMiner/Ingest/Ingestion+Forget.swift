import CollaborativeFiltering
import Foundation
import InterestStore

/// What `forget` removed.
public struct ForgetReport: Sendable, Codable, Equatable {
    public var user: String
    public var reviews: Int
    public var queries: Int
    public var interactions: Int
    /// The stored interest profile (`user_profile`) was deleted.
    public var profile: Bool
    /// The collaborative-filtering factors (`user_factor`) were deleted.
    public var factors: Bool
    /// Items whose vectors had this user's reviews taken out.
    public var itemVectorsUpdated: Int
    /// The write-ahead log was truncated to zero bytes afterwards (see `InterestStore.forget`);
    /// nil on PostgreSQL, whose log the server manages.
    public var walTruncated: Bool?
}

extension Ingestion {
    /// Forgets a user: every row of theirs (events, their text vectors, profile, factors, the
    /// user row) in one transaction, their review vectors taken out of item vectors, deleted
    /// content overwritten (`secure_delete`) and the write-ahead log truncated, and this
    /// loaded models unchanged (they hold no user rows: requests read the user's own rows). nil when the user is unknown. Aggregates trained over
    /// everyone (term statistics, item factors) change at the next `interests train`.
    public func forget(user: String) throws(InterestMinerError) -> ForgetReport? {
        let outcome: ForgetOutcome?
        do { outcome = try store.forget(user: user) } catch { throw .store(error) }
        guard let outcome else { return nil }
        return ForgetReport(user: user, reviews: outcome.reviews, queries: outcome.queries, interactions: outcome.interactions,
                            profile: outcome.profile, factors: outcome.factors, itemVectorsUpdated: outcome.itemVectorsUpdated,
                            walTruncated: outcome.walTruncated)
    }
}

