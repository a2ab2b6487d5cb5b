import Foundation
import GRDB
import InterestCore

/// A user's stored profile sum and the text-encoder version it was built with.
public struct StoredProfile: Sendable, Equatable {
    public let profile: DecayedSum
    public let version: Int
}

extension InterestStore {
    /// The user's stored profile, or nil when they have none (or are unknown).
    public func profile(ofUser external: String) throws(StoreError) -> StoredProfile? {
        try read("reading the profile of '\(external)'") { db -> StoredProfile? in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT p.model_version, p.sum, p.weight, p.ts, p.events FROM user_profile p JOIN user u ON u.id = p.user_id
                WHERE u.external_id = ?
                """, arguments: [external]) else { return nil }
            return try Self.storedProfile(row, user: external)
        }
    }

    /// A `user_profile` row (model_version, sum, weight, ts, events) as a stored profile.
    static func storedProfile(_ row: Row, user external: String) throws -> StoredProfile {
        let data: Data = row[1]
        guard let sum = DoubleVectorBlob.decode([UInt8](data)) else {
            throw StoreError.corrupt(what: "profile of '\(external)'", reason: "bad vector size")
        }
        return StoredProfile(profile: DecayedSum(sum: sum, weight: row[2], timestamp: row[3], events: row[4]), version: row[0])
    }

}

/// Updates the profiles of the users in one ingest chunk, inside its transaction: each new event
/// is added to its user's decayed sum (loaded once per chunk), and the touched profiles are
/// written back at the end — the same fold `rebuildProfiles` does, so incremental equals batch.
struct ProfileWriter {
    let rule: ProfileRule
    let version: Int
    let dimension: Int
    let select: RawStatement
    let upsert: RawStatement
    let itemVector: RawStatement
    private var accumulator: ProfileAccumulator

    /// `tables`: the active profiles (ingest) or those a training run builds (its catch-up).
    init(_ db: Database, rule: ProfileRule, version: Int, dimension: Int, tables: TableSet = .active) throws {
        self.rule = rule
        self.version = version
        self.dimension = dimension
        accumulator = ProfileAccumulator(rule: rule, dimension: dimension)
        let profiles = tables.name(.userProfile)
        select = try RawStatement(db, "SELECT model_version, sum, weight, ts, events FROM \(profiles) WHERE user_id = ?")
        upsert = try RawStatement(db, "INSERT OR REPLACE INTO \(profiles)(user_id, model_version, sum, weight, ts, events) VALUES (?, ?, ?, ?, ?, ?)")
        itemVector = try RawStatement(db, "SELECT text_vector FROM \(tables.name(.itemVector)) WHERE item_id = ?")
    }

    /// The vector of the item's own text (title and description). Profiles use it rather than the
    /// combined item vector, which moves with every new review: a profile must not depend on
    /// when its events were ingested.
    func vector(ofItem item: Int64) throws -> [Float]? {
        itemVector.reset()
        itemVector.bind(1, item)
        defer { itemVector.reset() }
        guard try itemVector.step() else { return nil }
        return itemVector.blob(column: 0).flatMap(VectorBlob.decode)
    }

    mutating func add(user: Int64, kind: ProfileRule.EventKind, own: [Float]?, item: Int64?, rating: Double?, action: Action?, at time: Int64) throws {
        let itemV = try item.flatMap { try vector(ofItem: $0) }
        let current = try accumulator.has(user) ? DecayedSum(dimension: dimension) : load(user)
        add(user: user, kind: kind, own: own, itemVector: itemV, rating: rating, action: action, at: time, loaded: current)
    }

    /// Adds one event to a user's sum, starting from `loaded` when the user is not touched yet.
    mutating func add(user: Int64, kind: ProfileRule.EventKind, own: [Float]?, itemVector itemV: [Float]?, rating: Double?, action: Action?,
                      at time: Int64, loaded: @autoclosure () -> DecayedSum) {
        accumulator.add(user: user, kind: kind, own: own, item: itemV, rating: rating, action: action, at: time, loaded: loaded())
    }

    private func load(_ user: Int64) throws -> DecayedSum {
        select.reset()
        select.bind(1, user)
        defer { select.reset() }
        // A profile from an older encoder is in another vector space: start over (train rebuilds).
        guard try select.step(), Int(select.int64(column: 0)) == version,
              let sum = select.blob(column: 1).flatMap(DoubleVectorBlob.decode), sum.count == dimension else {
            return DecayedSum(dimension: dimension)
        }
        return DecayedSum(sum: sum, weight: select.double(column: 2), timestamp: select.int64(column: 3), events: Int(select.int64(column: 4)))
    }

    func flush() throws {
        for (user, p) in accumulator.sums.sorted(by: { $0.key < $1.key }) {
            try Self.bind(upsert, user: user, profile: p, version: version)
        }
    }

    static func bind(_ s: RawStatement, user: Int64, profile p: DecayedSum, version: Int) throws {
        s.reset()
        s.bind(1, user)
        s.bind(2, Int64(version))
        s.bind(3, DoubleVectorBlob.encode(p.sum))
        s.bind(4, p.weight)
        s.bind(5, p.timestamp)
        s.bind(6, Int64(p.events))
        try s.step()
    }
}
