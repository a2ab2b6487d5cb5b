import Foundation
import InterestCore
import NIOCore
import PostgresNIO

/// The collaborative model's tables on PostgreSQL, with the SQLite file's semantics: a run
/// writes its factors into the generation's build tables (users forgotten meanwhile skipped);
/// readers take the active model's item factors whole and user factors per user.
extension PostgresStore {
    /// Stores a factor model: a new `cf` model version of the generation and its factors in the
    /// build tables, in transactions of ``buildRowsPerTransaction`` rows (COPY; user factors
    /// through a staging table, so users forgotten since training read them are skipped).
    @discardableResult
    public func writeFactors(parameters: String, payload: [UInt8], users: [(Int64, [Float])], items: [(Int64, [Float], Float?)],
                             build: GenerationBuild) throws(StoreError) -> Int {
        let version = try pool.transaction("saving factors") { s in
            try Self.heartbeat(s, build.id)
            return try Self.insertModel(s, kind: "cf", parameters: parameters, payload: payload, generation: build.id)
        }
        try inChunks(users) { (part) throws(StoreError) in
            try pool.transaction("saving user factors") { s in
                try Self.heartbeat(s, build.id)
                try s.execute("CREATE TEMP TABLE IF NOT EXISTS interests_stage_factor (user_id bigint NOT NULL, vector bytea NOT NULL) ON COMMIT DELETE ROWS")
                var copy = CopyText(capacity: part.count * (16 + 8 * (part.first?.1.count ?? 0)))
                for (id, v) in part {
                    copy.int(id)
                    copy.bytea(VectorBlob.encode(v))
                    copy.endRow()
                }
                try s.copy(into: "interests_stage_factor", columns: ["user_id", "vector"], copy.buffer)
                try s.execute("""
                    INSERT INTO \(TableSet.building.name(.userFactor))(user_id, model_version, vector)
                    SELECT f.user_id, \(version), f.vector FROM interests_stage_factor f WHERE EXISTS (SELECT 1 FROM "user" u WHERE u.id = f.user_id)
                    """)
            }
        }
        try inChunks(items) { (part) throws(StoreError) in
            try pool.transaction("saving item factors") { s in
                try Self.heartbeat(s, build.id)
                var copy = CopyText(capacity: part.count * (24 + 8 * (part.first?.1.count ?? 0)))
                for (id, v, bias) in part {
                    copy.int(id)
                    copy.int(Int64(version))
                    copy.bytea(VectorBlob.encode(v))
                    copy.optionalDouble(bias.map(Double.init))
                    copy.endRow()
                }
                try s.copy(into: TableSet.building.name(.itemFactor), columns: ["item_id", "model_version", "vector", "bias"], copy.buffer)
            }
        }
        return version
    }

