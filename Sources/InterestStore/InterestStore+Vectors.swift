import Foundation
import GRDB
import InterestCore

/// A review or query row with its text (and, for reviews, its item's row id).
public struct EventTextRow: Sendable {
    public let id: Int64
    public let itemID: Int64?
    public let text: String
}

/// An item's row id, external id and its own text (title and description).
public struct ItemTextRow: Sendable {
    public let id: Int64
    public let external: String
    public let title: String?
    public let text: String?
}

/// A stored item vector: its parts and the combined vector.
public struct ItemVectorRow: Sendable {
    public let itemID: Int64
    public let textVector: [Float]?
    public let reviewSum: [Float]?
    public let reviewCount: Int
    public let vector: [Float]?

    public init(itemID: Int64, textVector: [Float]?, reviewSum: [Float]?, reviewCount: Int, vector: [Float]?) {
        self.itemID = itemID
        self.textVector = textVector
        self.reviewSum = reviewSum
        self.reviewCount = reviewCount
        self.vector = vector
    }
}

/// A readable interest term with its vector.
public struct TermRow: Sendable {
    public let term: String
    public let kind: Int
    public let documentFrequency: Int
    public let vector: [Float]?
    /// How specific to some items the term is (`TermSpecificity`, bits); nil when unknown
    /// (a generation built before it was computed, or no review uses the term).
    public let specificity: Double?

    public init(term: String, kind: Int, documentFrequency: Int, vector: [Float]?, specificity: Double? = nil) {
        self.term = term
        self.kind = kind
        self.documentFrequency = documentFrequency
        self.vector = vector
        self.specificity = specificity
    }
}

public enum EventTextKind: Sendable {
    case review, query
}

extension InterestStore {
    /// Every item's own text.
    public func itemTexts() throws(StoreError) -> [ItemTextRow] {
        try read("reading item texts") { db in
            try Row.fetchAll(db, sql: "SELECT id, external_id, title, text FROM item ORDER BY id").map {
                ItemTextRow(id: $0[0], external: $0[1], title: $0[2], text: $0[3])
            }
        }
    }

    /// Items that have a vector: (external id, vector).
    public func itemVectors() throws(StoreError) -> [(item: String, vector: [Float])] {
        try read("reading item vectors") { db in
            try Row.fetchAll(db, sql: """
                SELECT i.external_id, v.vector FROM item_vector v JOIN item i ON i.id = v.item_id
                WHERE v.vector IS NOT NULL ORDER BY i.id
                """).compactMap { row in
                guard let bytes: [UInt8] = (row[1] as Data?).map({ [UInt8]($0) }), let v = VectorBlob.decode(bytes) else { return nil }
                return (row[0], v)
            }
        }
    }

    /// The review terms of these items (external ids): item → [(term, share)], best first.
    public func itemTerms(_ items: [String]) throws(StoreError) -> [String: [(term: String, share: Double)]] {
        guard !items.isEmpty else { return [:] }
        return try read("reading item terms") { db in
            var out: [String: [(term: String, share: Double)]] = [:]
            try db.forEachRow(in: Array(Set(items)).sorted(), { marks in """
                SELECT i.external_id, t.term, t.share FROM item i JOIN item_term t ON t.item_id = i.id
                WHERE i.external_id IN (\(marks)) ORDER BY i.external_id, t.share DESC, t.term
                """ }) { row in
                out[row[0], default: []].append((row[1], row[2]))
            }
            return out
        }
    }

    /// Every item's words as a document for retrieval: its review terms with how many of its
    /// reviews use each (share × review count), and the stored candidate terms of its own text
    /// (TermExtractor's stored form), by external id. O(items × 60 + item texts).
    public func termDocuments() throws(StoreError) -> (reviewTerms: [String: [(term: String, reviews: Double)]], textTerms: [String: String]) {
        try read("reading item term documents") { db in
            var reviewTerms: [String: [(term: String, reviews: Double)]] = [:]
            let s = try RawStatement(db, """
                SELECT i.external_id, t.term, t.share * coalesce(v.review_count, 1) FROM item_term t JOIN item i ON i.id = t.item_id
                LEFT JOIN item_vector v ON v.item_id = t.item_id ORDER BY t.item_id
                """)
            s.reset()
            while try s.step() { reviewTerms[s.text(column: 0) ?? "", default: []].append((s.text(column: 1) ?? "", s.double(column: 2))) }
            s.reset()
            var textTerms: [String: String] = [:]
            let t = try RawStatement(db, "SELECT i.external_id, it.terms FROM item_text_term it JOIN item i ON i.id = it.item_id")
            t.reset()
            while try t.step() { textTerms[t.text(column: 0) ?? ""] = t.text(column: 1) ?? "" }
            t.reset()
            return (reviewTerms, textTerms)
        }
    }

