import Foundation
import GRDB
import InterestCore

/// A table derived from events by training: rebuilt whole by a training run as part of a model
/// generation, beside the active copy, and swapped in at activation.
public enum DerivedTable: String, Sendable, CaseIterable, Codable {
    case reviewVector = "review_vector"
    case queryVector = "query_vector"
    case itemVector = "item_vector"
    case term = "term"
    case itemTerm = "item_term"
    case itemTextTerm = "item_text_term"
    case userProfile = "user_profile"
    case userFactor = "user_factor"
    case itemFactor = "item_factor"
    case itemNeighbour = "item_neighbour"

    /// The tables the text stage rebuilds (vectors, terms, profiles).
    public static let text: [DerivedTable] = [.reviewVector, .queryVector, .itemVector, .term, .itemTerm, .itemTextTerm, .userProfile]
    /// The tables the collaborative stage rebuilds.
    public static let collaborative: [DerivedTable] = [.userFactor, .itemFactor]

    /// The column chunked deletes go by (the rowid, or the first primary-key column of a
    /// WITHOUT ROWID table).
    var chunkKey: String {
        switch self {
        case .itemTerm, .itemNeighbour: "item_id"
        default: "rowid"
        }
    }
}

/// Which copy of the derived tables a read or write goes to: the active generation's (the
/// tables' own names) or the one a training run is building (`<table>_build`).
public enum TableSet: Sendable, Equatable {
    case active, building

    public func name(_ table: DerivedTable) -> String {
        switch self {
        case .active: table.rawValue
        case .building: table.rawValue + "_build"
        }
    }
}

/// The highest row ids a training run's snapshot covers; what came after is caught up with
/// before activation.
public struct GenerationWatermark: Sendable, Codable, Equatable {
    public var review: Int64
    public var query: Int64
    public var interaction: Int64
    /// The highest `item.revision` (item records written).
    public var itemRevision: Int64

    public init(review: Int64, query: Int64, interaction: Int64, itemRevision: Int64) {
        self.review = review
        self.query = query
        self.interaction = interaction
        self.itemRevision = itemRevision
    }

    /// The review and interaction part, what collaborative models record.
    public var events: EventWatermark { EventWatermark(review: review, interaction: interaction) }
}

/// Where a training run stands with the model tables.
public struct GenerationBuild: Sendable, Equatable {
    public let id: Int
    public let watermark: GenerationWatermark
    public let parts: [DerivedTable]
}

extension InterestStore {
    /// Rows of `model` that readers see: trained before generations existed, or by a generation
    /// that was activated (a building or failed one is invisible).
    static let visibleModel = "(model.generation IS NULL OR model.generation IN (SELECT id FROM generation WHERE state IN ('active', 'retired', 'dropped')))"

