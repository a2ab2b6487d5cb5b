import Foundation
import GRDB
import InterestCore

/// How a generation's profiles are built: the rule, and the text encoder whose vectors they sum.
public struct ProfileBuild: Sendable {
    public let rule: ProfileRule
    public let version: Int
    public let dimension: Int

    public init(rule: ProfileRule, version: Int, dimension: Int) {
        self.rule = rule
        self.version = version
        self.dimension = dimension
    }
}

/// Writes of a training run into the tables of the generation it builds (`<table>_build`), a
/// chunk per transaction so ingest and forget interleave. Rows whose event or user was forgotten
/// meanwhile are skipped (never a foreign-key failure at the end of a long run), and each chunk
/// records the run's heartbeat (`beginGeneration`).
extension InterestStore {
    /// Rows per step of a build write (a transaction takes steps until its time is up).
    static let buildChunk = 100
    /// How long a build transaction holds the database's single writer, at most about (a step
    /// more): ingest and forget wait at most this long for a training run — also when the run
    /// works at a low CPU priority and is slowed by the requests it gives way to.
    static let buildTransactionBudget: Duration = .milliseconds(8)
    /// How long one chunk of the profile rebuild reads and sums, about (``buildProfiles``).
    static let profileReadBudget: Duration = .milliseconds(200)

    /// Writes `rows` in steps of `chunk`, in transactions of about `buildTransactionBudget`
    /// each, every one with the run's heartbeat.
    func writeChunked<Element>(_ operation: String, _ build: GenerationBuild, _ rows: [Element], chunk: Int = buildChunk,
                               _ body: (Database, ArraySlice<Element>) throws -> Void) throws(StoreError) {
        var start = 0
        let clock = ContinuousClock()
        repeat {
            try buildWrite(operation) { db in
                try Self.heartbeat(db, build.id)
                let began = clock.now
                repeat {
                    let end = min(rows.count, start + max(1, chunk))
                    try body(db, rows[start..<end])
                    start = end
                } while start < rows.count && clock.now - began < Self.buildTransactionBudget
            }
        } while start < rows.count
    }

    /// Reviews (or queries) with row ids in (`after`, `upTo`], oldest first, at most `limit`. One read.
    public func eventTexts(_ kind: EventTextKind, after: Int64, upTo: Int64, limit: Int) throws(StoreError) -> [EventTextRow] {
        try read("reading event texts") { db in
            let sql = kind == .review
                ? "SELECT id, item_id, text FROM review WHERE id > ? AND id <= ? ORDER BY id LIMIT ?"
                : "SELECT id, NULL, text FROM query WHERE id > ? AND id <= ? ORDER BY id LIMIT ?"
            return try Row.fetchAll(db, sql: sql, arguments: [after, upTo, limit]).map { EventTextRow(id: $0[0], itemID: $0[1], text: $0[2]) }
        }
    }

    /// Stores texts' vectors and (parallel to `rows`, when given) their candidate terms in the
    /// build tables; texts forgotten since they were read are skipped.
    public func writeEventVectors(_ kind: EventTextKind, version: Int, _ rows: [(Int64, [Float]?)], terms: [String?] = [],
                                  build: GenerationBuild) throws(StoreError) {
        let indexed = Array(rows.enumerated())
        try writeChunked("writing text vectors", build, indexed) { db, part in
            let (table, key, events) = kind == .review ? (TableSet.building.name(.reviewVector), "review_id", "review")
                                                       : (TableSet.building.name(.queryVector), "query_id", "query")
            let s = try RawStatement(db, """
                INSERT OR REPLACE INTO \(table)(\(key), model_version, vector, terms) SELECT ?1, ?2, ?3, ?4
                WHERE EXISTS (SELECT 1 FROM \(events) WHERE id = ?1)
                """)
            for (k, (id, vector)) in part {
                s.reset()
                s.bind(1, id)
                s.bind(2, Int64(version))
                s.bind(3, vector.map(VectorBlob.encode))
                s.bind(4, k < terms.count ? terms[k] : nil)
                try s.step()
            }
        }
    }

