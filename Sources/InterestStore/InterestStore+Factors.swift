import Foundation
import GRDB
import InterestCore

/// One (user, item) evidence row for the interaction matrix — a review or an interaction — as
/// (user row id, item row id, action, rating, time): a request's fold-in rows, and what
/// iterating an `EventTable` yields.
public struct InteractionRow: Sendable {
    public let user: Int64
    public let item: Int64
    /// Seconds since 1970.
    public let timestamp: Int64
    public let rating: Double?
    /// nil for a review.
    public let action: Action?

    public init(user: Int64, item: Int64, action: Action?, rating: Double?, timestamp: Int64) {
        self.user = user
        self.item = item
        self.timestamp = timestamp
        self.rating = rating
        self.action = action
    }
}

/// The item side of the newest factor model as stored (user factors are read per user).
public struct StoredFactors: Sendable {
    public let version: Int
    public let parameters: String
    /// The model's payload: its users' Gram matrix (empty for models from before it was stored).
    public let payload: [UInt8]
    /// Item row ids (ascending) and their external ids, parallel.
    public let itemIDs: [Int64]
    public let externals: [String]
    /// Factors per item, and every item's factors row-major in `itemIDs` order.
    public let factors: Int
    public let itemFactors: [Float]
    /// Per-item biases in `itemIDs` order (nil: the model has none).
    public let biases: [Float]?
}

extension InterestStore {
    /// A user's reviews and interactions (for fold-in), or nil when the user is unknown: reviews
    /// then interactions, each in (time, key) order (their identity index's order).
    public func interactionRows(ofUser external: String) throws(StoreError) -> [InteractionRow]? {
        try read("reading the interactions of '\(external)'") { db -> [InteractionRow]? in
            guard let uid = try Self.userID(db, external) else { return nil }
            var rows: [InteractionRow] = []
            for r in try Row.fetchAll(db, sql: "SELECT item_id, rating, ts FROM review WHERE user_id = ? ORDER BY ts, key", arguments: [uid]) {
                rows.append(InteractionRow(user: uid, item: r[0], action: nil, rating: r[1], timestamp: r[2]))
            }
            for r in try Row.fetchAll(db, sql: "SELECT item_id, action, rating, ts FROM interaction WHERE user_id = ? ORDER BY ts, key", arguments: [uid]) {
                let code: Int = r[1]
                rows.append(InteractionRow(user: uid, item: r[0], action: Action(code: code), rating: r[2], timestamp: r[3]))
            }
            return rows
        }
    }

    /// Reviews and interactions added after `mark` on the items `keep` accepts (for folding in
    /// the items a model does not know): the events since `mark` are streamed in id order — a
    /// contiguous range of each table — and only the kept ones become rows, so a load after many
    /// events on known items costs one pass over them, not a row each.
    public func interactionRows(after mark: EventWatermark, items keep: (Int64) -> Bool) throws(StoreError) -> [InteractionRow] {
        try read("reading new interactions") { db in
            var rows: [InteractionRow] = []
            let reviews = try RawStatement(db, "SELECT user_id, item_id, rating, ts FROM review WHERE id > ?")
            reviews.reset()
            reviews.bind(1, mark.review)
            while try reviews.step() {
                let item = reviews.int64(column: 1)
                guard keep(item) else { continue }
                rows.append(InteractionRow(user: reviews.int64(column: 0), item: item, action: nil, rating: reviews.optionalDouble(column: 2),
                                           timestamp: reviews.int64(column: 3)))
            }
            reviews.reset()
            let interactions = try RawStatement(db, "SELECT user_id, item_id, action, rating, ts FROM interaction WHERE id > ?")
            interactions.reset()
            interactions.bind(1, mark.interaction)
            while try interactions.step() {
                let item = interactions.int64(column: 1)
                guard keep(item) else { continue }
                rows.append(InteractionRow(user: interactions.int64(column: 0), item: item, action: Action(code: Int(interactions.int64(column: 2))),
                                           rating: interactions.optionalDouble(column: 3), timestamp: interactions.int64(column: 4)))
            }
            interactions.reset()
            return rows
        }
    }

