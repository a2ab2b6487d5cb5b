import Foundation
import GRDB
import InterestCore

extension InterestStore {
    /// Everything `interests stats` shows, read in one transaction.
    public func stats() throws(StoreError) -> DatabaseStats {
        let counts = try read("reading statistics") { db -> DatabaseStats in
            func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql) ?? 0 }
            var byAction: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT action, count(*) FROM interaction GROUP BY action") {
                let code: Int = row[0]
                let n: Int = row[1]
                byAction[Action(code: code)?.rawValue ?? "code \(code)"] = n
            }
            let range = try Row.fetchOne(db, sql: """
                SELECT min(lo), max(hi) FROM (
                    SELECT min(ts) AS lo, max(ts) AS hi FROM review
                    UNION ALL SELECT min(ts), max(ts) FROM query
                    UNION ALL SELECT min(ts), max(ts) FROM interaction)
                """)
            var models: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT kind, max(version) FROM model WHERE \(Self.visibleModel) GROUP BY kind") {
                models[row[0]] = row[1]
            }
            let pageBytes = try count("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
            return DatabaseStats(
                users: try count("SELECT count(*) FROM user"),
                items: try count("SELECT count(*) FROM item"),
                describedItems: try count("SELECT count(*) FROM item WHERE title IS NOT NULL OR text IS NOT NULL OR category IS NOT NULL"),
                reviews: try count("SELECT count(*) FROM review"),
                queries: try count("SELECT count(*) FROM query"),
                interactions: try count("SELECT count(*) FROM interaction"),
                interactionsByAction: byAction,
                firstTimestamp: range?[0],
                lastTimestamp: range?[1],
                fileBytes: Int64(pageBytes),
                models: models)
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
