import ArgumentParser
import InterestMiner

/// `--db PATH`, shared by every command that works on a database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The database file (created if missing).")
    var db: String = "interests.sqlite"

    func open() throws -> InterestMiner {
        try InterestMiner(databasePath: db)
    }
}