    /// Per user: positive reviews and interactions (no rating, or rating ≥ 1), the peers'
    /// cold-start count.
    public func positiveEventCounts() throws(StoreError) -> [String: Int] {
        try read("counting positive events") { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT u.external_id, count(*) FROM (
                    SELECT user_id FROM review WHERE rating IS NULL OR rating >= 1
                    UNION ALL SELECT user_id FROM interaction WHERE rating IS NULL OR rating >= 1
                ) e JOIN user u ON u.id = e.user_id GROUP BY u.external_id
                """) { out[row[0]] = row[1] }
            return out
        }
    }

    /// Users with reviews or interactions added after `mark` (their factors are stale).
    public func usersWithEvents(after mark: EventWatermark) throws(StoreError) -> Set<String> {
        try read("finding users with new events") { db in
            Set(try String.fetchAll(db, sql: """
                SELECT u.external_id FROM review r JOIN user u ON u.id = r.user_id WHERE r.id > ?
                UNION SELECT u.external_id FROM interaction x JOIN user u ON u.id = x.user_id WHERE x.id > ?
                """, arguments: [mark.review, mark.interaction]))
        }
    }

    static func watermark(_ db: Database) throws -> EventWatermark {
        EventWatermark(review: try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM review") ?? 0,
                       interaction: try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM interaction") ?? 0)
    }

    /// The item factors of the active collaborative model with external ids, or nil when none
    /// was trained. O(items); user factors stay in the database (`userFactors`).
    public func loadFactors() throws(StoreError) -> StoredFactors? {
        try read("reading factors") { db -> StoredFactors? in
            guard let meta = try Row.fetchOne(db, sql: """
                SELECT version, parameters, payload FROM model WHERE kind = 'cf' AND \(Self.visibleModel) ORDER BY version DESC LIMIT 1
                """) else { return nil }
            // Stepped through the C API into flat arrays: a catalogue of 100,000 items took 0.6 s
            // through `Row`s and ~0.3 s as one array per item.
            var ids: [Int64] = [], externals: [String] = [], flat: [Float] = [], biases: [Float] = []
            var factors = 0, anyBias = false
            let s = try RawStatement(db, "SELECT f.item_id, i.external_id, f.vector, f.bias FROM item_factor f JOIN item i ON i.id = f.item_id ORDER BY f.item_id")
            s.reset()
            defer { s.reset() }
            while try s.step() {
                if ids.isEmpty { factors = s.byteCount(column: 2) / 4 }
                let at = flat.count
                flat.append(contentsOf: repeatElement(0, count: factors))
                let ok = factors > 0 && flat.withUnsafeMutableBufferPointer { p in p.baseAddress.map { s.floats(column: 2, into: $0 + at, count: factors) } ?? false }
                guard ok else { throw StoreError.corrupt(what: "item factors", reason: "item row \(s.int64(column: 0)): not \(factors) 32-bit floats") }
                ids.append(s.int64(column: 0))
                externals.append(s.text(column: 1) ?? "")
                let bias = s.optionalDouble(column: 3)
                anyBias = anyBias || bias != nil
                biases.append(bias.map(Float.init) ?? 0)
            }
            let payload: Data? = meta[2]
            return StoredFactors(version: meta[0], parameters: meta[1], payload: payload.map { [UInt8]($0) } ?? [], itemIDs: ids, externals: externals,
                                 factors: factors, itemFactors: flat, biases: anyBias ? biases : nil)
        }
    }

    /// The trained factors of these users (row ids) under model `version`; users without are absent.
    public func userFactors(_ users: [Int64], version: Int) throws(StoreError) -> [Int64: [Float]] {
        guard !users.isEmpty else { return [:] }
        return try read("reading user factors") { db in
            var out: [Int64: [Float]] = [:]
            try db.forEachRow(in: users.map(String.init), { "SELECT user_id, vector FROM user_factor WHERE model_version = \(version) AND user_id IN (\($0))" }) { row in
                if let data = row[1] as Data?, let v = VectorBlob.decode([UInt8](data)) { out[row[0]] = v }
            }
            return out
        }
    }

    /// Every user's trained factors under model `version`, by external id (batch jobs only: O(users)).
    public func allUserFactors(version: Int) throws(StoreError) -> [String: [Float]] {
        try read("reading user factors") { db in
            var out: [String: [Float]] = [:]
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT u.external_id, f.vector FROM user_factor f JOIN user u ON u.id = f.user_id WHERE f.model_version = ?
                """, arguments: [version])
            while let row = try cursor.next() {
                if let data = row[1] as Data?, let v = VectorBlob.decode([UInt8](data)) { out[row[0]] = v }
            }
            return out
        }
    }

    /// One user's trained factors under model `version` (nil: none, or another version).
    static func userFactor(_ db: Database, user: Int64, version: Int?) throws -> [Float]? {
        guard let version else { return nil }
        let data = try Data.fetchOne(db.cachedStatement(sql: "SELECT vector FROM user_factor WHERE user_id = ? AND model_version = ?"), arguments: [user, version])
        return data.flatMap { VectorBlob.decode([UInt8]($0)) }
    }

    /// External ids of users and items by row id.
    public func externalIDs() throws(StoreError) -> (users: [Int64: String], items: [Int64: String]) {
        try read("reading ids") { db in
            var users: [Int64: String] = [:]
            var items: [Int64: String] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT id, external_id FROM user") { users[r[0]] = r[1] }
            for r in try Row.fetchAll(db, sql: "SELECT id, external_id FROM item") { items[r[0]] = r[1] }
            return (users, items)
        }
    }
}

