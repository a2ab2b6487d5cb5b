import Foundation
import InterestCore
import NIOCore
import PostgresNIO

/// The text models' reads on PostgreSQL, answering as the SQLite file's do
/// (`InterestStore+Vectors.swift`, `+Texts.swift`, `+UserEvents.swift`): the texts a training run
/// reads (pages of `pageRows` by id, in one snapshot), and the vectors, terms and profiles
/// serving reads — per user through the `(user_id, …)` keys, whole item tables once per model.
extension PostgresStore {
    /// Rows per page of a long read taken in one snapshot.
    static let pageRows = 20_000

    /// A `bytea` cell as 32-bit floats (nil: NULL or not a whole number of floats).
    static func floats(_ cell: PostgresCell) throws -> [Float]? {
        try cell.decode(ByteBuffer?.self).flatMap { VectorBlob.decode(Array($0.readableBytesView)) }
    }

    public func hasText() throws(StoreError) -> Bool {
        try pool.transaction("checking for texts", readOnly: true) { s in
            try s.value("""
                SELECT EXISTS(SELECT 1 FROM review) OR EXISTS(SELECT 1 FROM query)
                    OR EXISTS(SELECT 1 FROM item WHERE title IS NOT NULL OR text IS NOT NULL)
                """, as: Bool.self) ?? false
        }
    }

    /// Every text — item titles, item descriptions, reviews, queries — in batches of
    /// `batchSize`, read in pages by id in one snapshot (events in id windows, ``idWindows``).
    /// Returns the count.
    @discardableResult
    public func forEachText(batchSize: Int = 50_000, _ body: ([String]) throws -> Void) throws(StoreError) -> Int {
        summarizeEventOrder()
        return try pool.transaction("reading texts", readOnly: true) { s -> Int in
            try withoutActuallyEscaping(body) { body in
                var batches = TextBatches(size: batchSize, body)
                for column in ["title", "text"] {
                    var after: Int64 = 0
                    while true {
                        var binds = PostgresBindings()
                        binds.append(after)
                        let page = try s.rows("SELECT id, \(column) FROM item WHERE \(column) IS NOT NULL AND id > $1 ORDER BY id LIMIT \(Self.pageRows)", binds)
                        guard let last = page.last else { break }
                        after = try last[0].decode(Int64.self)
                        for row in page { try batches.append(try row[1].decode(String.self)) }
                    }
                }
                for table in ["review", "query"] {
                    var after: Int64 = 0
                    while let page = try Self.idWindow(s, "SELECT id, text FROM \(table)", table: table, after: after, upTo: .max, limit: Self.pageRows) {
                        after = page.through
                        for row in page.rows { try batches.append(try row[1].decode(String.self)) }
                    }
                }
                try batches.flush()
                return batches.total
            }
        }
    }

    public func eventTexts(_ kind: EventTextKind, after: Int64, upTo: Int64, limit: Int) throws(StoreError) -> [EventTextRow] {
        guard limit > 0 else { return [] }
        if after == 0 { summarizeEventOrder() }
        return try pool.transaction("reading event texts", readOnly: true) { s in
            let (table, sql) = kind == .review ? ("review", "SELECT id, item_id, text FROM review") : ("query", "SELECT id, NULL::bigint, text FROM query")
            return try Self.idWindow(s, sql, table: table, after: after, upTo: upTo, limit: limit)?.rows.map {
                EventTextRow(id: try $0[0].decode(Int64.self), itemID: try $0[1].decode(Int64?.self), text: try $0[2].decode(String.self))
            } ?? []
        }
    }

    /// Summarizes the id ranges of the event tables' BRIN indexes that autovacuum has not yet
    /// (after a bulk ingest: all of them), so a run's id windows read only their own pages.
    /// Best effort: a role that may not do it reads the unsummarized ranges whole.
    func summarizeEventOrder() {
        _ = try? pool.transaction("summarizing the event order indexes") { s in
            for index in ["review_by_id", "query_by_id", "interaction_by_id"] {
                try s.execute("SELECT brin_summarize_new_values('\(index)'::regclass)")
            }
        }
    }

