import Foundation
import GRDB

/// The kinds of models stored in the database's `model` table. The store knows the text
/// encoder's (ingest checks its vectors against the active one); the façade adds the others.
public enum ModelKind {
    public static let textEncoder = "text-encoder"
}

/// A trained model as stored: its kind, version, when, with which parameters, and its bytes.
public struct StoredModel: Sendable, Equatable {
    public let kind: String
    public let version: Int
    public let createdAt: Int64
    /// The training parameters as JSON text.
    public let parameters: String
    public let payload: [UInt8]
}

extension InterestStore {
    /// Stores a new version of a model (versions count up from 1 per kind), as part of the
    /// generation `generation` builds (invisible until it is activated; nil: visible at once).
    /// One transaction. The generation must be building (a run taken over stops here:
    /// ``StoreError/generationAbandoned(_:)``) or active (a run's last choice, saved after its
    /// activation).
    @discardableResult
    public func saveModel(kind: String, parameters: String, payload: [UInt8], generation: Int? = nil) throws(StoreError) -> Int {
        try write("saving the \(kind) model") { db in
            if let generation {
                try db.execute(sql: "UPDATE generation SET heartbeat = ? WHERE id = ? AND state IN ('building', 'active')",
                               arguments: [Int64(Date().timeIntervalSince1970), generation])
                if db.changesCount == 0 { throw StoreError.generationAbandoned(generation) }
            }
            return try Self.insertModel(db, kind: kind, parameters: parameters, payload: payload, generation: generation)
        }
    }

    static func insertModel(_ db: Database, kind: String, parameters: String, payload: [UInt8]?, generation: Int?) throws -> Int {
        let version = (try Int.fetchOne(db, sql: "SELECT max(version) FROM model WHERE kind = ?", arguments: [kind]) ?? 0) + 1
        try db.execute(sql: "INSERT INTO model(kind, version, created_at, parameters, payload, generation) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [kind, version, Int64(Date().timeIntervalSince1970), parameters, payload.map { Data($0) }, generation])
        return version
    }

    /// The newest visible version of every model kind.
    static func visibleVersions(_ db: Database) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT kind, max(version) FROM model WHERE \(visibleModel) GROUP BY kind") { out[row[0]] = row[1] }
        return out
    }

    /// The newest version of every model kind (a cheap check whether cached models are current).
    public func latestVersions() throws(StoreError) -> [String: Int] {
        try read("reading model versions") { db in
            try Self.visibleVersions(db)
        }
    }

    /// The newest version of a model kind, or nil.
    public func latestModel(kind: String) throws(StoreError) -> StoredModel? {
        try read("reading the \(kind) model") { db in
            try Row.fetchOne(db, sql: """
                SELECT kind, version, created_at, parameters, payload FROM model WHERE kind = ? AND \(Self.visibleModel) ORDER BY version DESC LIMIT 1
                """, arguments: [kind]).map { row in
                let data: Data = row[4] ?? Data()
                return StoredModel(kind: row[0], version: row[1], createdAt: row[2], parameters: row[3], payload: [UInt8](data))
            }
        }
    }
}

extension InterestStore {
    /// The version and parameters of the newest model of a kind, without reading its payload
    /// (a text encoder's is megabytes), or nil.
    public func latestModelParameters(kind: String) throws(StoreError) -> (version: Int, parameters: String)? {
        try read("reading the \(kind) model's parameters") { db in
            try Row.fetchOne(db, sql: "SELECT version, parameters FROM model WHERE kind = ? AND \(Self.visibleModel) ORDER BY version DESC LIMIT 1",
                             arguments: [kind]).map { row in (version: row[0], parameters: row[1]) }
        }
    }

    /// A given version of a model kind, or nil. The payload (a tokenizer is megabytes) is
    /// copied once, straight from SQLite into the array.
    public func model(kind: String, version: Int) throws(StoreError) -> StoredModel? {
        try read("reading the \(kind) model v\(version)") { db in
            let statement = try RawStatement(db, "SELECT created_at, parameters, payload FROM model WHERE kind = ? AND version = ?")
            statement.reset()
            defer { statement.reset() }
            statement.bind(1, kind)
            statement.bind(2, Int64(version))
            guard try statement.step() else { return nil }
            return StoredModel(kind: kind, version: version, createdAt: statement.int64(column: 0),
                               parameters: statement.text(column: 1) ?? "", payload: statement.blob(column: 2) ?? [])
        }
    }
}
