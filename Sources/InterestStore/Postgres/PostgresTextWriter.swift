import Foundation
import InterestCore
import NIOCore
import PostgresNIO

/// Brings new events' text into a set of text tables inside the caller's transaction, as the
/// SQLite file's `VectorWriter` and `ProfileWriter` do — for ingest (the active tables) and for
/// a training run's catch-up (its build tables): review and query vectors stored, reviews
/// added to their items' review sums (item rows locked `FOR UPDATE` in item order, so
/// concurrent writers add to the same item one after the other), items' own-text vectors set,
/// and each event's profile contribution folded into its user's decayed sum (loaded once,
/// written back at ``flush()``). Set-based: one statement per kind of row per call, not one per
/// event. The item and profile arithmetic is the SQLite writers' (same order, same floats).
struct PostgresTextWriter {
    let s: PostgresSession
    let tables: TableSet
    let version: Int
    let profile: ProfileBuild?
    private var accumulator: ProfileAccumulator?
    /// Users whose stored profile was loaded into the accumulator (or found absent).
    private var loaded = Set<Int64>()

    init(_ s: PostgresSession, tables: TableSet, version: Int, profile: ProfileBuild?) {
        self.s = s
        self.tables = tables
        self.version = version
        self.profile = profile
        accumulator = profile.map { ProfileAccumulator(rule: $0.rule, dimension: $0.dimension) }
    }

    /// A new review: (row id, user, item, vector, stored terms, rating, time).
    typealias Review = (id: Int64, user: Int64, item: Int64, vector: [Float]?, terms: String?, rating: Double?, time: Int64)
    /// A new query: (row id, user, vector, stored terms, time).
    typealias Query = (id: Int64, user: Int64, vector: [Float]?, terms: String?, time: Int64)
    /// One event's part in its user's profile: (user, kind, its own text's vector, item, rating,
    /// action, time).
    typealias ProfileEvent = (user: Int64, kind: ProfileRule.EventKind, own: [Float]?, item: Int64?, rating: Double?, action: Action?, time: Int64)

    /// Stores the reviews' vectors and adds them to their items' review sums, in the order given.
    func addReviews(_ rows: [Review]) throws {
        guard !rows.isEmpty else { return }
        try insertEventVectors(rows.map { ($0.id, $0.user, $0.vector, $0.terms) }, table: tables.name(.reviewVector), key: "review_id")
        var current = try itemVectors(Set(rows.compactMap { $0.vector == nil ? nil : $0.item }), lock: true)
        var touched = Set<Int64>()
        for r in rows {
            guard let v = r.vector else { continue }
            var e = current[r.item] ?? (nil, nil, 0)
            if var sum = e.sum, sum.count == v.count {
                sum.add(v)
                e.sum = sum
            } else {
                e.sum = v
            }
            e.count += 1
            current[r.item] = e
            touched.insert(r.item)
        }
        try storeItems(touched.sorted().map { ($0, current[$0] ?? (nil, nil, 0)) })
    }

    /// Stores the queries' vectors.
    func addQueries(_ rows: [Query]) throws {
        guard !rows.isEmpty else { return }
        try insertEventVectors(rows.map { ($0.id, $0.user, $0.vector, $0.terms) }, table: tables.name(.queryVector), key: "query_id")
    }

    /// Folds the events into their users' profiles in the order given (nothing without a
    /// profile rule); an event's item contributes its own-text vector as stored now.
    mutating func addToProfiles(_ events: [ProfileEvent]) throws {
        guard let profile, !events.isEmpty else { return }
        let texts = try itemTextVectors(Set(events.compactMap(\.item)))
        try loadProfiles(Set(events.map(\.user)))
        for e in events {
            accumulator?.add(user: e.user, kind: e.kind, own: e.own, item: e.item.flatMap { texts[$0] ?? nil }, rating: e.rating, action: e.action,
                             at: e.time, loaded: DecayedSum(dimension: profile.dimension))
        }
    }

    /// Replaces items' own-text vectors (and their stored candidate terms, when given), in order.
    func setItemTexts(_ rows: [(item: Int64, vector: [Float]?, terms: String?)]) throws {
        guard !rows.isEmpty else { return }
        var current = try itemVectors(Set(rows.map(\.item)), lock: true)
        var terms: [Int64: String] = [:]
        for r in rows {
            current[r.item] = (r.vector, current[r.item]?.sum ?? nil, current[r.item]?.count ?? 0)
            if let t = r.terms { terms[r.item] = t }
        }
        if !terms.isEmpty {
            let sorted = terms.sorted { $0.key < $1.key }
            var binds = PostgresBindings()
            binds.append(sorted.map(\.key))
            binds.append(sorted.map(\.value))
            try s.execute("""
                INSERT INTO \(tables.name(.itemTextTerm))(item_id, model_version, terms)
                SELECT item_id, \(version), terms FROM unnest($1::bigint[], $2::text[]) AS x(item_id, terms) ORDER BY item_id
                ON CONFLICT (item_id) DO UPDATE SET model_version = excluded.model_version, terms = excluded.terms
                """, binds)
        }
        try storeItems(Set(rows.map(\.item)).sorted().map { ($0, current[$0] ?? (nil, nil, 0)) })
    }