    /// The rows of `select` (whose first column is `id`) with ids in the first window of
    /// `limit` consecutive ids past `after` that holds any, up to `upTo`, by id — at most
    /// `limit` rows, so a page never sorts more than it returns, and each window is read from
    /// the pages holding it (the BRIN index on `id`). nil past the table's last id. Ids have
    /// gaps (a duplicate or rolled-back insert draws one too), so empty windows are skipped.
    static func idWindow(_ s: PostgresSession, _ select: String, table: String, after: Int64, upTo: Int64,
                         limit: Int) throws -> (rows: [PostgresRandomAccessRow], through: Int64)? {
        var bindsLast = PostgresBindings()
        bindsLast.append(table)
        let handedOut = try s.value("SELECT pg_sequence_last_value(pg_get_serial_sequence($1, 'id')::regclass)", bindsLast, as: Int64.self) ?? 0
        var lo = after
        let end = min(upTo, handedOut)
        while lo < end {
            let hi = lo > end - Int64(limit) ? end : lo + Int64(limit)
            var binds = PostgresBindings()
            binds.append(lo)
            binds.append(hi)
            let rows = try s.rows("\(select) WHERE id > $1 AND id <= $2 ORDER BY id", binds)
            if !rows.isEmpty { return (rows, hi) }
            lo = hi
        }
        return nil
    }

    public func itemTexts() throws(StoreError) -> [ItemTextRow] {
        try pool.transaction("reading item texts", readOnly: true) { s in
            try s.rows("SELECT id, external_id, title, text FROM item ORDER BY id").map {
                ItemTextRow(id: try $0[0].decode(Int64.self), external: try $0[1].decode(String.self), title: try $0[2].decode(String?.self),
                            text: try $0[3].decode(String?.self))
            }
        }
    }

    public func itemVectors() throws(StoreError) -> [(item: String, vector: [Float])] {
        try pool.transaction("reading item vectors", readOnly: true) { s in
            try s.rows("SELECT i.external_id, v.vector FROM item_vector v JOIN item i ON i.id = v.item_id WHERE v.vector IS NOT NULL ORDER BY i.id")
                .compactMap { row in try Self.floats(row[1]).map { (try row[0].decode(String.self), $0) } }
        }
    }

    public func itemTerms(_ items: [String]) throws(StoreError) -> [String: [(term: String, share: Double)]] {
        guard !items.isEmpty else { return [:] }
        return try pool.transaction("reading item terms", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(Array(Set(items)))
            var out: [String: [(term: String, share: Double)]] = [:]
            for row in try s.rows("""
                SELECT i.external_id, t.term, t.share FROM item i JOIN item_term t ON t.item_id = i.id
                WHERE i.external_id = ANY($1) ORDER BY i.external_id, t.share DESC, t.term COLLATE "C"
                """, binds) {
                out[try row[0].decode(String.self), default: []].append((try row[1].decode(String.self), try row[2].decode(Double.self)))
            }
            return out
        }
    }

    public func termDocuments() throws(StoreError) -> (reviewTerms: [String: [(term: String, reviews: Double)]], textTerms: [String: String]) {
        try pool.transaction("reading item term documents", readOnly: true) { s in
            var reviewTerms: [String: [(term: String, reviews: Double)]] = [:]
            for row in try s.rows("""
                SELECT i.external_id, t.term, t.share * coalesce(v.review_count, 1) FROM item_term t JOIN item i ON i.id = t.item_id
                LEFT JOIN item_vector v ON v.item_id = t.item_id ORDER BY t.item_id, t.term COLLATE "C"
                """) {
                reviewTerms[try row[0].decode(String.self), default: []].append((try row[1].decode(String.self), try row[2].decode(Double.self)))
            }
            var textTerms: [String: String] = [:]
            for row in try s.rows("SELECT i.external_id, it.terms FROM item_text_term it JOIN item i ON i.id = it.item_id") {
                textTerms[try row[0].decode(String.self)] = try row[1].decode(String.self)
            }
            return (reviewTerms, textTerms)
        }
    }

    public func reviewVectors(ofUsers users: [Int64], in tables: TableSet) throws(StoreError) -> [ReviewVectorRow] {
        try reviewVectors(column: "user_id", users, in: tables)
    }

