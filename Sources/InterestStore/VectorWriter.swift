import GRDB
import InterestCore

/// Writes the vectors of newly ingested events and keeps item vectors exact.
struct VectorWriter {
    let insertReview: RawStatement
    let insertQuery: RawStatement
    let selectItem: RawStatement
    let upsertItem: RawStatement
    let upsertItemTerms: RawStatement

    /// `tables`: the active vectors (ingest) or those a training run builds (its catch-up).
    init(_ db: Database, tables: TableSet = .active) throws {
        let (reviews, queries, items) = (tables.name(.reviewVector), tables.name(.queryVector), tables.name(.itemVector))
        insertReview = try RawStatement(db, "INSERT OR REPLACE INTO \(reviews)(review_id, model_version, vector, terms) VALUES (?, ?, ?, ?)")
        insertQuery = try RawStatement(db, "INSERT OR REPLACE INTO \(queries)(query_id, model_version, vector, terms) VALUES (?, ?, ?, ?)")
        upsertItemTerms = try RawStatement(db, "INSERT OR REPLACE INTO \(tables.name(.itemTextTerm))(item_id, model_version, terms) VALUES (?, ?, ?)")
        selectItem = try RawStatement(db, "SELECT text_vector, review_sum, review_count FROM \(items) WHERE item_id = ?")
        upsertItem = try RawStatement(db, """
            INSERT OR REPLACE INTO \(items)(item_id, model_version, text_vector, review_sum, review_count, vector)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
    }

    func addQuery(_ id: Int64, _ vector: [Float]?, terms: String?, version: Int) throws {
        try Self.insert(insertQuery, id, vector, terms: terms, version: version)
    }

    /// Stores the review's vector and adds it to its item's review sum.
    func addReview(_ id: Int64, item: Int64, _ vector: [Float]?, terms: String?, version: Int) throws {
        try Self.insert(insertReview, id, vector, terms: terms, version: version)
        guard let vector else { return }
        var (text, sum, count) = try current(item)
        if var s = sum, s.count == vector.count {
            s.add(vector)
            sum = s
        } else {
            sum = vector
        }
        count += 1
        try store(item, text: text, sum: sum, count: count, version: version)
    }

    /// One event's row: (event id, model version, vector, terms).
    private static func insert(_ statement: RawStatement, _ id: Int64, _ vector: [Float]?, terms: String?, version: Int) throws {
        statement.reset()
        statement.bind(1, id)
        statement.bind(2, Int64(version))
        statement.bind(3, vector.map(VectorBlob.encode))
        statement.bind(4, terms)
        try statement.step()
    }

    /// Replaces the item's own-text vector (and its stored candidate terms, when given).
    func setItemText(_ item: Int64, _ vector: [Float]?, terms: String?, version: Int) throws {
        if let terms {
            upsertItemTerms.reset()
            upsertItemTerms.bind(1, item)
            upsertItemTerms.bind(2, Int64(version))
            upsertItemTerms.bind(3, terms)
            try upsertItemTerms.step()
        }
        let (_, sum, count) = try current(item)
        try store(item, text: vector, sum: sum, count: count, version: version)
    }

    private func current(_ item: Int64) throws -> ([Float]?, [Float]?, Int) {
        selectItem.reset()
        selectItem.bind(1, item)
        guard try selectItem.step() else { return (nil, nil, 0) }
        let text = selectItem.blob(column: 0).flatMap(VectorBlob.decode)
        let sum = selectItem.blob(column: 1).flatMap(VectorBlob.decode)
        let count = Int(selectItem.int64(column: 2))
        selectItem.reset()
        return (text, sum, count)
    }

    private func store(_ item: Int64, text: [Float]?, sum: [Float]?, count: Int, version: Int) throws {
        upsertItem.reset()
        upsertItem.bind(1, item)
        upsertItem.bind(2, Int64(version))
        upsertItem.bind(3, text.map(VectorBlob.encode))
        upsertItem.bind(4, sum.map(VectorBlob.encode))
        upsertItem.bind(5, Int64(count))
        upsertItem.bind(6, ItemVectorRule.combine(text: text, reviewSum: sum, reviewCount: count).map(VectorBlob.encode))
        try upsertItem.step()
    }
}
