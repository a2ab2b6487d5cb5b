import ArgumentParser
import CorpusGeneration
import InterestMiner

struct CorpusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Synthetic corpora for demos, tests and scale runs.",
        subcommands: [Generate.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a seeded synthetic shop: DIR/events.jsonl and DIR/ground_truth.jsonl.",
            discussion: "The same options always give byte-identical files. See Corpora/README.md for the world it simulates.")

        @Option(help: "Random seed.") var seed: UInt64 = 42
        @Option(help: "Number of users.") var users: Int = 800
        @Option(help: "Number of items (at least one per topic).") var items: Int = 480
        @Option(name: .customLong("chinese-share"), help: "Share of users and items that are Chinese-language (0–1).")
        var chineseShare: Double = 0.3
        @Option(help: "Mean shopping sessions per user.") var sessions: Double = 8
        @Option(help: "Output folder (created if missing).") var out: String
        @Flag(help: "Print the summary as JSON.") var json = false

        func run() async throws {
            let config = CorpusConfiguration(seed: seed, users: users, items: items, chineseUserShare: chineseShare,
                                             meanSessionsPerUser: sessions)
            let report = try InterestMiner.generateCorpus(config, to: out)
            if json {
                try Terminal.printJSON(report)
            } else {
                let s = report.summary
                print("wrote \(report.eventsFile) (\(Terminal.count(s.events)) events: \(Terminal.count(s.items)) items, "
                    + "\(Terminal.count(s.reviews)) reviews, \(Terminal.count(s.queries)) queries, "
                    + "\(Terminal.count(s.interactions)) interactions) and \(report.groundTruthFile) "
                    + "(\(Terminal.count(s.users)) users)")
            }
        }
    }
}