    public func reviewVectors(ofItems items: [Int64], in tables: TableSet) throws(StoreError) -> [ReviewVectorRow] {
        try reviewVectors(column: "item_id", items, in: tables)
    }

    private func reviewVectors(column: String, _ ids: [Int64], in tables: TableSet) throws(StoreError) -> [ReviewVectorRow] {
        guard !ids.isEmpty else { return [] }
        return try pool.transaction("reading review vectors", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(Array(Set(ids)))
            return try s.rows("""
                SELECT r.id, r.user_id, r.item_id, v.vector, r.ts, r.rating FROM review r
                JOIN \(tables.name(.reviewVector)) v ON v.user_id = r.user_id AND v.review_id = r.id WHERE r.\(column) = ANY($1) ORDER BY r.id
                """, binds).compactMap { row in
                try Self.floats(row[3]).map {
                    ReviewVectorRow(id: try row[0].decode(Int64.self), user: try row[1].decode(Int64.self), item: try row[2].decode(Int64.self),
                                    vector: $0, timestamp: try row[4].decode(Int64.self), rating: try row[5].decode(Double?.self))
                }
            }
        }
    }

    public func queryVectors(ofUsers users: [Int64], in tables: TableSet) throws(StoreError) -> [(id: Int64, user: Int64, timestamp: Int64, vector: [Float])] {
        guard !users.isEmpty else { return [] }
        return try pool.transaction("reading query vectors", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(Array(Set(users)))
            return try s.rows("""
                SELECT q.id, q.user_id, q.ts, v.vector FROM query q JOIN \(tables.name(.queryVector)) v ON v.user_id = q.user_id AND v.query_id = q.id
                WHERE q.user_id = ANY($1) ORDER BY q.id
                """, binds).compactMap { row in
                try Self.floats(row[3]).map { (try row[0].decode(Int64.self), try row[1].decode(Int64.self), try row[2].decode(Int64.self), $0) }
            }
        }
    }

    public func itemVectorRows(in tables: TableSet) throws(StoreError) -> [Int64: ItemVectorRow] {
        try pool.transaction("reading item vectors", readOnly: true) { s in
            var out: [Int64: ItemVectorRow] = [:]
            for row in try s.rows("SELECT item_id, text_vector, review_sum, review_count, vector FROM \(tables.name(.itemVector))") {
                let id = try row[0].decode(Int64.self)
                out[id] = ItemVectorRow(itemID: id, textVector: try Self.floats(row[1]), reviewSum: try Self.floats(row[2]),
                                        reviewCount: Int(try row[3].decode(Int32.self)), vector: try Self.floats(row[4]))
            }
            return out
        }
    }

    public func itemVectorMatrix(rowOf: [Int64: Int], rows: Int, dimension: Int, in tables: TableSet) throws(StoreError) -> [Float] {
        var out = [Float](repeating: 0, count: max(0, rows) * max(0, dimension))
        guard dimension > 0 else { return out }
        let catalogue = DenseIDMap(rowOf, count: rows)
        let stored = try pool.transaction("reading item vectors", readOnly: true) { s in
            try s.rows("SELECT item_id, vector FROM \(tables.name(.itemVector)) WHERE vector IS NOT NULL")
                .map { (try $0[0].decode(Int64.self), try Self.floats($0[1])) }
        }
        for (item, vector) in stored {
            guard let r = catalogue[item], let vector, vector.count == dimension else { continue }
            let base = Int(r) * dimension
            for k in 0..<dimension { out[base + k] = vector[k] }
        }
        return out
    }

    public func profileDirections(version: Int) throws(StoreError) -> [Int64: [Float]] {
        try pool.transaction("reading profiles", readOnly: true) { s in
            var out: [Int64: [Float]] = [:]
            var after: Int64 = 0
            while true {
                var binds = PostgresBindings()
                binds.append(Int32(version))
                binds.append(after)
                let page = try s.rows("""
                    SELECT user_id, sum FROM user_profile WHERE model_version = $1 AND user_id > $2 ORDER BY user_id LIMIT \(Self.pageRows)
                    """, binds)
                guard let last = page.last else { return out }
                after = try last[0].decode(Int64.self)
                for row in page {
                    guard let sum = try row[1].decode(ByteBuffer?.self).flatMap({ DoubleVectorBlob.decode(Array($0.readableBytesView)) }) else { continue }
                    let n = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    if n > 0 { out[try row[0].decode(Int64.self)] = sum.map { Float($0 / n) } }
                }
            }
        }
    }