    /// The reviews of these users (row ids) that have a vector in `tables`, by review id:
    /// O(their reviews) through the user index — what a validation sample needs, not every review.
    public func reviewVectors(ofUsers users: [Int64], in tables: TableSet = .active) throws(StoreError) -> [ReviewVectorRow] {
        try reviewVectors(column: "user_id", users, in: tables)
    }

    /// The reviews of these items (row ids) that have a vector in `tables`, by review id.
    public func reviewVectors(ofItems items: [Int64], in tables: TableSet = .active) throws(StoreError) -> [ReviewVectorRow] {
        try reviewVectors(column: "item_id", items, in: tables)
    }

    private func reviewVectors(column: String, _ ids: [Int64], in tables: TableSet) throws(StoreError) -> [ReviewVectorRow] {
        guard !ids.isEmpty else { return [] }
        return try read("reading review vectors") { db in
            var out: [ReviewVectorRow] = []
            try db.forEachRow(in: Array(Set(ids)).sorted().map(String.init), { marks in """
                SELECT r.id, r.user_id, r.item_id, v.vector, r.ts, r.rating FROM review r
                JOIN \(tables.name(.reviewVector)) v ON v.review_id = r.id WHERE r.\(column) IN (\(marks))
                """ }) { row in
                if let v = (row[3] as Data?).flatMap({ VectorBlob.decode([UInt8]($0)) }) {
                    out.append(ReviewVectorRow(id: row[0], user: row[1], item: row[2], vector: v, timestamp: row[4], rating: row[5]))
                }
            }
            return out.sorted { $0.id < $1.id }
        }
    }

    /// The queries of these users (row ids) that have a vector in `tables`, by query id.
    public func queryVectors(ofUsers users: [Int64], in tables: TableSet = .active) throws(StoreError) -> [(id: Int64, user: Int64, timestamp: Int64, vector: [Float])] {
        guard !users.isEmpty else { return [] }
        return try read("reading query vectors") { db in
            var out: [(id: Int64, user: Int64, timestamp: Int64, vector: [Float])] = []
            try db.forEachRow(in: Array(Set(users)).sorted().map(String.init), { marks in """
                SELECT q.id, q.user_id, q.ts, v.vector FROM query q JOIN \(tables.name(.queryVector)) v ON v.query_id = q.id
                WHERE q.user_id IN (\(marks))
                """ }) { row in
                if let v = (row[3] as Data?).flatMap({ VectorBlob.decode([UInt8]($0)) }) { out.append((row[0], row[1], row[2], v)) }
            }
            return out.sorted { $0.id < $1.id }
        }
    }

    /// Every item's stored vector parts (own text, review sum and count), by item row id. O(items).
    public func itemVectorRows(in tables: TableSet = .active) throws(StoreError) -> [Int64: ItemVectorRow] {
        try read("reading item vectors") { db in
            var out: [Int64: ItemVectorRow] = [:]
            func vec(_ d: Data?) -> [Float]? { d.flatMap { VectorBlob.decode([UInt8]($0)) } }
            for row in try Row.fetchAll(db, sql: "SELECT item_id, text_vector, review_sum, review_count, vector FROM \(tables.name(.itemVector))") {
                out[row[0]] = ItemVectorRow(itemID: row[0], textVector: vec(row[1]), reviewSum: vec(row[2]), reviewCount: row[3], vector: vec(row[4]))
            }
            return out
        }
    }

    /// The combined item vectors as one row-major matrix: row `rowOf[item]` holds that item's
    /// vector (zeros for an item without one, or whose vector is not `dimension` long). Stepped
    /// through the C API and decoded in place: O(items · dimension), no per-row allocation.
    public func itemVectorMatrix(rowOf: [Int64: Int], rows: Int, dimension: Int, in tables: TableSet = .active) throws(StoreError) -> [Float] {
        try read("reading item vectors") { db in
            var out = [Float](repeating: 0, count: max(0, rows) * max(0, dimension))
            guard dimension > 0 else { return out }
            let s = try RawStatement(db, "SELECT item_id, vector FROM \(tables.name(.itemVector))")
            s.reset()
            defer { s.reset() }
            let catalogue = DenseIDMap(rowOf, count: rows)
            try out.withUnsafeMutableBufferPointer { o in
                guard let base = o.baseAddress else { return }
                while try s.step() {
                    guard let p = catalogue[s.int64(column: 0)] else { continue }
                    let r = Int(p)
                    _ = s.floats(column: 1, into: base + r * dimension, count: dimension)
                }
            }
            return out
        }
    }

    /// Every user's profile direction (unit), by user row id, for the given encoder version.
    public func profileDirections(version: Int) throws(StoreError) -> [Int64: [Float]] {
        try read("reading profiles") { db in
            var out: [Int64: [Float]] = [:]
            let cursor = try Row.fetchCursor(db, sql: "SELECT user_id, sum FROM user_profile WHERE model_version = ?", arguments: [version])
            while let row = try cursor.next() {
                guard let sum = (row[1] as Data?).flatMap({ DoubleVectorBlob.decode([UInt8]($0)) }) else { continue }
                let n = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
                if n > 0 { out[row[0]] = sum.map { Float($0 / n) } }
            }
            return out
        }
    }

