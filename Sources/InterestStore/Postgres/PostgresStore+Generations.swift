import Foundation
import InterestCore
import NIOCore
import PostgresNIO

/// Model generations on PostgreSQL, with the SQLite file's semantics (see
/// `InterestStore+Generations.swift` and docs/ARCHITECTURE.md "Model generations"): a training
/// run builds the tables it retrains as `<table>_build` copies beside the active ones, its models
/// are invisible until activation, and activation swaps the copies in by renaming, in one
/// transaction. What differs is how the watermark is taken.
///
/// **The write barrier.** On SQLite one writer at a time means "the highest row id" covers every
/// committed row. PostgreSQL hands out ids when a row is inserted and transactions commit in any
/// order, so a batch holding smaller ids can commit after a larger one was read as the highest —
/// and a catch-up that walks ids upwards would skip it for ever. So every write transaction of
/// events takes a shared advisory lock (``writeBarrier``) first, and the watermark is read under
/// the exclusive one: no write is in flight then, every committed id is below it and every later
/// one above. Writers wait for that moment only (a few milliseconds), not for the training run.
///
/// **Leases: a dead run is known at once.** On SQLite a run is judged alive by its heartbeat
/// (a run that stopped beating for `staleAfter` seconds is taken over). On PostgreSQL each run
/// holds a session advisory lock on its generation on a connection of its own, taken before the
/// generation row exists; the server releases it when the run's process dies or its connection
/// breaks. `beginGeneration` tries that lock for each generation still building: free means the
/// run is gone, and its generation is marked failed there and then — a training worker killed
/// mid-run delays the next run by nothing; held means a live run (refused unless `takeOver`).
extension PostgresStore {
    /// Key of the advisory lock that orders event writes around a watermark ("IntW").
    static let writeBarrier: Int64 = 0x496E_7457
    /// Class of the advisory locks that are training runs' leases ("IntG"; the object is the
    /// generation id).
    static let leaseClass: Int32 = 0x496E_7447

    /// Starts a model generation that will rebuild `parts` (see
    /// ``InterestStore/beginGeneration(parts:takeOver:staleAfter:)``): a generation still
    /// building with a heartbeat within `staleAfter` seconds belongs to a live run and makes
    /// this throw ``StoreError/trainingInProgress(generation:since:)`` unless `takeOver`; one
    /// left by a dead run is marked failed, its models deleted and its build tables dropped.
    /// `staleAfter` is SQLite's test of a dead run; here the lease decides (see above).
    public func beginGeneration(parts: [DerivedTable], takeOver: Bool = false, staleAfter: Int64 = 900) throws(StoreError) -> GenerationBuild {
        let now = Int64(Date().timeIntervalSince1970)
        // The lease first: the generation's id, locked on the run's own connection.
        let lease = try pool.connectOwned("starting a model generation")
        let id: Int64
        do {
            let session = PostgresSession(connection: lease)
            guard let next = try session.value("SELECT nextval(pg_get_serial_sequence('generation', 'id'))", as: Int64.self) else {
                throw StoreError.corrupt(what: "generation", reason: "no id from its sequence")
            }
            try session.execute("SELECT pg_advisory_lock(\(Self.leaseClass), \(Int32(truncatingIfNeeded: next)))")
            id = next
        } catch {
            let closing: EventLoopFuture<Void> = lease.close()
            _ = try? closing.wait()
            throw PostgresPool.map(error, "starting a model generation", location)
        }
        do {
            let build = try pool.transaction("starting a model generation", retries: 0) { s in
                // The barrier first (activation takes it first too), then one starter at a time.
                try s.execute("SELECT pg_advisory_xact_lock(\(Self.writeBarrier))")
                try s.execute("LOCK TABLE generation IN SHARE ROW EXCLUSIVE MODE")
                for row in try s.rows("SELECT id, heartbeat FROM generation WHERE state = 'building' ORDER BY id") {
                    let other = try row[0].decode(Int64.self), heartbeat = try row[1].decode(Int64.self)
                    let free = try Self.leaseIsFree(s, other)
                    if !takeOver && !free {
                        throw StoreError.trainingInProgress(generation: Int(other), since: heartbeat)
                    }
                    try Self.markFailed(s, Int(other))
                }
                try Self.dropBuildTables(s)
                let mark = try Self.currentWatermark(s)
                var binds = PostgresBindings()
                binds.append(id)
                binds.append(now)
                binds.append(String(decoding: try JSONEncoder().encode(mark), as: UTF8.self))
                binds.append(parts.map(\.rawValue).joined(separator: ","))
                try s.execute("INSERT INTO generation(id, state, started_at, heartbeat, watermark, parts) VALUES ($1, 'building', $2, $2, $3, $4)", binds)
                for table in parts { try Self.createBuildTable(s, table) }
                return GenerationBuild(id: Int(id), watermark: mark, parts: parts)
            }
            runLeases.withLock { $0[build.id] = lease }
            return build
        } catch {
            let closing: EventLoopFuture<Void> = lease.close()
            _ = try? closing.wait()
            throw error
        }
    }

