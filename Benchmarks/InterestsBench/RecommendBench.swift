import ArgumentParser
import Foundation
import InterestMiner

/// Batch recommendations and single-user ranking, in-process: the time to load the models and
/// per-user signals (once per batch), then users per second for the scoring itself, and per-user
/// `rank` latency with models loaded.
struct RecommendBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recommend", abstract: "Users/s of batch recommendations and rank latency.")

    @Option(help: "A trained database.") var db: String
    @Option var method: RecommendationMethod = .fused
    @Option var top: Int = 10
    @Option var threads: Int = 2
    @Option(help: "Users for the rank-latency part (0: skip).") var rankUsers: Int = 200

    struct Result: Codable {
        var users: Int
        var catalogue: Int
        var setupSeconds: Double
        var scoringSeconds: Double
        var usersPerSecond: Double
        var usersPerSecondIncludingSetup: Double
        var rankMedianMilliseconds: Double?
        var rankP95Milliseconds: Double?
    }

    func run() async throws {
        let miner = try InterestMiner(databasePath: db)
        let clock = ContinuousClock()
        let start = clock.now
        var loaded = start
        var (count, catalogue) = (0, 0)
        var everyone: [String] = []
        try miner.recommend(method: method, users: nil, top: top, threads: threads, ready: { _, items in
            loaded = clock.now
            catalogue = items
        }) { rec in
            everyone.append(rec.user)
            count += 1
        }
        let (setup, scoring) = ((loaded - start).seconds, (clock.now - loaded).seconds)
        var result = Result(users: count, catalogue: catalogue, setupSeconds: setup, scoringSeconds: scoring,
                            usersPerSecond: Double(count) / scoring, usersPerSecondIncludingSetup: Double(count) / (setup + scoring))
        if rankUsers > 0 {
            // About 1,000 users spread over the row order, the first `rankUsers` of them.
            let step = max(1, everyone.count / 1_000)
            let users = Array(stride(from: 0, to: everyone.count, by: step).map { everyone[$0] }.prefix(rankUsers))
            _ = try miner.rank(user: users.first ?? "", top: top)
            var times: [Double] = []
            for u in users {
                let start = clock.now
                _ = try miner.rank(user: u, top: top)
                times.append((clock.now - start).seconds * 1000)
            }
            times.sort()
            result.rankMedianMilliseconds = times[times.count / 2]
            result.rankP95Milliseconds = times[min(times.count - 1, times.count * 95 / 100)]
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        print(String(decoding: try enc.encode(result), as: UTF8.self))
    }
}
extension RecommendationMethod: ExpressibleByArgument {}
