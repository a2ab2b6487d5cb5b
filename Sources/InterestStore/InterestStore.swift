import Foundation
import GRDB

/// The one SQLite file that holds all of InterestMiner's state, and the only code that touches
/// SQLite (GRDB's `AppDatabase` pattern: one Sendable value, migrations at open, one transaction
/// per public method).
///
/// The file is opened in WAL mode through a `DatabasePool`, so reads run beside a write.
/// `synchronous = NORMAL`: a committed transaction survives a killed process; after a power
/// loss the last transactions may roll back, never half-apply.
public final class InterestStore: Sendable {
    /// The database file path (`:memory:` for an in-memory store).
    public let path: String
    let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// `readOnly`: when the file exists, is in WAL mode and needs no migration, it is opened
    /// for reading only — nothing is written, at open (GRDB makes sure a WAL file has content)
    /// or at close (the last connection's checkpoint), and writes fail. Otherwise it is opened
    /// as without `readOnly`.
    public init(path: String, readOnly: Bool = false) throws(StoreError) {
        self.path = path
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(30)
        config.label = "InterestMiner"
        config.prepareDatabase { db in
            try db.execute(sql: """
                PRAGMA synchronous = NORMAL;
                PRAGMA cache_size = -65536;
                PRAGMA wal_autocheckpoint = 16384;
                PRAGMA journal_size_limit = 67108864;
                PRAGMA temp_store = MEMORY;
                PRAGMA secure_delete = ON;
                """)
        }
        if readOnly, path != ":memory:", let reader = Self.currentReader(path: path, configuration: config) {
            writer = reader
            return
        }
        do {
            if path == ":memory:" {
                writer = try DatabaseQueue(configuration: config)
            } else {
                let dir = (path as NSString).deletingLastPathComponent
                if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
                    throw StoreError.cannotOpen(path: path, reason: "folder '\(dir)' does not exist")
                }
                writer = try DatabasePool(path: path, configuration: config)
            }
        } catch let e as StoreError {
            throw e
        } catch let e as DatabaseError {
            throw .cannotOpen(path: path, reason: e.message ?? "\(e.resultCode)")
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
        try migrate()
    }

    /// A read-only pool on `path`, or nil when one cannot serve as the store (no such file, not
    /// WAL, a migration to apply or one this build does not know, or any error).
    private static func currentReader(path: String, configuration: Configuration) -> DatabasePool? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var config = configuration
        config.readonly = true
        do {
            let pool = try DatabasePool(path: path, configuration: config)
            let current = try pool.read { db in
                try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal"
                    && Schema.migrator.hasCompletedMigrations(db) && !Schema.migrator.hasBeenSuperseded(db)
            }
            return current ? pool : nil
        } catch {
            return nil
        }
    }

    private func migrate() throws(StoreError) {
        let migrator = Schema.migrator
        do {
            let unknown: [String] = try writer.read { db in
                guard try migrator.hasBeenSuperseded(db) else { return [] }
                let known = Set(try migrator.completedMigrations(db))
                let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
                return applied.filter { !known.contains($0) }
            }
            if !unknown.isEmpty { throw StoreError.newerSchema(path: path, unknown: unknown) }
            try migrator.migrate(writer)
        } catch let e as StoreError {
            throw e
        } catch let e as DatabaseError {
            if e.resultCode == .SQLITE_NOTADB {
                throw .cannotOpen(path: path, reason: "the file is not an SQLite database")
            }
            throw .cannotOpen(path: path, reason: e.message ?? "\(e.resultCode)")
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
    }

    /// Runs `body` in one write transaction, mapping SQLite errors to ``StoreError``.
    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.write(body)
        } catch {
            throw Self.map(error, operation)
        }
    }

    /// Runs `body` in one read transaction (a consistent snapshot).
    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.read(body)
        } catch {
            throw Self.map(error, operation)
        }
    }

    static func map(_ error: any Error, _ operation: String) -> StoreError {
        if let e = error as? StoreError { return e }
        if let e = error as? DatabaseError {
            return .sqlite(operation: operation, message: e.message ?? "\(e.resultCode)")
        }
        return .sqlite(operation: operation, message: "\(error)")
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    public func integrityCheck() throws(StoreError) -> String {
        try read("checking integrity") { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
        }
    }
}