    /// Whether no process holds the lease of generation `id` (its run is gone). The probe's
    /// lock, taken on a pooled connection, is released at once.
    private static func leaseIsFree(_ s: PostgresSession, _ id: Int64) throws -> Bool {
        let key = "\(leaseClass), \(Int32(truncatingIfNeeded: id))"
        guard try s.value("SELECT pg_try_advisory_lock(\(key))", as: Bool.self) == true else { return false }
        try s.execute("SELECT pg_advisory_unlock(\(key))")
        return true
    }

    /// Ends this process's lease on generation `id` (its run activated or failed).
    func releaseLease(_ id: Int) {
        guard let lease = runLeases.withLock({ $0.removeValue(forKey: id) }) else { return }
        let closing: EventLoopFuture<Void> = lease.close()
        _ = try? closing.wait()
    }

    /// `<table>_build` with the active table's columns, defaults, checks, indexes and foreign
    /// keys (`LIKE … INCLUDING ALL` copies all but the foreign keys, which are added from the
    /// catalogue), so a forget cascades into it as into the active table.
    static func createBuildTable(_ s: PostgresSession, _ table: DerivedTable) throws {
        let build = TableSet.building.name(table)
        try s.execute("CREATE TABLE \(build) (LIKE \(table.rawValue) INCLUDING ALL)")
        var binds = PostgresBindings()
        binds.append(table.rawValue)
        for row in try s.rows("""
            SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = current_schema() AND t.relname = $1 AND c.contype = 'f' ORDER BY c.conname
            """, binds) {
            try s.execute("ALTER TABLE \(build) ADD \(try row[0].decode(String.self))")
        }
    }

    /// The ids handed out so far and the highest item revision; call it holding
    /// ``writeBarrier`` exclusively: no write is in flight then, so every id up to an event
    /// table's sequence value is committed (or never will be: a rolled-back insert, a duplicate
    /// that drew a value) and every later row takes a higher one. Reading the sequence costs
    /// nothing; `max(id)` would scan the table (its id index is BRIN).
    static func currentWatermark(_ s: PostgresSession) throws -> GenerationWatermark {
        func handedOut(_ table: String) throws -> Int64 {
            guard let name = try s.value("SELECT pg_get_serial_sequence('\(table)', 'id')", as: String.self) else { return 0 }
            return try s.value("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM \(name)", as: Int64.self) ?? 0
        }
        return GenerationWatermark(review: try handedOut("review"), query: try handedOut("query"), interaction: try handedOut("interaction"),
                                   itemRevision: try s.value("SELECT coalesce(max(revision), 0)::bigint FROM item", as: Int64.self) ?? 0)
    }

    /// Records that the run building `id` is alive; throws ``StoreError/generationAbandoned(_:)``
    /// when the generation is no longer building (another run took over).
    static func heartbeat(_ s: PostgresSession, _ id: Int) throws {
        var binds = PostgresBindings()
        binds.append(Int64(Date().timeIntervalSince1970))
        binds.append(Int64(id))
        if try s.execute("UPDATE generation SET heartbeat = $1 WHERE id = $2 AND state = 'building'", binds) == 0 {
            throw StoreError.generationAbandoned(id)
        }
    }

    /// Marks a generation failed (its run stopped), deletes its models and drops its tables.
    public func failGeneration(_ id: Int) throws(StoreError) {
        defer { releaseLease(id) }
        try pool.transaction("abandoning generation \(id)") { s in
            try Self.markFailed(s, id)
            // Only the building generation has build tables; another one's are not this run's.
            if try s.value("SELECT count(*) FROM generation WHERE state = 'building'", as: Int64.self) == 0 { try Self.dropBuildTables(s) }
        }
    }

    private static func markFailed(_ s: PostgresSession, _ id: Int) throws {
        var binds = PostgresBindings()
        binds.append(Int64(id))
        try s.execute("UPDATE generation SET state = 'failed' WHERE id = $1 AND state = 'building'", binds)
        try s.execute("DELETE FROM model WHERE generation = $1", binds)
    }

    /// Dropping a table on PostgreSQL unlinks its files: no chunked delete is needed.
    private static func dropBuildTables(_ s: PostgresSession) throws {
        for table in DerivedTable.allCases { try s.execute("DROP TABLE IF EXISTS \(TableSet.building.name(table))") }
    }

    /// Activates a generation in one transaction (see
    /// ``InterestStore/activateGeneration(_:report:tail:)``): each rebuilt table replaces the
    /// active one, which is kept as `<table>_g<N>`; the generation becomes active, the one before
    /// retired; after a complete run the forgotten users it learnt without are cleared and every
    /// older generation dropped. Event writes wait for the transaction (it holds the write
    /// barrier), as they wait for the SQLite writer. Returns how many forgotten users it cleared.
    @discardableResult
    public func activateGeneration(_ build: GenerationBuild, report: String?) throws(StoreError) -> Int {
        try activateGeneration(build, report: report) { _ in }
    }