    /// Writes the profiles touched back (their users locked; users gone are skipped).
    func flush() throws {
        guard let accumulator, let profile, !accumulator.sums.isEmpty else { return }
        let rows: [(Int64, DecayedSum)] = accumulator.sums.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        _ = try PostgresStore.upsertProfiles(s, rows[...], version: profile.version, into: tables.name(.userProfile))
    }

    // MARK: - Rows

    /// Array parameters of the rows (one round trip a statement, which a one-event write of the
    /// service mostly is; arrays hold no NULLs here: an empty `bytea` stands for no vector, and a
    /// flag beside each text says whether it is there).
    private func insertEventVectors(_ rows: [(Int64, Int64, [Float]?, String?)], table: String, key: String) throws {
        var binds = PostgresBindings()
        binds.append(rows.map(\.1))
        binds.append(rows.map(\.0))
        binds.append(rows.map { Self.bytes($0.2) })
        binds.append(rows.map { $0.3 ?? "" })
        binds.append(rows.map { $0.3 != nil })
        try s.execute("""
            INSERT INTO \(table)(user_id, \(key), model_version, vector, terms)
            SELECT user_id, id, \(version), NULLIF(vector, ''::bytea), CASE WHEN has_terms THEN terms END
            FROM unnest($1::bigint[], $2::bigint[], $3::bytea[], $4::text[], $5::bool[]) AS x(user_id, id, vector, terms, has_terms) ORDER BY user_id, id
            ON CONFLICT (user_id, \(key)) DO UPDATE SET model_version = excluded.model_version, vector = excluded.vector, terms = excluded.terms
            """, binds)
    }

    /// A vector's bytes as an array element (empty: none).
    static func bytes(_ vector: [Float]?) -> ByteBuffer {
        ByteBuffer(bytes: vector.map(VectorBlob.encode) ?? [])
    }

    typealias ItemParts = (text: [Float]?, sum: [Float]?, count: Int)

    /// The stored parts of these items' vectors (locked for update with `lock`).
    private func itemVectors(_ items: Set<Int64>, lock: Bool) throws -> [Int64: ItemParts] {
        guard !items.isEmpty else { return [:] }
        var binds = PostgresBindings()
        binds.append(items.sorted())
        var out: [Int64: ItemParts] = [:]
        for row in try s.rows("""
            SELECT item_id, text_vector, review_sum, review_count FROM \(tables.name(.itemVector)) WHERE item_id = ANY($1) ORDER BY item_id
            \(lock ? "FOR UPDATE" : "")
            """, binds) {
            out[try row[0].decode(Int64.self)] = (try PostgresStore.floats(row[1]), try PostgresStore.floats(row[2]), Int(try row[3].decode(Int32.self)))
        }
        return out
    }

    private func itemTextVectors(_ items: Set<Int64>) throws -> [Int64: [Float]?] {
        try itemVectors(items, lock: false).mapValues(\.text)
    }

    private func storeItems(_ rows: [(Int64, ItemParts)]) throws {
        guard !rows.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(rows.map(\.0))
        binds.append(rows.map { Self.bytes($0.1.text) })
        binds.append(rows.map { Self.bytes($0.1.sum) })
        binds.append(rows.map { Int32(clamping: $0.1.count) })
        binds.append(rows.map { Self.bytes(ItemVectorRule.combine(text: $0.1.text, reviewSum: $0.1.sum, reviewCount: $0.1.count)) })
        try s.execute("""
            INSERT INTO \(tables.name(.itemVector))(item_id, model_version, text_vector, review_sum, review_count, vector)
            SELECT item_id, \(version), NULLIF(text_vector, ''::bytea), NULLIF(review_sum, ''::bytea), review_count, NULLIF(vector, ''::bytea)
            FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::integer[], $5::bytea[]) AS x(item_id, text_vector, review_sum, review_count, vector)
            ORDER BY item_id
            ON CONFLICT (item_id) DO UPDATE SET model_version = excluded.model_version, text_vector = excluded.text_vector,
                review_sum = excluded.review_sum, review_count = excluded.review_count, vector = excluded.vector
            """, binds)
    }

    /// Loads the stored profiles of users not loaded yet into the accumulator (a profile of
    /// another encoder version or dimension starts over, as on SQLite).
    private mutating func loadProfiles(_ users: Set<Int64>) throws {
        guard let profile else { return }
        let wanted = users.subtracting(loaded).sorted()
        guard !wanted.isEmpty else { return }
        loaded.formUnion(wanted)
        var binds = PostgresBindings()
        binds.append(wanted)
        for row in try s.rows("""
            SELECT user_id, model_version, sum, weight, ts, events FROM \(tables.name(.userProfile)) WHERE user_id = ANY($1) ORDER BY user_id FOR UPDATE
            """, binds) {
            guard Int(try row[1].decode(Int32.self)) == profile.version,
                  let sum = try row[2].decode(ByteBuffer?.self).flatMap({ DoubleVectorBlob.decode(Array($0.readableBytesView)) }),
                  sum.count == profile.dimension else { continue }
            let stored = DecayedSum(sum: sum, weight: try row[3].decode(Double.self), timestamp: try row[4].decode(Int64.self),
                                    events: Int(try row[5].decode(Int32.self)))
            accumulator?.seed(user: try row[0].decode(Int64.self), stored)
        }
    }
}