    /// `body` on consecutive slices of at most ``buildRowsPerTransaction`` rows (none when empty).
    func inChunks<Element>(_ rows: [Element], _ body: (ArraySlice<Element>) throws(StoreError) -> Void) throws(StoreError) {
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + Self.buildRowsPerTransaction)
            try body(rows[start..<end])
            start = end
        }
    }

    /// The item factors of the active collaborative model with external ids, or nil when none
    /// was trained. O(items); user factors stay in the database (``userFactors(_:version:)``).
    public func loadFactors() throws(StoreError) -> StoredFactors? {
        try pool.transaction("reading factors", readOnly: true) { s -> StoredFactors? in
            guard let meta = try s.rows("""
                SELECT version, parameters, payload FROM model WHERE kind = 'cf' AND \(Self.visibleModel) ORDER BY version DESC LIMIT 1
                """).first else { return nil }
            var ids: [Int64] = [], externals: [String] = [], flat: [Float] = [], biases: [Float] = []
            var factors = 0, anyBias = false
            for row in try s.rows("SELECT f.item_id, i.external_id, f.vector, f.bias FROM item_factor f JOIN item i ON i.id = f.item_id ORDER BY f.item_id") {
                let id = try row[0].decode(Int64.self)
                let bytes = Array(try row[2].decode(ByteBuffer.self).readableBytesView)
                guard let vector = VectorBlob.decode(bytes), !vector.isEmpty, ids.isEmpty || vector.count == factors else {
                    throw StoreError.corrupt(what: "item factors", reason: "item row \(id): not \(factors) 32-bit floats")
                }
                factors = vector.count
                flat.append(contentsOf: vector)
                ids.append(id)
                externals.append(try row[1].decode(String.self))
                let bias = try row[3].decode(Double?.self)
                anyBias = anyBias || bias != nil
                biases.append(bias.map(Float.init) ?? 0)
            }
            let payload = try meta[2].decode(ByteBuffer?.self)
            return StoredFactors(version: Int(try meta[0].decode(Int32.self)), parameters: try meta[1].decode(String.self),
                                 payload: payload.map { Array($0.readableBytesView) } ?? [], itemIDs: ids, externals: externals,
                                 factors: factors, itemFactors: flat, biases: anyBias ? biases : nil)
        }
    }

    /// The trained factors of these users (row ids) under model `version`; users without are absent.
    public func userFactors(_ users: [Int64], version: Int) throws(StoreError) -> [Int64: [Float]] {
        guard !users.isEmpty else { return [:] }
        return try pool.transaction("reading user factors", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(Int32(version))
            binds.append(users)
            var out: [Int64: [Float]] = [:]
            for row in try s.rows("SELECT user_id, vector FROM user_factor WHERE model_version = $1 AND user_id = ANY($2)", binds) {
                if let v = VectorBlob.decode(Array(try row[1].decode(ByteBuffer.self).readableBytesView)) { out[try row[0].decode(Int64.self)] = v }
            }
            return out
        }
    }

    /// Every user's trained factors under model `version`, by external id (batch jobs only: O(users)).
    public func allUserFactors(version: Int) throws(StoreError) -> [String: [Float]] {
        try pool.transaction("reading user factors", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(Int32(version))
            var out: [String: [Float]] = [:]
            for row in try s.rows("SELECT u.external_id, f.vector FROM user_factor f JOIN \"user\" u ON u.id = f.user_id WHERE f.model_version = $1", binds) {
                if let v = VectorBlob.decode(Array(try row[1].decode(ByteBuffer.self).readableBytesView)) { out[try row[0].decode(String.self)] = v }
            }
            return out
        }
    }
}

extension PostgresStore {
    /// External ids of users and items by row id. O(users + items).
    public func externalIDs() throws(StoreError) -> (users: [Int64: String], items: [Int64: String]) {
        try pool.transaction("reading ids", readOnly: true) { s in
            var users: [Int64: String] = [:], items: [Int64: String] = [:]
            for r in try s.rows("SELECT id, external_id FROM \"user\"") { users[try r[0].decode(Int64.self)] = try r[1].decode(String.self) }
            for r in try s.rows("SELECT id, external_id FROM item") { items[try r[0].decode(Int64.self)] = try r[1].decode(String.self) }
            return (users, items)
        }
    }
}

extension PostgresStore {
    /// External ids of these items (row ids).
    public func itemNames(_ ids: [Int64]) throws(StoreError) -> [Int64: String] { try names(ids, table: "item") }

    /// External ids of these users (row ids).
    public func userNames(_ ids: [Int64]) throws(StoreError) -> [Int64: String] { try names(ids, table: "\"user\"") }

    private func names(_ ids: [Int64], table: String) throws(StoreError) -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        return try pool.transaction("reading \(table) ids", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(ids)
            var out: [Int64: String] = [:]
            for r in try s.rows("SELECT id, external_id FROM \(table) WHERE id = ANY($1)", binds) { out[try r[0].decode(Int64.self)] = try r[1].decode(String.self) }
            return out
        }
    }

    /// How many users the store holds.
    public func userCount() throws(StoreError) -> Int {
        try pool.transaction("counting users", readOnly: true) { s in Int(try s.value("SELECT count(*) FROM \"user\"", as: Int64.self) ?? 0) }
    }

    /// All user external ids, in row order.
    public func userIDs() throws(StoreError) -> [String] {
        try pool.transaction("reading users", readOnly: true) { s in
            try s.rows("SELECT external_id FROM \"user\" ORDER BY id").map { try $0[0].decode(String.self) }
        }
    }

    /// Per user, the items they reviewed or interacted with (batch jobs: O(events)).
    public func userItems() throws(StoreError) -> [String: Set<String>] {
        try pool.transaction("reading user items", readOnly: true) { s in
            var out: [String: Set<String>] = [:]
            for row in try s.rows("""
                SELECT u.external_id, i.external_id FROM (SELECT user_id, item_id FROM review UNION SELECT user_id, item_id FROM interaction) e
                JOIN "user" u ON u.id = e.user_id JOIN item i ON i.id = e.item_id
                """) { out[try row[0].decode(String.self), default: []].insert(try row[1].decode(String.self)) }
            return out
        }
    }
}
