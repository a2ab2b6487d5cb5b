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
    /// The write-ahead log was truncated to zero bytes afterwards (see `InterestStore.forget`).
    public var walTruncated: Bool
}

extension InterestMiner {
    /// Forgets a user: every row of theirs (events, their text vectors, profile, factors, the
    /// user row) in one transaction, their review vectors taken out of item vectors, deleted
    /// content overwritten (`secure_delete`) and the write-ahead log truncated, and this
    /// process's cached collaborative model rid of their row. nil when the user is unknown. Aggregates trained over
    /// everyone (term statistics, item factors) change at the next `interests train`.
    public func forget(user: String) throws(InterestMinerError) -> ForgetReport? {
        let outcome: ForgetOutcome?
        do { outcome = try store.forget(user: user) } catch { throw .store(error) }
        guard let outcome else { return nil }
        models.cfSlot.update { $0.forgetting(user) }
        models.rankerSlot.update { $0.forgetting(user) }
        return ForgetReport(user: user, reviews: outcome.reviews, queries: outcome.queries, interactions: outcome.interactions,
                            profile: outcome.profile, factors: outcome.factors, itemVectorsUpdated: outcome.itemVectorsUpdated,
                            walTruncated: outcome.walTruncated)
    }
}

extension LoadedCFModel {
    /// The same model without a user's trained row: the id is unmapped and the factors zeroed.
    func forgetting(_ user: String) -> LoadedCFModel {
        guard let row = userRow[user] else { return self }
        var users = model.userFactors
        for k in (row * model.factors)..<((row + 1) * model.factors) where k < users.count { users[k] = 0 }
        var rows = userRow
        rows[user] = nil
        return LoadedCFModel(version: version, method: method,
                             model: FactorModel(factors: model.factors, userFactors: users, itemFactors: model.itemFactors, itemBias: model.itemBias),
                             userRow: rows, itemIDs: itemIDs, itemColumn: itemColumn, weights: weights, foldIn: foldIn,
                             watermark: watermark, foldedItems: foldedItems)
    }
}

extension RankerContext {
    /// The same ranker without a user's trained collaborative row.
    func forgetting(_ user: String) -> RankerContext {
        RankerContext(version: version, itemIDs: itemIDs, items: items, row: row, rowOfName: rowOfName, catalogue: catalogue,
                      scorer: scorer, cf: cf?.forgetting(user), text: text, stored: stored)
    }
}
