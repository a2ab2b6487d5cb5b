import Foundation
import GRDB
import InterestCore

/// What a catch-up step needs from the text stage: the encoder (as a function, so the store
/// knows nothing of models), its version, and how profiles are built.
public struct CatchUpText: Sendable {
    /// Texts → (vector, stored candidate terms), one per text.
    public let encode: @Sendable ([String]) -> [(vector: [Float]?, terms: String?)]
    public let version: Int
    public let profile: ProfileBuild?
    /// Texts encoded per transaction (a transformer encoder is slow: fewer).
    public let textsPerStep: Int

    public init(version: Int, profile: ProfileBuild?, textsPerStep: Int,
                encode: @escaping @Sendable ([String]) -> [(vector: [Float]?, terms: String?)]) {
        self.encode = encode
        self.version = version
        self.profile = profile
        self.textsPerStep = textsPerStep
    }
}

/// Catch-up: the events ingested while a generation was being built, brought into its tables
/// before activation — review and query vectors by the new encoder (added to their items' review
/// sums), item texts written since the snapshot, and every new event's profile contribution —
/// so no vector of the new generation mixes two encoders and its item sums equal a batch
/// computation over every review.
extension InterestStore {
    /// One catch-up step in one write transaction: at most `text.textsPerStep` texts of each
    /// kind and item records past `mark`, and interactions past it (ten times as many). Returns
    /// the advanced watermark and the number of rows brought in (0: caught up).
    public func catchUp(_ build: GenerationBuild, from mark: GenerationWatermark, text: CatchUpText) throws(StoreError) -> (GenerationWatermark, Int) {
        try write("catching up generation \(build.id)") { db in
            try Self.heartbeat(db, build.id)
            return try Self.catchUpStep(db, from: mark, text: text, limit: text.textsPerStep)
        }
    }

    /// Everything past `mark`, inside the caller's transaction (activation's tail).
    public static func catchUpAll(_ db: Database, from mark: GenerationWatermark, text: CatchUpText) throws {
        var mark = mark
        while true {
            let (next, rows) = try catchUpStep(db, from: mark, text: text, limit: text.textsPerStep)
            if rows == 0 { return }
            mark = next
        }
    }

    static func catchUpStep(_ db: Database, from mark: GenerationWatermark, text: CatchUpText, limit: Int) throws -> (GenerationWatermark, Int) {
        var next = mark
        var rows = 0
        let vectors = try VectorWriter(db, tables: .building)
        var profiles = try text.profile.map { try ProfileWriter(db, rule: $0.rule, version: $0.version, dimension: $0.dimension, tables: .building) }

        // Item records first: a review's profile contribution reads its item's text vector.
        let items = try Row.fetchAll(db, sql: "SELECT id, title, text, revision FROM item WHERE revision > ? ORDER BY revision LIMIT ?",
                                     arguments: [mark.itemRevision, limit])
        let itemTexts: [(Int64, String)] = items.compactMap { row in
            let parts = [row[1] as String?, row[2] as String?].compactMap { $0 }.filter { !$0.isEmpty }
            return parts.isEmpty ? nil : (row[0], parts.joined(separator: ". "))
        }
        for ((item, _), encoded) in zip(itemTexts, text.encode(itemTexts.map(\.1))) {
            try vectors.setItemText(item, encoded.vector, terms: encoded.terms, version: text.version)
        }
        if let last = items.last { next.itemRevision = last[3] }
        rows += items.count

        let reviews = try Row.fetchAll(db, sql: "SELECT id, user_id, item_id, rating, ts, text FROM review WHERE id > ? ORDER BY id LIMIT ?",
                                       arguments: [mark.review, limit])
        for (row, encoded) in zip(reviews, text.encode(reviews.map { $0[5] })) {
            let id: Int64 = row[0], item: Int64 = row[2]
            try vectors.addReview(id, item: item, encoded.vector, terms: encoded.terms, version: text.version)
            try profiles?.add(user: row[1], kind: .review, own: encoded.vector, item: item, rating: row[3], action: nil, at: row[4])
        }
        if let last = reviews.last { next.review = last[0] }
        rows += reviews.count

        let queries = try Row.fetchAll(db, sql: "SELECT id, user_id, ts, text FROM query WHERE id > ? ORDER BY id LIMIT ?",
                                       arguments: [mark.query, limit])
        for (row, encoded) in zip(queries, text.encode(queries.map { $0[3] })) {
            try vectors.addQuery(row[0], encoded.vector, terms: encoded.terms, version: text.version)
            try profiles?.add(user: row[1], kind: .query, own: encoded.vector, item: nil, rating: nil, action: nil, at: row[2])
        }
        if let last = queries.last { next.query = last[0] }
        rows += queries.count

        let interactions = try Row.fetchAll(db, sql: "SELECT id, user_id, item_id, action, rating, ts FROM interaction WHERE id > ? ORDER BY id LIMIT ?",
                                            arguments: [mark.interaction, limit * 10])
        for row in interactions {
            try profiles?.add(user: row[1], kind: .interaction, own: nil, item: row[2], rating: row[4],
                              action: (row[3] as Int?).flatMap(Action.init(code:)), at: row[5])
        }
        if let last = interactions.last { next.interaction = last[0] }
        rows += interactions.count
        try profiles?.flush()
        return (next, rows)
    }
}
