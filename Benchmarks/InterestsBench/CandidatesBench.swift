import ArgumentParser
import Foundation
import InterestMiner

/// The service's fused recommendation read with the candidate first stage against the full
/// catalogue scan, in one process on one database: the load time of each (the candidate index
/// is built at load), per-request latency (median, p95), and how many of the full scan's top k
/// the candidates return (overlap@k, averaged over the users).
struct CandidatesBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "candidates", abstract: "Candidate first stage vs full scan: latency and overlap@k.")

    @Option(help: "A trained database.") var db: String
    @Option(help: "A file of user ids, one a line.") var users: String
    @Option var top: Int = 10

    struct Result: Codable {
        var users: Int
        var loadSecondsScan: Double
        var loadSecondsCandidates: Double
        var scanMedianMilliseconds: Double
        var scanP95Milliseconds: Double
        var candidatesMedianMilliseconds: Double
        var candidatesP95Milliseconds: Double
        var overlapAtK: Double
    }

    func run() async throws {
        let ids = try String(contentsOfFile: users, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        guard !ids.isEmpty else { throw ValidationError("\(users) lists no user") }
        let scan = try InterestMiner(databasePath: db, readOnly: true)
        let fast = try InterestMiner(databasePath: db, readOnly: true)
        fast.candidateCatalogueSize = 1
        let clock = ContinuousClock()
        func timed(_ miner: InterestMiner) throws -> (load: Double, times: [Double], answers: [[String]]) {
            let start = clock.now
            _ = try miner.fusedRecommendation(forUser: ids[0], top: top)
            let load = (clock.now - start).seconds
            var times: [Double] = []
            var answers: [[String]] = []
            for u in ids {
                let t = clock.now
                let r = try miner.fusedRecommendation(forUser: u, top: top)
                times.append((clock.now - t).seconds * 1000)
                answers.append(r?.items ?? [])
            }
            return (load, times.sorted(), answers)
        }
        let a = try timed(scan)
        let b = try timed(fast)
        var overlap = 0.0, counted = 0
        for (x, y) in zip(a.answers, b.answers) where !x.isEmpty {
            overlap += Double(Set(x).intersection(y).count) / Double(x.count)
            counted += 1
        }
        func q(_ t: [Double], _ p: Double) -> Double { t[min(t.count - 1, Int(Double(t.count) * p))] }
        let result = Result(users: ids.count, loadSecondsScan: a.load, loadSecondsCandidates: b.load,
                            scanMedianMilliseconds: q(a.times, 0.5), scanP95Milliseconds: q(a.times, 0.95),
                            candidatesMedianMilliseconds: q(b.times, 0.5), candidatesP95Milliseconds: q(b.times, 0.95),
                            overlapAtK: counted > 0 ? overlap / Double(counted) : 0)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        print(String(decoding: try enc.encode(result), as: UTF8.self))
    }
}
