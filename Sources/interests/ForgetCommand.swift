import ArgumentParser
import InterestMiner

struct ForgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Delete every row of a user; their text is not recoverable from the file afterwards.",
        discussion: """
            Removes the user's reviews, queries and interactions with their vectors, their interest profile,
            their collaborative factors and the user row in one transaction, takes their reviews out of item
            vectors, and truncates the write-ahead log (the file runs with secure_delete, so deleted content is
            overwritten). Aggregates trained over everyone change at the next `interests train`.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The user to forget.") var user: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let miner = try database.open()
        guard let report = try miner.forget(user: user) else {
            Terminal.err("interests forget: user '\(user)' is not in \(miner.databasePath)")
            throw ExitCode(1)
        }
        if json {
            try Terminal.printJSON(report)
            return
        }
        print("forgot \(user): \(report.reviews) reviews, \(report.queries) queries, \(report.interactions) interactions"
              + (report.profile ? ", profile" : "") + (report.factors ? ", factors" : ""))
        if report.walTruncated == false {
            Terminal.err("warning: the write-ahead log could not be truncated (a reader was busy); run `interests forget` again or stop the readers")
        }
    }
}
