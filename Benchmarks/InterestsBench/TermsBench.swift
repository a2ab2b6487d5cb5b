import ArgumentParser
import Foundation
import InterestMiner

/// `interests terms` latency inside a process that has its models loaded (what the HTTP service
/// pays per request): the models load once, then each user is answered in turn.
struct TermsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "terms", abstract: "Per-user latency of interest terms with models loaded.")

    @Option(help: "A database trained with `interests train`.") var db: String
    @Option(help: "User ids, one a line.") var users: String
    @Option var top: Int = 10

    struct Result: Codable {
        var users: Int
        var loadSeconds: Double
        var medianMilliseconds: Double
        var p95Milliseconds: Double
        var maxMilliseconds: Double
        var meanEvents: Double
    }

    func run() async throws {
        let list = try InterestMiner.readLines([users]).filter { !$0.isEmpty }
        let clock = ContinuousClock()
        var start = clock.now
        let miner = try InterestMiner(databasePath: db)
        var times: [Double] = []
        var events = 0
        var first = true
        var load = 0.0
        // The first call loads the models; it is timed separately.
        try miner.terms(users: [list.first ?? ""], options: TermsOptions(top: top)) { _ in }
        load = (clock.now - start).seconds
        for user in list {
            start = clock.now
            try miner.terms(users: [user], options: TermsOptions(top: top)) { events += $0.events }
            times.append((clock.now - start).seconds * 1000)
            first = false
        }
        _ = first
        times.sort()
        let result = Result(users: times.count, loadSeconds: load, medianMilliseconds: times[times.count / 2],
                            p95Milliseconds: times[min(times.count - 1, times.count * 95 / 100)], maxMilliseconds: times.last ?? 0,
                            meanEvents: Double(events) / Double(max(1, times.count)))
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        print(String(decoding: try enc.encode(result), as: UTF8.self))
    }
}
