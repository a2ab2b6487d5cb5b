import InterestCore
import PostgresNIO

/// Evaluation reports on PostgreSQL, as on SQLite (`InterestStore.saveEvaluation`), so the
/// contract is one; `interests eval` itself still needs an SQLite file, so on PostgreSQL the
/// shop page finds none and says why.
extension PostgresStore {
    public func saveEvaluation(_ report: String, at time: Int64) throws(StoreError) {
        try pool.transaction("saving an evaluation report") { s in
            var binds = PostgresBindings()
            binds.append(time)
            binds.append(report)
            try s.execute("INSERT INTO evaluation(created, report) VALUES ($1, $2)", binds)
            try s.execute("DELETE FROM evaluation WHERE id <= (SELECT id FROM evaluation ORDER BY id DESC LIMIT 1 OFFSET \(evaluationsKept))")
        }
    }

    public func latestEvaluation() throws(StoreError) -> (time: Int64, report: String)? {
        try pool.transaction("reading the last evaluation report", readOnly: true) { s in
            guard let row = try s.rows("SELECT created, report FROM evaluation ORDER BY id DESC LIMIT 1").first else { return nil }
            return (try row[0].decode(Int64.self), try row[1].decode(String.self))
        }
    }
}