/// The highest review and interaction row ids a model has seen.
public struct EventWatermark: Sendable, Codable, Equatable {
    public let review: Int64
    public let interaction: Int64

    public init(review: Int64, interaction: Int64) {
        self.review = review
        self.interaction = interaction
    }
}

extension InterestStore {
    /// Every item's row id, ascending (the catalogue's order).
    public func itemRowIDs() throws(StoreError) -> [Int64] {
        try read("reading item ids") { db in try Int64.fetchAll(db, sql: "SELECT id FROM item ORDER BY id") }
    }
}

extension InterestStore {
    /// External ids of these items (row ids).
    public func itemNames(_ ids: [Int64]) throws(StoreError) -> [Int64: String] {
        try externalNames(ids, table: "item")
    }

    /// External ids of these users (row ids).
    public func userNames(_ ids: [Int64]) throws(StoreError) -> [Int64: String] {
        try externalNames(ids, table: "user")
    }

    private func externalNames(_ ids: [Int64], table: String) throws(StoreError) -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        return try read("reading \(table) ids") { db in
            var out: [Int64: String] = [:]
            try db.forEachRow(in: ids.map(String.init), { "SELECT id, external_id FROM \(table) WHERE id IN (\($0))" }) { out[$0[0]] = $0[1] }
            return out
        }
    }

    /// Every item's row id and external id, ascending by row id (the catalogue). O(items).
    public func itemCatalogue() throws(StoreError) -> [(id: Int64, external: String)] {
        try read("reading items") { db in
            // Through the C API: 100,000 items took 0.15 s as `Row`s.
            var out: [(id: Int64, external: String)] = []
            let s = try RawStatement(db, "SELECT id, external_id FROM item ORDER BY id")
            s.reset()
            defer { s.reset() }
            while try s.step() { out.append((s.int64(column: 0), s.text(column: 1) ?? "")) }
            return out
        }
    }
}

extension InterestStore {
    /// Every item's positive events per UTC day (`item_day`, kept current by ingest and forget):
    /// item row id → [(day, count)], days ascending. O(item-days).
    public func itemDays() throws(StoreError) -> [Int64: [(day: Int64, count: Int)]] {
        var out: [Int64: [(day: Int64, count: Int)]] = [:]
        try forEachItemDays { item, days, counts in out[item] = zip(days, counts).map { ($0, $1) } }
        return out
    }

    /// Every item's positive events on days `first`…`last` (UTC day numbers), by catalogue row
    /// (`rowOf`; items outside it are skipped): O(item-days in the window) through the day index.
    public func itemPositives(fromDay first: Int64, throughDay last: Int64, rowOf: [Int64: Int], rows count: Int) throws(StoreError) -> [Int] {
        try read("reading item activity") { db in
            var out = [Int](repeating: 0, count: max(0, count))
            guard first <= last else { return out }
            let rows = DenseIDMap(rowOf, count: out.count)
            let s = try RawStatement(db, "SELECT item_id, positives FROM item_day WHERE day BETWEEN ? AND ?")
            s.reset()
            defer { s.reset() }
            s.bind(1, first)
            s.bind(2, last)
            while try s.step() {
                guard let p = rows[s.int64(column: 0)] else { continue }
                let r = Int(p)
                let (sum, overflow) = out[r].addingReportingOverflow(Int(s.int64(column: 1)))
                out[r] = overflow ? Int.max : sum
            }
            return out
        }
    }

    /// The same rows item by item (item ids and days ascending, as the table's key orders them):
    /// `body(item, days, counts)` once per item. One pass without hashing or sorting per row —
    /// a million-user shop has ~10 M item-days, and the serving catalogue reads them at load.
    public func forEachItemDays(_ body: (Int64, [Int64], [Int]) -> Void) throws(StoreError) {
        try read("reading item activity") { db in
            let s = try RawStatement(db, "SELECT item_id, day, positives FROM item_day ORDER BY item_id, day")
            s.reset()
            defer { s.reset() }
            var current: Int64?
            var days: [Int64] = [], counts: [Int] = []
            while try s.step() {
                let item = s.int64(column: 0)
                if item != current {
                    if let c = current { body(c, days, counts) }
                    current = item
                    days.removeAll(keepingCapacity: true)
                    counts.removeAll(keepingCapacity: true)
                }
                days.append(s.int64(column: 1))
                counts.append(Int(s.int64(column: 2)))
            }
            if let c = current { body(c, days, counts) }
        }
    }
}
