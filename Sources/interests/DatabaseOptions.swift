import ArgumentParser
import InterestMiner

/// `--db PATH`, shared by every command that works on a database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The database file (created if missing).")
    var db: String = "interests.sqlite"

    func open() throws -> InterestMiner {
        try InterestMiner(databasePath: db)
    }

    /// For commands that only read: an existing, current database is not written to (not even
    /// the WAL set-up and checkpoint every read-write open does).
    func openForReading() throws -> InterestMiner {
        try InterestMiner(databasePath: db, readOnly: true)
    }
}
