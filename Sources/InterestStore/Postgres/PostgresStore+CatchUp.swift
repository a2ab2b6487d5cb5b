import Foundation
import InterestCore
import NIOCore
import PostgresNIO

/// Catch-up on PostgreSQL (see `InterestStore+CatchUp.swift`): the events ingested while a
/// generation was built, brought into its text tables before activation. Each step holds the
/// write barrier exclusively (``writeBarrier``), as a step on SQLite holds the single writer:
/// with no event write in flight, every id below the highest committed one is committed, so
/// walking ids upwards skips nothing; writers wait for one step (a bounded number of texts).
extension PostgresStore {
    public func catchUp(_ build: GenerationBuild, from mark: GenerationWatermark, text: CatchUpText) throws(StoreError) -> (GenerationWatermark, Int) {
        try pool.transaction("catching up generation \(build.id)", retries: 0) { s in
            try s.execute("SELECT pg_advisory_xact_lock(\(Self.writeBarrier))")
            try Self.heartbeat(s, build.id)
            return try Self.catchUpStep(s, from: mark, text: text, limit: text.textsPerStep)
        }
    }

    public func activateGeneration(_ build: GenerationBuild, report: String?, catchingUpFrom mark: GenerationWatermark,
                                   text: CatchUpText) throws(StoreError) -> Int {
        try activateGeneration(build, report: report) { s in
            var mark = mark
            while true {
                let (next, rows) = try Self.catchUpStep(s, from: mark, text: text, limit: text.textsPerStep)
                if rows == 0 { return }
                mark = next
            }
        }
    }

    /// One step inside the caller's transaction (which holds the write barrier): item records
    /// by revision first (a review's profile contribution reads its item's text vector), then
    /// reviews, queries and interactions (ten times as many) by id past `mark`.
    static func catchUpStep(_ s: PostgresSession, from mark: GenerationWatermark, text: CatchUpText, limit: Int) throws -> (GenerationWatermark, Int) {
        var next = mark
        var rows = 0
        var writer = PostgresTextWriter(s, tables: .building, version: text.version, profile: text.profile)
        func page(_ sql: String, after: Int64, limit: Int) throws -> [PostgresRandomAccessRow] {
            var binds = PostgresBindings()
            binds.append(after)
            binds.append(Int64(limit))
            return try s.rows(sql, binds)
        }

        let items = try page("SELECT id, title, text, revision FROM item WHERE revision > $1 ORDER BY revision LIMIT $2", after: mark.itemRevision, limit: limit)
        var itemTexts: [(Int64, String)] = []
        for row in items {
            let parts = [try row[1].decode(String?.self), try row[2].decode(String?.self)].compactMap { $0 }.filter { !$0.isEmpty }
            if !parts.isEmpty { itemTexts.append((try row[0].decode(Int64.self), parts.joined(separator: ". "))) }
        }
        try writer.setItemTexts(zip(itemTexts, text.encode(itemTexts.map(\.1))).map { ($0.0, $1.vector, $1.terms) })
        if let last = items.last { next.itemRevision = try last[3].decode(Int64.self) }
        rows += items.count

        let reviews = try page("SELECT id, user_id, item_id, rating, ts, text FROM review WHERE id > $1 ORDER BY id LIMIT $2", after: mark.review, limit: limit)
        let reviewTexts = try reviews.map { try $0[5].decode(String.self) }
        var newReviews: [PostgresTextWriter.Review] = []
        for (row, encoded) in zip(reviews, text.encode(reviewTexts)) {
            newReviews.append((try row[0].decode(Int64.self), try row[1].decode(Int64.self), try row[2].decode(Int64.self), encoded.vector, encoded.terms,
                               try row[3].decode(Double?.self), try row[4].decode(Int64.self)))
        }
        try writer.addReviews(newReviews)
        try writer.addToProfiles(newReviews.map { ($0.user, .review, $0.vector, $0.item, $0.rating, nil, $0.time) })
        if let last = newReviews.last { next.review = last.id }
        rows += reviews.count

        let queries = try page("SELECT id, user_id, ts, text FROM query WHERE id > $1 ORDER BY id LIMIT $2", after: mark.query, limit: limit)
        let queryTexts = try queries.map { try $0[3].decode(String.self) }
        var newQueries: [PostgresTextWriter.Query] = []
        for (row, encoded) in zip(queries, text.encode(queryTexts)) {
            newQueries.append((try row[0].decode(Int64.self), try row[1].decode(Int64.self), encoded.vector, encoded.terms, try row[2].decode(Int64.self)))
        }
        try writer.addQueries(newQueries)
        try writer.addToProfiles(newQueries.map { ($0.user, .query, $0.vector, nil, nil, nil, $0.time) })
        if let last = newQueries.last { next.query = last.id }
        rows += queries.count

        let interactions = try page("SELECT id, user_id, item_id, action, rating, ts FROM interaction WHERE id > $1 ORDER BY id LIMIT $2",
                                    after: mark.interaction, limit: limit * 10)
        try writer.addToProfiles(try interactions.map {
            (try $0[1].decode(Int64.self), .interaction, nil, try $0[2].decode(Int64.self), try $0[4].decode(Double?.self),
             Action(code: Int(try $0[3].decode(Int16.self))), try $0[5].decode(Int64.self))
        })
        if let last = interactions.last { next.interaction = try last[0].decode(Int64.self) }
        rows += interactions.count
        try writer.flush()
        return (next, rows)
    }
}