    /// `tail` runs first in the activation's transaction, with event writes held (the catch-up
    /// of the last events into the build tables).
    func activateGeneration(_ build: GenerationBuild, report: String?, tail: (PostgresSession) throws -> Void) throws(StoreError) -> Int {
        let complete = Set(build.parts) == Set(DerivedTable.allCases)
        defer { versionWatch.invalidate() }
        let cleared = try activate(build, report: report, complete: complete, tail: tail)
        releaseLease(build.id)
        return cleared
    }

    private func activate(_ build: GenerationBuild, report: String?, complete: Bool, tail: (PostgresSession) throws -> Void) throws(StoreError) -> Int {
        return try pool.transaction("activating generation \(build.id)", retries: 0) { s -> Int in
            try s.execute("SELECT pg_advisory_xact_lock(\(Self.writeBarrier))")
            var id = PostgresBindings()
            id.append(Int64(build.id))
            guard try s.value("SELECT state FROM generation WHERE id = $1 FOR UPDATE", id, as: String.self) == "building" else {
                throw StoreError.generationAbandoned(build.id)
            }
            try tail(s)
            for table in build.parts {
                let retired = "\(table.rawValue)_g\(try Self.builder(s, of: table))"
                try s.execute("DROP TABLE IF EXISTS \(retired)")
                try s.execute("ALTER TABLE \(table.rawValue) RENAME TO \(retired)")
                try s.execute("ALTER TABLE \(TableSet.building.name(table)) RENAME TO \(table.rawValue)")
            }
            try s.execute("UPDATE generation SET state = 'retired' WHERE state = 'active'")
            var binds = PostgresBindings()
            binds.append(Int64(Date().timeIntervalSince1970))
            binds.append(report)
            binds.append(Int64(build.id))
            try s.execute("UPDATE generation SET state = 'active', activated_at = $1, report = $2 WHERE id = $3", binds)
            try Self.notifyModelsChanged(s, versionWatch)
            guard complete else { return 0 }
            let cleared = try s.execute("DELETE FROM forgotten WHERE after_generation < $1", id)
            if cleared > 0 { try s.execute("UPDATE generation SET state = 'dropped' WHERE state = 'retired'") }
            return cleared
        }
    }

    /// The generation that built the active copy of `table` (0: before generations existed).
    private static func builder(_ s: PostgresSession, of table: DerivedTable) throws -> Int {
        for row in try s.rows("SELECT id, parts FROM generation WHERE state IN ('active', 'retired', 'dropped') ORDER BY id DESC") {
            if try row[1].decode(String.self).split(separator: ",").contains(Substring(table.rawValue)) { return Int(try row[0].decode(Int64.self)) }
        }
        return 0
    }

    /// Keeps the newest `keep` activated generations (at least 1) and drops the others' tables
    /// and superseded models, in one transaction. `erasingLog` asks the SQLite file to truncate
    /// its log; PostgreSQL recycles its write-ahead log by itself (and archives or replicas keep
    /// what their operator set), so it has nothing to do here.
    public func applyRetention(keep: Int, erasingLog: Bool = false) throws(StoreError) {
        try pool.transaction("dropping old generations") { s in
            let activated = try s.rows("SELECT id FROM generation WHERE state IN ('active', 'retired') ORDER BY id DESC").map { try $0[0].decode(Int64.self) }
            for id in activated.dropFirst(max(1, keep)) {
                var binds = PostgresBindings()
                binds.append(id)
                try s.execute("UPDATE generation SET state = 'dropped' WHERE id = $1", binds)
            }
            let kept = Set(try s.rows("SELECT id FROM generation WHERE state IN ('active', 'retired')").map { Int(try $0[0].decode(Int64.self)) })
            for row in try s.rows("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() AND tablename ~ '_g[0-9]+$' ORDER BY 1") {
                let name = try row[0].decode(String.self)
                guard let cut = name.range(of: "_g", options: .backwards), let gen = Int(name[cut.upperBound...]),
                      DerivedTable(rawValue: String(name[..<cut.lowerBound])) != nil, !kept.contains(gen) else { continue }
                try s.execute("DROP TABLE \(name)")
            }
            try s.execute("""
                DELETE FROM model WHERE (generation IS NULL OR generation IN (SELECT id FROM generation WHERE state = 'dropped'))
                  AND EXISTS (SELECT 1 FROM model newer WHERE newer.kind = model.kind AND newer.version > model.version
                              AND newer.generation IN (SELECT id FROM generation WHERE state IN ('active', 'retired')))
                """)
        }
    }
}