    /// The stored rows of these terms (those in the vocabulary), by term.
    public func terms(named names: Set<String>) throws(StoreError) -> [String: TermRow] {
        guard !names.isEmpty else { return [:] }
        return try read("reading terms") { db in
            var out: [String: TermRow] = [:]
            try db.forEachRow(in: names.sorted(), { "SELECT term, kind, document_frequency, vector, specificity FROM term WHERE term IN (\($0))" }) { row in
                let v = (row[3] as Data?).flatMap { VectorBlob.decode([UInt8]($0)) }
                let t = TermRow(term: row[0], kind: row[1], documentFrequency: row[2], vector: v, specificity: row[4])
                out[t.term] = t
            }
            return out
        }
    }

    /// All terms with vectors.
    public func terms() throws(StoreError) -> [TermRow] {
        try read("reading terms") { db in
            try Row.fetchAll(db, sql: "SELECT term, kind, document_frequency, vector, specificity FROM term ORDER BY id").map { row in
                let v = (row[3] as Data?).flatMap { VectorBlob.decode([UInt8]($0)) }
                return TermRow(term: row[0], kind: row[1], documentFrequency: row[2], vector: v, specificity: row[4])
            }
        }
    }

    /// Per user: the sum and count of their review and query vectors (reviews, then queries,
    /// each in (time, key) order).
    public func userTextVectorSums() throws(StoreError) -> [String: (sum: [Float], count: Int)] {
        try read("reading user text vectors") { db in
            var out = VectorSums<String>()
            for sql in [
                // Each user's texts in (time, key) order: the identity index's own order (no sort).
                "SELECT u.external_id, v.vector FROM review r JOIN review_vector v ON v.review_id = r.id JOIN user u ON u.id = r.user_id WHERE v.vector IS NOT NULL ORDER BY r.user_id, r.ts, r.key",
                "SELECT u.external_id, v.vector FROM query q JOIN query_vector v ON v.query_id = q.id JOIN user u ON u.id = q.user_id WHERE v.vector IS NOT NULL ORDER BY q.user_id, q.ts, q.key",
            ] {
                let cursor = try Row.fetchCursor(db, sql: sql)
                while let row = try cursor.next() {
                    guard let data: Data = row[1], let v = VectorBlob.decode([UInt8](data)) else { continue }
                    out.add(row[0], v)
                }
            }
            return out.sums
        }
    }

    /// Per user, the items they reviewed or interacted with (what "seen" means in ranking).
    public func userItems() throws(StoreError) -> [String: Set<String>] {
        try read("reading user items") { db in
            var out: [String: Set<String>] = [:]
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT u.external_id, i.external_id FROM review r JOIN user u ON u.id = r.user_id JOIN item i ON i.id = r.item_id
                UNION SELECT u.external_id, i.external_id FROM interaction x JOIN user u ON u.id = x.user_id JOIN item i ON i.id = x.item_id
                """)
            while let row = try cursor.next() { out[row[0], default: []].insert(row[1]) }
            return out
        }
    }

    /// How many users the store holds.
    public func userCount() throws(StoreError) -> Int {
        try read("counting users") { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM user") ?? 0 }
    }

    /// All user external ids, in row order.
    public func userIDs() throws(StoreError) -> [String] {
        try read("reading users") { db in try String.fetchAll(db, sql: "SELECT external_id FROM user ORDER BY id") }
    }
}

extension InterestStore {
    /// An item's stored vector parts, or nil when it has none.
    public func itemVector(_ item: String) throws(StoreError) -> ItemVectorRow? {
        try read("reading the vector of item '\(item)'") { db in
            try Row.fetchOne(db, sql: """
                SELECT v.item_id, v.text_vector, v.review_sum, v.review_count, v.vector FROM item_vector v JOIN item i ON i.id = v.item_id
                WHERE i.external_id = ?
                """, arguments: [item]).map { row in
                func vec(_ data: Data?) -> [Float]? { data.flatMap { VectorBlob.decode([UInt8]($0)) } }
                return ItemVectorRow(itemID: row[0], textVector: vec(row[1]), reviewSum: vec(row[2]), reviewCount: row[3], vector: vec(row[4]))
            }
        }
    }
}

/// A review with its vector (`reviewVectors(ofUsers:)`, `reviewVectors(ofItems:)`).
public struct ReviewVectorRow: Sendable {
    public let id: Int64
    public let user: Int64
    public let item: Int64
    public let vector: [Float]
    public let timestamp: Int64
    public let rating: Double?
}
