import GRDB
import InterestCore

/// Evaluation reports (`interests eval`), kept for the console's shop page: the newest
/// ``evaluationsKept``. O(1) rows per call.
extension InterestStore {
    public func saveEvaluation(_ report: String, at time: Int64) throws(StoreError) {
        try write("saving an evaluation report") { db in
            try db.execute(sql: "INSERT INTO evaluation(created, report) VALUES (?, ?)", arguments: [time, report])
            try db.execute(sql: "DELETE FROM evaluation WHERE id <= (SELECT id FROM evaluation ORDER BY id DESC LIMIT 1 OFFSET ?)",
                           arguments: [evaluationsKept])
        }
    }

    public func latestEvaluation() throws(StoreError) -> (time: Int64, report: String)? {
        try read("reading the last evaluation report") { db in
            try Row.fetchOne(db, sql: "SELECT created, report FROM evaluation ORDER BY id DESC LIMIT 1").map { ($0[0], $0[1]) }
        }
    }
}
