import Foundation
import GRDB
import InterestCore

extension InterestStore {
    /// Everything `interests stats` shows, read in one transaction.
    public func stats() throws(StoreError) -> DatabaseStats {
        let counts = try read("reading statistics") { db -> DatabaseStats in
            let byAction = try Row.fetchAll(db, sql: StatsQueries.byAction).map { ($0[0] as Int, $0[1] as Int) }
            let range = try Row.fetchOne(db, sql: StatsQueries.timeRange)
            let models = try Row.fetchAll(db, sql: StatsQueries.models).map { ($0[0] as String, $0[1] as Int) }
            let pageBytes = try Int64.fetchOne(db, sql: "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()") ?? 0
            return StatsQueries.assemble(counts: try StatsQueries.counts.map { try Int.fetchOne(db, sql: $0) ?? 0 }, byAction: byAction,
                                         range: (range?[0], range?[1]), models: models, bytes: pageBytes)
        }
        var result = counts
        result.generations = try generations().map { g in
            var g = g
            g.report = nil
            return g
        }
        result.forgottenAwaitingRetrain = try forgottenAwaitingRetrain()
        guard path != ":memory:" else { return result }
        let fm = FileManager.default
        var bytes: Int64 = 0
        for p in [path, path + "-wal"] {
            if let size = (try? fm.attributesOfItem(atPath: p))?[.size] as? NSNumber { bytes += size.int64Value }
        }
        result.fileBytes = max(bytes, counts.fileBytes)
        return result
    }
}

/// The statistics `stats` shows, as SQL both backends read (`"user"` quoted, which SQLite
/// accepts too) and one assembly of the answers.
enum StatsQueries {
    /// users, items, described items, reviews, queries, interactions.
    static let counts = [
        "SELECT count(*) FROM \"user\"", "SELECT count(*) FROM item",
        "SELECT count(*) FROM item WHERE title IS NOT NULL OR text IS NOT NULL OR category IS NOT NULL",
        "SELECT count(*) FROM review", "SELECT count(*) FROM query", "SELECT count(*) FROM interaction",
    ]
    static let byAction = "SELECT action, count(*) FROM interaction GROUP BY action"
    static let timeRange = """
        SELECT min(lo), max(hi) FROM (
            SELECT min(ts) AS lo, max(ts) AS hi FROM review
            UNION ALL SELECT min(ts), max(ts) FROM query
            UNION ALL SELECT min(ts), max(ts) FROM interaction) AS spans
        """
    static let models = "SELECT kind, max(version) FROM model WHERE \(InterestStore.visibleModel) GROUP BY kind"

    static func assemble(counts: [Int], byAction: [(code: Int, count: Int)], range: (Int64?, Int64?), models: [(String, Int)],
                         bytes: Int64) -> DatabaseStats {
        var actions: [String: Int] = [:]
        for (code, n) in byAction { actions[Action(code: code)?.rawValue ?? "code \(code)"] = n }
        return DatabaseStats(users: counts[0], items: counts[1], describedItems: counts[2], reviews: counts[3], queries: counts[4],
                             interactions: counts[5], interactionsByAction: actions, firstTimestamp: range.0, lastTimestamp: range.1,
                             fileBytes: bytes, models: Dictionary(models, uniquingKeysWith: { a, _ in a }))
    }
}

extension InterestStore {
    /// Pages of the file, and how many of them are free (reusable without growing the file).
    public func pageCounts() throws(StoreError) -> (total: Int, free: Int) {
        try read("counting pages") { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0, try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
        }
    }

    /// The names of every table, sorted.
    public func tableNames() throws(StoreError) -> [String] {
        try read("listing tables") { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") }
    }

    /// Every stored version of a model kind (visible or not), ascending.
    public func modelVersions(kind: String) throws(StoreError) -> [Int] {
        try read("listing \(kind) models") { db in try Int.fetchAll(db, sql: "SELECT version FROM model WHERE kind = ? ORDER BY version", arguments: [kind]) }
    }
}