    public func terms(named names: Set<String>) throws(StoreError) -> [String: TermRow] {
        guard !names.isEmpty else { return [:] }
        return try pool.transaction("reading terms", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(Array(names))
            var out: [String: TermRow] = [:]
            for row in try s.rows("SELECT term, kind, document_frequency, vector, specificity FROM term WHERE term = ANY($1)", binds) {
                let t = try Self.termRow(row)
                out[t.term] = t
            }
            return out
        }
    }

    public func terms() throws(StoreError) -> [TermRow] {
        try pool.transaction("reading terms", readOnly: true) { s in
            try s.rows("SELECT term, kind, document_frequency, vector, specificity FROM term ORDER BY id").map(Self.termRow)
        }
    }

    private static func termRow(_ row: PostgresRandomAccessRow) throws -> TermRow {
        TermRow(term: try row[0].decode(String.self), kind: Int(try row[1].decode(Int16.self)), documentFrequency: Int(try row[2].decode(Int32.self)),
                vector: try floats(row[3]), specificity: try row[4].decode(Double?.self))
    }

    /// Per user: the sum and count of their review and query vectors (reviews, then queries,
    /// each in (time, key) order, as on SQLite; batch jobs: O(texts), read in pages of users).
    public func userTextVectorSums() throws(StoreError) -> [String: (sum: [Float], count: Int)] {
        try pool.transaction("reading user text vectors", readOnly: true) { s in
            var out = VectorSums<String>()
            for (events, vectors, key) in [("review", "review_vector", "review_id"), ("query", "query_vector", "query_id")] {
                var after: Int64 = 0
                while true {
                    var binds = PostgresBindings()
                    binds.append(after)
                    let page = try s.rows("""
                        SELECT u.id, u.external_id, v.vector FROM (SELECT id, external_id FROM "user" WHERE id > $1 ORDER BY id LIMIT 2000) u
                        LEFT JOIN \(events) e ON e.user_id = u.id LEFT JOIN \(vectors) v ON v.user_id = e.user_id AND v.\(key) = e.id
                        ORDER BY u.id, e.ts, e.key
                        """, binds)
                    guard let last = page.last else { break }
                    after = try last[0].decode(Int64.self)
                    for row in page {
                        guard let v = try Self.floats(row[2]) else { continue }
                        out.add(try row[1].decode(String.self), v)
                    }
                }
            }
            return out.sums
        }
    }

    public func userTextState(_ external: String) throws(StoreError) -> UserTextState? {
        try pool.transaction("reading the text vectors of user '\(external)'", readOnly: true) { s -> UserTextState? in
            guard let uid = try Self.userID(s, external) else { return nil }
            var binds = PostgresBindings()
            binds.append(uid)
            var sum: [Float]?
            for row in try s.rows("""
                SELECT v.vector FROM (
                    SELECT 0 AS kind, r.id, v.vector FROM review r JOIN review_vector v ON v.user_id = r.user_id AND v.review_id = r.id WHERE r.user_id = $1
                    UNION ALL SELECT 1, q.id, v.vector FROM query q JOIN query_vector v ON v.user_id = q.user_id AND v.query_id = q.id WHERE q.user_id = $1
                ) AS v WHERE v.vector IS NOT NULL ORDER BY kind, id
                """, binds) {
                guard let v = try Self.floats(row[0]) else { continue }
                if sum == nil { sum = v } else { sum?.add(v) }
            }
            let items = try s.rows("""
                SELECT i.external_id FROM item i WHERE i.id IN (SELECT item_id FROM review WHERE user_id = $1 UNION SELECT item_id FROM interaction WHERE user_id = $1)
                """, binds).map { try $0[0].decode(String.self) }
            return UserTextState(sum: sum, items: Set(items))
        }
    }
}
