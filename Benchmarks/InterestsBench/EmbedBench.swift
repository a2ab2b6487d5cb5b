import ArgumentParser
import Foundation
import InterestMiner

/// Embedding texts with a database's trained text model on one thread — tokenize + SIF pooling
/// per text (a transformer: one batch), as ingest does for each new review or query — through
/// the public `embed` call; the median of N runs.
struct EmbedBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed", abstract: "Texts/s embedded on one core with a trained database.")

    @Option(help: "A database trained with `interests train`.") var db: String
    @Option(help: "Text file, one text a line.") var file: String
    @Option(name: .customLong("repeat"), help: "The median of this many runs.") var repetitions: Int = 3

    struct Result: Codable {
        var texts: Int
        var embedded: Int
        var bytes: Int
        /// The median run.
        var seconds: Double
        var allSeconds: [Double]
        var textsPerSecond: Double
    }

    func run() async throws {
        let miner = try InterestMiner(databasePath: db)
        let lines = try InterestMiner.readLines([file])
        _ = try miner.embed(Array(lines.prefix(1)), threads: 1)  // loads the model, untimed
        let clock = ContinuousClock()
        var times: [Double] = []
        var embedded = 0
        for _ in 0..<max(1, repetitions) {
            let start = clock.now
            embedded = try miner.embed(lines, threads: 1).count { $0 != nil }
            let d = clock.now - start
            times.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
        let median = Median.of(times)
        let result = Result(texts: lines.count, embedded: embedded, bytes: lines.reduce(0) { $0 + $1.utf8.count }, seconds: median,
                            allSeconds: times, textsPerSecond: median > 0 ? Double(lines.count) / median : 0)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        print(String(decoding: try enc.encode(result), as: UTF8.self))
    }
}