    /// Stores every item's vector in the build tables: its own text's vector (`texts`, by item
    /// row id) and the sum of the review vectors already built, per chunk of items read and
    /// written in one transaction (so a forget between chunks is reflected exactly).
    public func writeItemVectors(version: Int, texts: [(item: Int64, vector: [Float]?)], build: GenerationBuild) throws(StoreError) {
        try writeChunked("writing item vectors", build, texts, chunk: 200) { db, part in
            guard let lo = part.first?.item, let hi = part.last?.item else { return }
            var sums = VectorSums<Int64>()
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT r.item_id, v.vector FROM review r JOIN \(TableSet.building.name(.reviewVector)) v ON v.review_id = r.id
                WHERE r.item_id BETWEEN ? AND ? AND v.vector IS NOT NULL ORDER BY r.item_id, r.id
                """, arguments: [lo, hi])
            while let row = try cursor.next() {
                guard let data = row[1] as Data?, let v = VectorBlob.decode([UInt8](data)) else { continue }
                sums.add(row[0], v)
            }
            let s = try RawStatement(db, """
                INSERT INTO \(TableSet.building.name(.itemVector))(item_id, model_version, text_vector, review_sum, review_count, vector)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
            for (item, own) in part {
                let sum = sums[item]
                s.reset()
                s.bind(1, item)
                s.bind(2, Int64(version))
                s.bind(3, own.map(VectorBlob.encode))
                s.bind(4, sum.map { VectorBlob.encode($0.sum) })
                s.bind(5, Int64(sum?.count ?? 0))
                s.bind(6, ItemVectorRule.combine(text: own, reviewSum: sum?.sum, reviewCount: sum?.count ?? 0).map(VectorBlob.encode))
                try s.step()
            }
        }
    }

    /// Stores the candidate terms of items' own texts in the build tables.
    public func writeItemTextTerms(version: Int, _ rows: [(item: Int64, terms: String)], build: GenerationBuild) throws(StoreError) {
        try writeChunked("writing item text terms", build, rows) { db, part in
            let s = try RawStatement(db, "INSERT INTO \(TableSet.building.name(.itemTextTerm))(item_id, model_version, terms) VALUES (?, ?, ?)")
            for r in part {
                s.reset()
                s.bind(1, r.item)
                s.bind(2, Int64(version))
                s.bind(3, r.terms)
                try s.step()
            }
        }
    }

