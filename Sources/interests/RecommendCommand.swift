import ArgumentParser
import Foundation
import InterestCore
import InterestMiner

struct RecommendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Top items for many users as JSON Lines {\"user\",\"items\",\"scores\"}.",
        discussion: "Items a user already reviewed or interacted with are excluded. The output is what ../shared/peers/evaluate_lists.py scores (give --top 100 or more for exact AUC).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Ranking method: fused (default), text, cf, sequence or popularity.") var method: RecommendationMethod = .fused
    @Option(help: "Items per user.") var top: Int = 10
    @Option(help: "A file with one user id a line.") var users: String?
    @Flag(help: "All users of the database.") var all = false
    @Option(help: ArgumentHelp("Only part I of N of the users (by a stable hash of the user id), so N machines share a batch job: --shard 1/N … --shard N/N.",
                               valueName: "I/N"))
    var shard: UserShard?
    @Flag(help: "JSON Lines output (the only format).") var json = false
    @Option(help: "Threads.") var threads: Int = 2
    @Flag(help: "No progress line.") var quiet = false

    func validate() throws {
        guard (users == nil) != !all else { throw ValidationError("give exactly one of --users FILE or --all") }
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
    }

    func run() async throws {
        let miner = try database.open()
        var list: [String]?
        if let path = users {
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            list = InterestMiner.splitLines([UInt8](data), keepEmpty: false).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]  // the same bytes every run
        var buffer = Data()
        let start = Date()
        try miner.recommend(method: method, users: list, shard: shard, top: top, threads: threads, ready: { users, catalogue in
            guard !quiet else { return }
            Terminal.err("recommend: \(Terminal.count(users)) users" + (catalogue > 0 ? " over \(Terminal.count(catalogue)) items" : "")
                + String(format: ", models and signals loaded in %.1f s", Date().timeIntervalSince(start)))
        }) { rec in
            buffer.append(try encoder.encode(rec))
            buffer.append(0x0A)
            if buffer.count > 1 << 20 {
                FileHandle.standardOutput.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        FileHandle.standardOutput.write(buffer)
    }
}

extension RecommendationMethod: ExpressibleByArgument {}

extension UserShard: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
