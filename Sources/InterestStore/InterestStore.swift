import Foundation
import GRDB
import Synchronization

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
    /// Writes other than a training run's build transactions (ingest, forget, generation
    /// bookkeeping) queued for, waiting for or holding the single writer. A build transaction
    /// starts only when none is (see ``buildWrite(_:_:)``).
    let foregroundWrites = Atomic<Int>(0)
    /// A connection of its own for a training run's checkpoints (``checkpointBeside()``),
    /// opened on first use, and when it last ran.
    private let checkpointer = Mutex<(queue: DatabaseQueue?, last: ContinuousClock.Instant?)>((nil, nil))

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
        foregroundWriteQueued()
        defer { foregroundWriteEnded() }
        do {
            return try writer.write(body)
        } catch {
            throw Self.map(error, operation)
        }
    }

    /// A write is queued for or holds the writer (a request waiting its turn in the service's
    /// write queue, or any write but a build transaction): build transactions give way until
    /// ``foregroundWriteEnded()``. Without it a
    /// request queued behind another would find the next build transaction already started.
    public func foregroundWriteQueued() { foregroundWrites.add(1, ordering: .relaxed) }

    /// Ends what ``foregroundWriteQueued()`` began (once each).
    public func foregroundWriteEnded() { foregroundWrites.subtract(1, ordering: .relaxed) }

    /// Copies the write-ahead log into the database file beside the writer: a PASSIVE
    /// checkpoint on a connection of its own, which SQLite runs without the write lock. A
    /// training run calls it between its build transactions (at most every 100 ms), so the log
    /// stays under `wal_autocheckpoint` and no commit — a request's one-event write, or a build
    /// transaction holding the writer — pays for copying 64 MB of pages: measured on the
    /// 100,000-user shop under a 90/10 load, such commits took 100–220 ms while text vectors
    /// were written, and every write queued behind them. Best effort: an error is ignored (the
    /// automatic checkpoint stays the fallback). Not for `:memory:` or read-only stores.
    func checkpointBeside() {
        guard path != ":memory:" else { return }
        let clock = ContinuousClock()
        let queue: DatabaseQueue? = checkpointer.withLock { state in
            if let last = state.last, clock.now - last < .milliseconds(100) { return nil }
            state.last = clock.now
            if state.queue == nil {
                var config = Configuration()
                config.label = "InterestMiner.checkpoint"
                config.busyMode = .timeout(1)
                state.queue = try? DatabaseQueue(path: path, configuration: config)
            }
            return state.queue
        }
        _ = try? queue?.writeWithoutTransaction { db in try db.checkpoint(.passive) }
    }

    /// How long a build transaction waits, at most, for foreground writes to drain before it
    /// goes in anyway (a steady stream of writes never starves a training run).
    static let buildYieldLimit: Duration = .milliseconds(250)

    /// One transaction of a training run's build (``writeChunked(_:_:_:chunk:_:)``, the profile
    /// rebuild): it first lets every queued or waiting foreground write go — polling each
    /// millisecond, at most ``buildYieldLimit`` — so a request's write waits for the one build
    /// transaction under way (about ``buildTransactionBudget``), not for one more per request
    /// queued before it. The transaction itself runs at normal CPU priority
    /// (``NormalPriority``) and the log is checkpointed beside the writer afterwards
    /// (``checkpointBeside()``). Measured on the 100,000-user shop under a paced 90/10 load
    /// while the service trained: p99 of the mix up to 950 ms in a 10-s window before these
    /// changes, at most 75 ms after (but for a first window that dropped a dead run's tables).
    func buildWrite<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        let clock = ContinuousClock()
        let start = clock.now
        while foregroundWrites.load(ordering: .relaxed) > 0 && clock.now - start < Self.buildYieldLimit {
            Thread.sleep(forTimeInterval: 0.001)
        }
        let result: T
        do {
            // Priority ceiling: a run at a low CPU priority holds the writer at normal priority,
            // or requests would preempt it mid-transaction while their own writes wait for it.
            let ceiling = NormalPriority()
            defer { ceiling.restore() }
            result = try writer.write(body)
        } catch {
            throw Self.map(error, operation)
        }
        checkpointBeside()
        return result
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

/// The calling thread at niceness 0 until `restore()`, when it runs at a lower priority (Linux
/// applies niceness per thread) and may raise its priority (root, CAP_SYS_NICE or an
/// RLIMIT_NICE that allows it); otherwise nothing changes.
struct NormalPriority {
    private let was: Int32

    init() {
        #if os(Linux)
        errno = 0
        let nice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        was = errno == 0 && nice > 0 && setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 0) == 0 ? nice : 0
        #else
        was = 0
        #endif
    }

    func restore() {
        #if os(Linux)
        if was > 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, was) }
        #endif
    }
}
