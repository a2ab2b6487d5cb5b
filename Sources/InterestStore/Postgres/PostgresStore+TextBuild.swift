import Foundation
import InterestCore
import NIOCore
import PostgresNIO

/// A training run's text tables on PostgreSQL, written into its generation's build tables with
/// the SQLite file's semantics (`InterestStore+Build.swift`): rows go through `COPY` in
/// transactions of at most ``buildRowsPerTransaction`` rows, each with the run's heartbeat.
///
/// **Forget during a run.** A row that depends on an event or a user is written only while that
/// event or user is locked `FOR KEY SHARE` in the same transaction: a `forget` committed before
/// leaves it out (the join finds nothing), one that starts after waits for the commit and then
/// deletes it (the build tables' foreign keys cascade) or subtracts it (item review sums) — as
/// on SQLite, where each chunk holds the single writer.
extension PostgresStore {
    /// Runs `body` on consecutive chunks of `rows` in one build transaction each.
    func buildChunks<Element>(_ operation: String, _ build: GenerationBuild, _ rows: [Element], chunk: Int = buildRowsPerTransaction,
                              _ body: (PostgresSession, ArraySlice<Element>) throws -> Void) throws(StoreError) {
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + max(1, chunk))
            try pool.transaction(operation) { s in
                try Self.heartbeat(s, build.id)
                try body(s, rows[start..<end])
            }
            start = end
        }
    }

    /// Creates (once per connection) a temporary staging table emptied at commit and fills it.
    static func stage(_ s: PostgresSession, _ name: String, _ columns: String, _ copy: CopyText) throws {
        try s.execute("CREATE TEMP TABLE IF NOT EXISTS \(name) (\(columns)) ON COMMIT DELETE ROWS")
        try s.execute("TRUNCATE \(name)")
        let names = columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).split(separator: " ")[0] }.map(String.init)
        try s.copy(into: name, columns: names, copy.buffer)
    }

    public func writeEventVectors(_ kind: EventTextKind, version: Int, _ rows: [(Int64, [Float]?)], terms: [String?] = [],
                                  build: GenerationBuild) throws(StoreError) {
        let indexed = Array(rows.enumerated())
        let (table, key, events) = kind == .review ? (TableSet.building.name(.reviewVector), "review_id", "review")
                                                   : (TableSet.building.name(.queryVector), "query_id", "query")
        try buildChunks("writing text vectors", build, indexed) { s, part in
            var copy = CopyText(capacity: part.count * 300)
            for (k, (id, vector)) in part {
                copy.int(id)
                copy.bytea(vector.map(VectorBlob.encode))
                copy.text(k < terms.count ? terms[k] : nil)
                copy.endRow()
            }
            try Self.stage(s, "interests_stage_vector", "id bigint, vector bytea, terms text", copy)
            try s.execute("SELECT 1 FROM \(events) e JOIN interests_stage_vector st ON st.id = e.id FOR KEY SHARE OF e")
            try s.execute("""
                INSERT INTO \(table)(user_id, \(key), model_version, vector, terms)
                SELECT e.user_id, st.id, \(version), st.vector, st.terms FROM interests_stage_vector st JOIN \(events) e ON e.id = st.id
                ON CONFLICT (user_id, \(key)) DO UPDATE SET model_version = excluded.model_version, vector = excluded.vector, terms = excluded.terms
                """)
        }
    }

    /// Items per transaction of ``writeItemVectors(version:texts:build:)`` (each reads its
    /// items' review vectors).
    static let itemVectorChunk = 2_000

    public func writeItemVectors(version: Int, texts: [(item: Int64, vector: [Float]?)], build: GenerationBuild) throws(StoreError) {
        try buildChunks("writing item vectors", build, texts, chunk: Self.itemVectorChunk) { s, part in
            guard let lo = part.first?.item, let hi = part.last?.item else { return }
            var binds = PostgresBindings()
            binds.append(lo)
            binds.append(hi)
            var sums = VectorSums<Int64>()
            // The reviews summed are locked, so a forget waits and then subtracts them.
            for row in try s.rows("""
                SELECT r.item_id, v.vector FROM review r JOIN \(TableSet.building.name(.reviewVector)) v ON v.user_id = r.user_id AND v.review_id = r.id
                WHERE r.item_id BETWEEN $1 AND $2 AND v.vector IS NOT NULL ORDER BY r.item_id, r.id FOR KEY SHARE OF r
                """, binds) {
                guard let v = try Self.floats(row[1]) else { continue }
                sums.add(try row[0].decode(Int64.self), v)
            }
            var copy = CopyText(capacity: part.count * 800)
            for (item, own) in part {
                let sum = sums[item]
                copy.int(item)
                copy.int(Int64(version))
                copy.bytea(own.map(VectorBlob.encode))
                copy.bytea(sum.map { VectorBlob.encode($0.sum) })
                copy.int(Int64(sum?.count ?? 0))
                copy.bytea(ItemVectorRule.combine(text: own, reviewSum: sum?.sum, reviewCount: sum?.count ?? 0).map(VectorBlob.encode))
                copy.endRow()
            }
            try s.copy(into: TableSet.building.name(.itemVector), columns: ["item_id", "model_version", "text_vector", "review_sum", "review_count", "vector"],
                       copy.buffer)
        }
    }

    public func writeItemTextTerms(version: Int, _ rows: [(item: Int64, terms: String)], build: GenerationBuild) throws(StoreError) {
        try buildChunks("writing item text terms", build, rows) { s, part in
            var copy = CopyText(capacity: part.count * 120)
            for r in part {
                copy.int(r.item)
                copy.int(Int64(version))
                copy.text(r.terms)
                copy.endRow()
            }
            try s.copy(into: TableSet.building.name(.itemTextTerm), columns: ["item_id", "model_version", "terms"], copy.buffer)
        }
    }

    public func writeTerms(version: Int, _ terms: [TermRow], build: GenerationBuild) throws(StoreError) {
        try buildChunks("writing terms", build, terms) { s, part in
            var copy = CopyText(capacity: part.count * 400)
            for t in part {
                copy.text(t.term)
                copy.int(Int64(t.kind))
                copy.int(Int64(t.documentFrequency))
                copy.int(Int64(version))
                copy.bytea(t.vector.map(VectorBlob.encode))
                copy.optionalDouble(t.specificity)
                copy.endRow()
            }
            try s.copy(into: TableSet.building.name(.term), columns: ["term", "kind", "document_frequency", "model_version", "vector", "specificity"],
                       copy.buffer)
        }
    }

    public func writeItemTerms(_ rows: [(item: Int64, term: String, share: Double)], build: GenerationBuild) throws(StoreError) {
        try buildChunks("writing item terms", build, rows) { s, part in
            var copy = CopyText(capacity: part.count * 48)
            for r in part {
                copy.int(r.item)
                copy.text(r.term)
                copy.double(r.share)
                copy.endRow()
            }
            try s.copy(into: TableSet.building.name(.itemTerm), columns: ["item_id", "term", "share"], copy.buffer)
        }
    }

    /// Builds every user's profile from the generation's vectors (see
    /// ``InterestStore/buildProfiles(_:build:)``): pages of users read and summed in a
    /// snapshot, then written through a staging table in a build transaction that locks the
    /// users (a user forgotten in between is skipped; one forgotten after loses the row by
    /// cascade). Each user's events are folded in (time, kind, row) order, as at ingest.
    @discardableResult
    public func buildProfiles(_ profile: ProfileBuild, build: GenerationBuild) throws(StoreError) -> Int {
        var after: Int64 = 0
        var built = 0
        let mark = build.watermark
        let (rv, qv, iv) = (TableSet.building.name(.reviewVector), TableSet.building.name(.queryVector), TableSet.building.name(.itemVector))
        while true {
            let (last, sums) = try pool.transaction("building profiles", readOnly: true) { s -> (Int64?, [(Int64, DecayedSum)]) in
                var page = PostgresBindings()
                page.append(after)
                let ids = try s.rows("SELECT id FROM \"user\" WHERE id > $1 ORDER BY id LIMIT 2000", page).map { try $0[0].decode(Int64.self) }
                guard let lo = ids.first, let hi = ids.last else { return (nil, []) }
                var binds = PostgresBindings()
                binds.append(lo)
                binds.append(hi)
                binds.append(mark.review)
                binds.append(mark.query)
                binds.append(mark.interaction)
                var accumulator = ProfileAccumulator(rule: profile.rule, dimension: profile.dimension)
                for row in try s.rows("""
                    SELECT r.user_id, r.ts, 0 AS kind, r.id, rv.vector, iv.text_vector, r.rating, NULL::smallint AS action FROM review r
                      LEFT JOIN \(rv) rv ON rv.user_id = r.user_id AND rv.review_id = r.id LEFT JOIN \(iv) iv ON iv.item_id = r.item_id
                      WHERE r.user_id BETWEEN $1 AND $2 AND r.id <= $3
                    UNION ALL
                    SELECT q.user_id, q.ts, 1, q.id, qv.vector, NULL, NULL, NULL FROM query q
                      LEFT JOIN \(qv) qv ON qv.user_id = q.user_id AND qv.query_id = q.id
                      WHERE q.user_id BETWEEN $1 AND $2 AND q.id <= $4
                    UNION ALL
                    SELECT x.user_id, x.ts, 2, x.id, NULL, iv.text_vector, x.rating, x.action FROM interaction x
                      LEFT JOIN \(iv) iv ON iv.item_id = x.item_id
                      WHERE x.user_id BETWEEN $1 AND $2 AND x.id <= $5
                    ORDER BY 1, 2, 3, 4
                    """, binds) {
                    guard let kind = ProfileRule.EventKind(rawValue: Int(try row[2].decode(Int32.self))) else { continue }
                    accumulator.add(user: try row[0].decode(Int64.self), kind: kind, own: try Self.floats(row[4]), item: try Self.floats(row[5]),
                                    rating: try row[6].decode(Double?.self), action: try row[7].decode(Int16?.self).flatMap { Action(code: Int($0)) },
                                    at: try row[1].decode(Int64.self), loaded: DecayedSum(dimension: profile.dimension))
                }
                return (hi, accumulator.sums.sorted { $0.key < $1.key })
            }
            guard let last else { return built }
            try buildChunks("building profiles", build, sums) { s, part in
                built += try Self.upsertProfiles(s, part, version: profile.version, into: TableSet.building.name(.userProfile))
            }
            after = last
        }
    }

    /// Writes profiles (users locked first; users gone are skipped), replacing stored ones.
    /// Returns the rows written.
    static func upsertProfiles(_ s: PostgresSession, _ rows: ArraySlice<(Int64, DecayedSum)>, version: Int, into table: String) throws -> Int {
        guard !rows.isEmpty else { return 0 }
        var binds = PostgresBindings()
        binds.append(rows.map(\.0))
        binds.append(rows.map { ByteBuffer(bytes: DoubleVectorBlob.encode($0.1.sum)) })
        binds.append(rows.map(\.1.weight))
        binds.append(rows.map(\.1.timestamp))
        binds.append(rows.map { Int32(clamping: $0.1.events) })
        // One statement: the users are locked first (a forget waits; a user gone is skipped).
        return try s.execute("""
            WITH held AS (SELECT id FROM "user" WHERE id = ANY($1) ORDER BY id FOR KEY SHARE)
            INSERT INTO \(table)(user_id, model_version, sum, weight, ts, events)
            SELECT x.user_id, \(version), x.sum, x.weight, x.ts, x.events
            FROM unnest($1::bigint[], $2::bytea[], $3::float8[], $4::bigint[], $5::integer[]) AS x(user_id, sum, weight, ts, events)
            JOIN held ON held.id = x.user_id ORDER BY x.user_id
            ON CONFLICT (user_id) DO UPDATE SET model_version = excluded.model_version, sum = excluded.sum, weight = excluded.weight,
                ts = excluded.ts, events = excluded.events
            """, binds)
    }
}