    /// Stores the term vocabulary in the build tables.
    public func writeTerms(version: Int, _ terms: [TermRow], build: GenerationBuild) throws(StoreError) {
        try writeChunked("writing terms", build, terms) { db, part in
            let s = try RawStatement(db, """
                INSERT INTO \(TableSet.building.name(.term))(term, kind, document_frequency, model_version, vector, specificity) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for t in part {
                s.reset()
                s.bind(1, t.term)
                s.bind(2, Int64(t.kind))
                s.bind(3, Int64(t.documentFrequency))
                s.bind(4, Int64(version))
                s.bind(5, t.vector.map(VectorBlob.encode))
                s.bind(6, t.specificity)
                try s.step()
            }
        }
    }

    /// Stores every item's review terms (item row id, term, share of its reviews) in the build tables.
    public func writeItemTerms(_ rows: [(item: Int64, term: String, share: Double)], build: GenerationBuild) throws(StoreError) {
        try writeChunked("writing item terms", build, rows) { db, part in
            let s = try RawStatement(db, "INSERT INTO \(TableSet.building.name(.itemTerm))(item_id, term, share) VALUES (?, ?, ?)")
            for r in part {
                s.reset()
                s.bind(1, r.item)
                s.bind(2, r.term)
                s.bind(3, r.share)
                try s.step()
            }
        }
    }

    /// Stores every item's neighbours in the build tables.
    public func writeItemNeighbours(_ rows: [ItemNeighbourRow], build: GenerationBuild) throws(StoreError) {
        try writeChunked("writing item neighbours", build, rows) { db, part in
            let s = try RawStatement(db, "INSERT INTO \(TableSet.building.name(.itemNeighbour))(item_id, neighbour_id, score, users) VALUES (?, ?, ?, ?)")
            for r in part {
                s.reset()
                s.bind(1, r.item)
                s.bind(2, r.neighbour)
                s.bind(3, r.score)
                s.bind(4, Int64(r.users))
                try s.step()
            }
        }
    }

    /// Stores a factor model: a new `cf` model version of the generation and its factors in the
    /// build tables (users forgotten since training read them are skipped).
    @discardableResult
    public func writeFactors(parameters: String, payload: [UInt8], users: [(Int64, [Float])], items: [(Int64, [Float], Float?)],
                             build: GenerationBuild) throws(StoreError) -> Int {
        let version = try write("saving factors") { db in
            try Self.heartbeat(db, build.id)
            return try Self.insertModel(db, kind: "cf", parameters: parameters, payload: payload, generation: build.id)
        }
        try writeChunked("saving user factors", build, users) { db, part in
            let u = try RawStatement(db, """
                INSERT INTO \(TableSet.building.name(.userFactor))(user_id, model_version, vector) SELECT ?1, ?2, ?3
                WHERE EXISTS (SELECT 1 FROM user WHERE id = ?1)
                """)
            for (id, v) in part {
                u.reset()
                u.bind(1, id)
                u.bind(2, Int64(version))
                u.bind(3, VectorBlob.encode(v))
                try u.step()
            }
        }
        try writeChunked("saving item factors", build, items) { db, part in
            let it = try RawStatement(db, "INSERT INTO \(TableSet.building.name(.itemFactor))(item_id, model_version, vector, bias) VALUES (?, ?, ?, ?)")
            for (id, v, b) in part {
                it.reset()
                it.bind(1, id)
                it.bind(2, Int64(version))
                it.bind(3, VectorBlob.encode(v))
                it.bind(4, b.map(Double.init))
                try it.step()
            }
        }
        return version
    }

    /// Builds every user's profile from the generation's vectors under `profile.rule`, from the
    /// events up to the generation's watermark (what came later is caught up with), a chunk of
    /// users at a time: each user's events are read through the (user, time) indexes and folded
    /// in (time, kind, row) order, as `ProfileWriter` folds them at ingest. Returns the number
    /// of users with a profile.
    ///
    /// A chunk is read and summed in a read transaction (a snapshot: the events up to the
    /// watermark and the build's own vectors do not change under it), then written in a short
    /// build transaction that skips users forgotten in between — so the writer is held for the
    /// inserts only, not for the reading and summing, which a run at low CPU priority does
    /// slowly while requests take the CPU. The users per chunk adapt so that a chunk's read
    /// takes about `profileReadBudget` (a read blocks nobody; larger chunks mean fewer
    /// queries), and its profiles are written in build transactions of `buildTransactionBudget`.
    @discardableResult
    public func buildProfiles(_ profile: ProfileBuild, build: GenerationBuild) throws(StoreError) -> Int {
        var after: Int64 = 0
        var built = 0
        var usersPerChunk = 200
        let mark = build.watermark
        let clock = ContinuousClock()
        while true {
            let began = clock.now
            let (last, sums) = try read("building profiles") { db -> (Int64?, [(Int64, DecayedSum)]) in
                let ids = try Int64.fetchAll(db, sql: "SELECT id FROM user WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, usersPerChunk])
                guard let lo = ids.first, let hi = ids.last else { return (nil, []) }
                let (rv, qv, iv) = (TableSet.building.name(.reviewVector), TableSet.building.name(.queryVector), TableSet.building.name(.itemVector))
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT r.user_id, r.ts, 0, r.id, rv.vector, iv.text_vector, r.rating, NULL FROM review r
                      LEFT JOIN \(rv) rv ON rv.review_id = r.id LEFT JOIN \(iv) iv ON iv.item_id = r.item_id
                      WHERE r.user_id BETWEEN ?1 AND ?2 AND r.id <= ?3
                    UNION ALL
                    SELECT q.user_id, q.ts, 1, q.id, qv.vector, NULL, NULL, NULL FROM query q LEFT JOIN \(qv) qv ON qv.query_id = q.id
                      WHERE q.user_id BETWEEN ?1 AND ?2 AND q.id <= ?4
                    UNION ALL
                    SELECT x.user_id, x.ts, 2, x.id, NULL, iv.text_vector, x.rating, x.action FROM interaction x
                      LEFT JOIN \(iv) iv ON iv.item_id = x.item_id
                      WHERE x.user_id BETWEEN ?1 AND ?2 AND x.id <= ?5
                    ORDER BY 1, 2, 3, 4
                    """, arguments: [lo, hi, mark.review, mark.query, mark.interaction])
                var accumulator = ProfileAccumulator(rule: profile.rule, dimension: profile.dimension)
                func vec(_ d: Data?) -> [Float]? { d.flatMap { VectorBlob.decode([UInt8]($0)) } }
                while let row = try cursor.next() {
                    guard let kind = ProfileRule.EventKind(rawValue: row[2]) else { continue }
                    accumulator.add(user: row[0], kind: kind, own: vec(row[4]), item: vec(row[5]), rating: row[6],
                                    action: (row[7] as Int?).flatMap(Action.init(code:)), at: row[1], loaded: DecayedSum(dimension: profile.dimension))
                }
                return (hi, accumulator.sums.sorted { $0.key < $1.key })
            }
            guard let last else { return built }
            let took = clock.now - began
            let upsertSQL = """
                INSERT OR REPLACE INTO \(TableSet.building.name(.userProfile))(user_id, model_version, sum, weight, ts, events)
                SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM user WHERE id = ?1)
                """
            try writeChunked("building profiles", build, sums, chunk: 100) { db, part in
                let upsert = try RawStatement(db, upsertSQL)
                for (user, sum) in part {
                    try ProfileWriter.bind(upsert, user: user, profile: sum, version: profile.version)
                    built += db.changesCount
                }
            }
            after = last
            if took > Self.profileReadBudget * 2 { usersPerChunk = max(10, usersPerChunk / 2) }
            if took < Self.profileReadBudget / 2 { usersPerChunk = min(20_000, usersPerChunk * 2) }
        }
    }
}
