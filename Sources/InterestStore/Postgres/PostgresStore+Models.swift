import Foundation
import InterestCore
import NIOCore
import PostgresNIO

/// Models (their bytes and parameters, per kind and version) and the item neighbours on
/// PostgreSQL, as in the SQLite file: a model saved for a generation stays invisible until the
/// generation is activated.
extension PostgresStore {
    /// Key of the advisory lock that hands out model versions one at a time ("IntV").
    static let modelVersionLock: Int64 = 0x496E_7456

    /// Stores a new version of a model (versions count up from 1 per kind), as part of the
    /// generation `generation` builds (invisible until it is activated; nil: visible at once).
    /// One transaction. The generation must be building (a run taken over stops here) or
    /// active (a run's last choice, saved after its activation), as on SQLite.
    @discardableResult
    public func saveModel(kind: String, parameters: String, payload: [UInt8], generation: Int? = nil) throws(StoreError) -> Int {
        let version = try pool.transaction("saving the \(kind) model") { s in
            if let generation {
                var binds = PostgresBindings()
                binds.append(Int64(Date().timeIntervalSince1970))
                binds.append(Int64(generation))
                if try s.execute("UPDATE generation SET heartbeat = $1 WHERE id = $2 AND state IN ('building', 'active')", binds) == 0 {
                    throw StoreError.generationAbandoned(generation)
                }
            }
            let version = try Self.insertModel(s, kind: kind, parameters: parameters, payload: payload, generation: generation)
            try Self.notifyModelsChanged(s, versionWatch)
            return version
        }
        versionWatch.invalidate()
        return version
    }

    static func insertModel(_ s: PostgresSession, kind: String, parameters: String, payload: [UInt8]?, generation: Int?) throws -> Int {
        try s.execute("SELECT pg_advisory_xact_lock(\(modelVersionLock))")
        var binds = PostgresBindings()
        binds.append(kind)
        let version = Int(try s.value("SELECT coalesce(max(version), 0) FROM model WHERE kind = $1", binds, as: Int32.self) ?? 0) + 1
        binds.append(Int32(version))
        binds.append(Int64(Date().timeIntervalSince1970))
        binds.append(parameters)
        binds.append(payload.map { ByteBuffer(bytes: $0) })
        binds.append(generation.map(Int64.init))
        try s.execute("INSERT INTO model(kind, version, created_at, parameters, payload, generation) VALUES ($1, $2, $3, $4, $5, $6)", binds)
        return version
    }

    /// The newest visible version of a model kind, or nil.
    public func latestModel(kind: String) throws(StoreError) -> StoredModel? {
        try pool.transaction("reading the \(kind) model", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(kind)
            return try s.rows("""
                SELECT version, created_at, parameters, payload FROM model WHERE kind = $1 AND \(Self.visibleModel) ORDER BY version DESC LIMIT 1
                """, binds).first.map { try Self.storedModel(kind, $0) }
        }
    }

    /// The version and parameters of the newest visible model of a kind, without its payload.
    public func latestModelParameters(kind: String) throws(StoreError) -> (version: Int, parameters: String)? {
        try pool.transaction("reading the \(kind) model's parameters", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(kind)
            return try s.rows("SELECT version, parameters FROM model WHERE kind = $1 AND \(Self.visibleModel) ORDER BY version DESC LIMIT 1", binds)
                .first.map { (version: Int(try $0[0].decode(Int32.self)), parameters: try $0[1].decode(String.self)) }
        }
    }

    /// A given version of a model kind (visible or not: a cached model's version), or nil.
    public func model(kind: String, version: Int) throws(StoreError) -> StoredModel? {
        try pool.transaction("reading the \(kind) model v\(version)", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(kind)
            binds.append(Int32(version))
            return try s.rows("SELECT version, created_at, parameters, payload FROM model WHERE kind = $1 AND version = $2", binds)
                .first.map { try Self.storedModel(kind, $0) }
        }
    }

    private static func storedModel(_ kind: String, _ row: PostgresRandomAccessRow) throws -> StoredModel {
        let payload = try row[3].decode(ByteBuffer?.self)
        return StoredModel(kind: kind, version: Int(try row[0].decode(Int32.self)), createdAt: try row[1].decode(Int64.self),
                           parameters: try row[2].decode(String.self), payload: payload.map { Array($0.readableBytesView) } ?? [])
    }
}

extension PostgresStore {
    /// Rows per transaction of a training run's writes into its build tables: each is a COPY
    /// with the run's heartbeat, short enough that a forget or activation never waits long.
    static let buildRowsPerTransaction = 50_000

    /// Writes the generation's item neighbours into its build table (COPY, in transactions of
    /// ``buildRowsPerTransaction`` rows, each with the run's heartbeat).
    public func writeItemNeighbours(_ rows: [ItemNeighbourRow], build: GenerationBuild) throws(StoreError) {
        var start = 0
        repeat {
            let end = min(rows.count, start + Self.buildRowsPerTransaction)
            try pool.transaction("writing item neighbours") { s in
                try Self.heartbeat(s, build.id)
                var copy = CopyText(capacity: (end - start) * 40)
                for r in rows[start..<end] {
                    copy.int(r.item)
                    copy.int(r.neighbour)
                    copy.double(r.score)
                    copy.int(Int64(r.users))
                    copy.endRow()
                }
                try s.copy(into: TableSet.building.name(.itemNeighbour), columns: ["item_id", "neighbour_id", "score", "users"], copy.buffer)
            }
            start = end
        } while start < rows.count
    }

    /// Every item's row id and external id, ascending by row id (the catalogue). O(items).
    public func itemCatalogue() throws(StoreError) -> [(id: Int64, external: String)] {
        try pool.transaction("reading items", readOnly: true) { s in
            try s.rows("SELECT id, external_id FROM item ORDER BY id").map { (try $0[0].decode(Int64.self), try $0[1].decode(String.self)) }
        }
    }

    /// The stored neighbours of these items (external ids): item → [(neighbour, score)], best
    /// first (ties by the neighbour's id). Items without neighbours are absent.
    public func itemNeighbours(_ items: [String]) throws(StoreError) -> [String: [(item: String, score: Double)]] {
        guard !items.isEmpty else { return [:] }
        return try pool.transaction("reading item neighbours", readOnly: true) { s in
            var binds = PostgresBindings()
            binds.append(Array(Set(items)).sorted())
            var out: [String: [(item: String, score: Double)]] = [:]
            for row in try s.rows("""
                SELECT i.external_id, j.external_id, n.score FROM item i
                JOIN item_neighbour n ON n.item_id = i.id JOIN item j ON j.id = n.neighbour_id
                WHERE i.external_id = ANY($1) ORDER BY i.external_id, n.score DESC, j.external_id
                """, binds) {
                out[try row[0].decode(String.self), default: []].append((try row[1].decode(String.self), try row[2].decode(Double.self)))
            }
            return out
        }
    }
}
