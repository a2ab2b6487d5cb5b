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

    /// Recomputes every user's profile from the stored event vectors under `rule` (batch), in
    /// event-time order per user, and replaces the table. One transaction. Returns the number of
    /// users with a profile.
    @discardableResult
    public func rebuildProfiles(rule: ProfileRule, version: Int, dimension: Int) throws(StoreError) -> Int {
        try write("rebuilding profiles") { db in
            var sums: [Int64: DecayedSum] = [:]
            let rate = rule.decayRate
            // (user, ts, kind, row id) order makes the batch fold deterministic.
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT user_id, ts, 0 AS kind, r.id, rv.vector, iv.text_vector, r.rating, NULL FROM review r
                  LEFT JOIN review_vector rv ON rv.review_id = r.id LEFT JOIN item_vector iv ON iv.item_id = r.item_id
                UNION ALL
                SELECT user_id, ts, 1, q.id, qv.vector, NULL, NULL, NULL FROM query q LEFT JOIN query_vector qv ON qv.query_id = q.id
                UNION ALL
                SELECT user_id, ts, 2, x.id, NULL, iv.text_vector, x.rating, x.action FROM interaction x
                  LEFT JOIN item_vector iv ON iv.item_id = x.item_id
                ORDER BY 1, 2, 3, 4
                """)
            func vec(_ d: Data?) -> [Float]? { d.flatMap { VectorBlob.decode([UInt8]($0)) } }
            while let row = try cursor.next() {
                let user: Int64 = row[0]
                guard let kind = ProfileRule.EventKind(rawValue: row[2]),
                      let (vector, weight) = rule.contribution(kind, own: vec(row[4]), item: vec(row[5]), rating: row[6],
                                                               action: (row[7] as Int?).flatMap(Action.init(code:))),
                      vector.count == dimension else { continue }
                sums[user, default: DecayedSum(dimension: dimension)].add(vector, weight: weight, at: row[1], rate: rate)
            }
            try db.execute(sql: "DELETE FROM user_profile")
            let insert = try RawStatement(db, "INSERT INTO user_profile(user_id, model_version, sum, weight, ts, events) VALUES (?, ?, ?, ?, ?, ?)")
            for (user, p) in sums.sorted(by: { $0.key < $1.key }) where !p.isEmpty {
                try ProfileWriter.bind(insert, user: user, profile: p, version: version)
            }
            return sums.count
        }
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
    private var touched: [Int64: DecayedSum] = [:]

    init(_ db: Database, rule: ProfileRule, version: Int, dimension: Int) throws {
        self.rule = rule
        self.version = version
        self.dimension = dimension
        select = try RawStatement(db, "SELECT model_version, sum, weight, ts, events FROM user_profile WHERE user_id = ?")
        upsert = try RawStatement(db, "INSERT OR REPLACE INTO user_profile(user_id, model_version, sum, weight, ts, events) VALUES (?, ?, ?, ?, ?, ?)")
        itemVector = try RawStatement(db, "SELECT text_vector FROM item_vector WHERE item_id = ?")
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
        guard let (v, w) = rule.contribution(kind, own: own, item: itemV, rating: rating, action: action),
              v.count == dimension else { return }
        var p = try touched[user] ?? load(user)
        p.add(v, weight: w, at: time, rate: rule.decayRate)
        touched[user] = p
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
        for (user, p) in touched.sorted(by: { $0.key < $1.key }) {
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