    /// Starts a model generation that will rebuild `parts`: records it with the current
    /// watermark and creates empty `<table>_build` copies of the parts' tables (same columns
    /// and constraints). A generation left building by a run that died is marked failed and its
    /// tables dropped first. One short transaction.
    ///
    /// A generation still building whose run showed progress (`heartbeat`) within `staleAfter`
    /// seconds belongs to a live run: then this throws ``StoreError/trainingInProgress``, unless
    /// `takeOver` (the caller knows that run died).
    public func beginGeneration(parts: [DerivedTable], takeOver: Bool = false, staleAfter: Int64 = 900) throws(StoreError) -> GenerationBuild {
        let now = Int64(Date().timeIntervalSince1970)
        let stale = try write("starting a model generation") { db -> [Int] in
            let building = try Row.fetchAll(db, sql: "SELECT id, heartbeat FROM generation WHERE state = 'building' ORDER BY id")
            if !takeOver, let live = building.first(where: { ($0[1] as Int64) > now - staleAfter }) {
                throw StoreError.trainingInProgress(generation: live[0], since: live[1])
            }
            for row in building { try Self.markFailed(db, row[0]) }
            return building.map { $0[0] }
        }
        if !stale.isEmpty { try dropBuildTables() }
        return try write("starting a model generation") { db in
            let mark = try Self.currentWatermark(db)
            let json = String(decoding: try JSONEncoder().encode(mark), as: UTF8.self)
            try db.execute(sql: "INSERT INTO generation(state, started_at, heartbeat, watermark, parts) VALUES ('building', ?, ?, ?, ?)",
                           arguments: [now, now, json, parts.map(\.rawValue).joined(separator: ",")])
            let id = Int(db.lastInsertedRowID)
            for table in parts {
                let build = TableSet.building.name(table)
                try db.execute(sql: "DROP TABLE IF EXISTS \(build)")
                guard let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                                                    arguments: [table.rawValue]) else {
                    throw StoreError.corrupt(what: "table \(table.rawValue)", reason: "missing from the schema")
                }
                try db.execute(sql: Self.renamedDefinition(sql, from: table.rawValue, to: build))
            }
            return GenerationBuild(id: id, watermark: mark, parts: parts)
        }
    }

    /// `CREATE TABLE name (…)` as `CREATE TABLE newName (…)`.
    static func renamedDefinition(_ sql: String, from name: String, to newName: String) throws -> String {
        for prefix in ["CREATE TABLE \(name)", "CREATE TABLE \"\(name)\""] where sql.hasPrefix(prefix) {
            return "CREATE TABLE \(newName)" + sql.dropFirst(prefix.count)
        }
        throw StoreError.corrupt(what: "table \(name)", reason: "unexpected definition")
    }

    static func currentWatermark(_ db: Database) throws -> GenerationWatermark {
        func max(_ sql: String) throws -> Int64 { try Int64.fetchOne(db, sql: sql) ?? 0 }
        return GenerationWatermark(review: try max("SELECT coalesce(max(id), 0) FROM review"),
                                   query: try max("SELECT coalesce(max(id), 0) FROM query"),
                                   interaction: try max("SELECT coalesce(max(id), 0) FROM interaction"),
                                   itemRevision: try max("SELECT coalesce(max(revision), 0) FROM item"))
    }

    /// Records that the run building `id` is alive (see `beginGeneration`); throws
    /// ``StoreError/generationAbandoned`` when the generation is no longer building.
    static func heartbeat(_ db: Database, _ id: Int) throws {
        try db.execute(sql: "UPDATE generation SET heartbeat = ? WHERE id = ? AND state = 'building'",
                       arguments: [Int64(Date().timeIntervalSince1970), id])
        if db.changesCount == 0 { throw StoreError.generationAbandoned(id) }
    }

    /// Marks a generation failed (its run stopped), deletes its models and drops its tables.
    public func failGeneration(_ id: Int) throws(StoreError) {
        try write("abandoning generation \(id)") { db in try Self.markFailed(db, id) }
        try dropBuildTables()
    }

    private static func markFailed(_ db: Database, _ id: Int) throws {
        try db.execute(sql: "UPDATE generation SET state = 'failed' WHERE id = ? AND state = 'building'", arguments: [id])
        try db.execute(sql: "DELETE FROM model WHERE generation = ?", arguments: [id])
    }

    private func dropBuildTables() throws(StoreError) {
        for table in DerivedTable.allCases {
            try dropInChunks(TableSet.building.name(table), key: table.chunkKey)
        }
    }

    /// Deletes a table's rows a chunk per transaction (so ingest never waits long), then drops
    /// it. The transactions are a training run's (``buildWrite(_:_:)``: they give way to
    /// queued writes and run at normal priority): with `secure_delete` every deleted page is
    /// overwritten, and chunks of 5,000 vector rows held the writer for 100 ms and more.
    func dropInChunks(_ name: String, key: String, chunk: Int = 1_000) throws(StoreError) {
        while true {
            let more = try buildWrite("dropping \(name)") { db -> Bool in
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)",
                                        arguments: [name]) == true else { return false }
                try db.execute(sql: "DELETE FROM \(name) WHERE \(key) IN (SELECT \(key) FROM \(name) LIMIT \(chunk))")
                if db.changesCount > 0 { return true }
                try db.execute(sql: "DROP TABLE \(name)")
                return false
            }
            if !more { return }
        }
    }

    /// Activates a generation in one transaction: `tail` first brings the build tables up to the
    /// events ingested since the last catch-up (it runs inside the transaction, so no write
    /// can slip in between), then every rebuilt table replaces the active one (which is kept as
    /// `<table>_g<N>`, N the generation that built it), the generation becomes active and the
    /// one before retired. Forgotten users whose forget preceded this run are then fully gone
    /// from its data; they are cleared from `forgotten`, and every older generation (which
    /// learnt from them) is dropped by the next `applyRetention` whatever the retention setting.
    /// Returns how many forgotten users it cleared (when any, pass `erasingLog` to `applyRetention`).
    @discardableResult
    public func activateGeneration(_ build: GenerationBuild, report: String?, tail: (Database) throws -> Void) throws(StoreError) -> Int {
        let complete = Set(build.parts) == Set(DerivedTable.allCases)
        return try write("activating generation \(build.id)") { db -> Int in
            guard try String.fetchOne(db, sql: "SELECT state FROM generation WHERE id = ?", arguments: [build.id]) == "building" else {
                throw StoreError.generationAbandoned(build.id)
            }
            try tail(db)
            for table in build.parts {
                let builder = try Self.builder(db, of: table)
                let retired = "\(table.rawValue)_g\(builder)"
                try db.execute(sql: "DROP TABLE IF EXISTS \(retired)")
                try db.execute(sql: "ALTER TABLE \(table.rawValue) RENAME TO \(retired)")
                try db.execute(sql: "ALTER TABLE \(TableSet.building.name(table)) RENAME TO \(table.rawValue)")
            }
            try db.execute(sql: "UPDATE generation SET state = 'retired' WHERE state = 'active'")
            try db.execute(sql: "UPDATE generation SET state = 'active', activated_at = ?, report = ? WHERE id = ?",
                           arguments: [Int64(Date().timeIntervalSince1970), report, build.id])
            // Only a run that rebuilt everything learnt from users no longer holds a forgotten one.
            guard complete else { return 0 }
            try db.execute(sql: "DELETE FROM forgotten WHERE after_generation < ?", arguments: [build.id])
            let cleared = db.changesCount
            // The older generations learnt from users now forgotten: none of them is kept.
            if cleared > 0 { try db.execute(sql: "UPDATE generation SET state = 'dropped' WHERE state = 'retired'") }
            return cleared
        }
    }

    /// The generation that built the active copy of `table` (0: before generations existed).
    private static func builder(_ db: Database, of table: DerivedTable) throws -> Int {
        for row in try Row.fetchAll(db, sql: "SELECT id, parts FROM generation WHERE state IN ('active', 'retired', 'dropped') ORDER BY id DESC") {
            let parts: String = row[1]
            if parts.split(separator: ",").contains(Substring(table.rawValue)) { return row[0] }
        }
        return 0
    }

    /// Keeps the newest `keep` activated generations (the active one included; at least 1) and
    /// drops the tables and superseded models of the others, a chunk per transaction.
    /// `erasingLog` (after an activation that dropped generations holding forgotten users):
    /// the WAL is then checkpointed and truncated, so no old page image of theirs is left in it
    /// (the file's freed pages are zeroed by `secure_delete`).
    public func applyRetention(keep: Int, erasingLog: Bool = false) throws(StoreError) {
        let tables = try write("choosing generations to drop") { db -> [String] in
            let activated = try Int.fetchAll(db, sql: "SELECT id FROM generation WHERE state IN ('active', 'retired') ORDER BY id DESC")
            for id in activated.dropFirst(max(1, keep)) {
                try db.execute(sql: "UPDATE generation SET state = 'dropped' WHERE id = ?", arguments: [id])
            }
            let kept = Set(try Int.fetchAll(db, sql: "SELECT id FROM generation WHERE state IN ('active', 'retired')"))
            // Retired copies by the generation that built them; gen 0 = before generations.
            var tables: [String] = []
            for name in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB '*_g[0-9]*'") {
                guard let cut = name.range(of: "_g", options: .backwards), let gen = Int(name[cut.upperBound...]),
                      DerivedTable(rawValue: String(name[..<cut.lowerBound])) != nil else { continue }
                if !kept.contains(gen) { tables.append(name) }
            }
            // Models of dropped generations (and from before generations) that a newer visible
            // model of the same kind supersedes.
            try db.execute(sql: """
                DELETE FROM model WHERE (generation IS NULL OR generation IN (SELECT id FROM generation WHERE state = 'dropped'))
                  AND EXISTS (SELECT 1 FROM model newer WHERE newer.kind = model.kind AND newer.version > model.version
                              AND (newer.generation IN (SELECT id FROM generation WHERE state IN ('active', 'retired'))))
                """)
            return tables.sorted()
        }
        for name in tables {
            guard let cut = name.range(of: "_g", options: .backwards), let table = DerivedTable(rawValue: String(name[..<cut.lowerBound])) else { continue }
            try dropInChunks(name, key: table.chunkKey)
        }
        if erasingLog { _ = truncateLog() }
    }

    /// Every generation, newest first.
    public func generations() throws(StoreError) -> [GenerationInfo] {
        try read("reading generations") { db in
            try Row.fetchAll(db, sql: "SELECT id, state, started_at, activated_at, parts, report FROM generation ORDER BY id DESC").map { row in
                let parts: String = row[4]
                return GenerationInfo(id: row[0], state: row[1], startedAt: row[2], activatedAt: row[3],
                                      parts: parts.split(separator: ",").map(String.init), report: row[5])
            }
        }
    }

    /// Forgotten users an active or kept generation may still have learnt from (they go at the
    /// next successful training run).
    public func forgottenAwaitingRetrain() throws(StoreError) -> Int {
        try read("counting forgotten users") { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM forgotten") ?? 0 }
    }

    /// Whether a training run is building tables now (forget then also updates them).
    static func buildInProgress(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'item_vector_build')") ?? false
    }
}
