import ArgumentParser
import Foundation
import InterestMiner

/// Embedding texts with a database's trained text model, one core: tokenize + SIF pooling per
/// text, as ingest does for each new review or query.
struct EmbedBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed", abstract: "Texts/s embedded on one core with a trained database.")

    @Option(help: "A database trained with `interests train`.") var db: String
    @Option(help: "Text file, one text a line.") var file: String
    @Option(name: .customLong("repeat"), help: "Best of this many runs.") var repetitions: Int = 3

    func run() async throws {
        let miner = try InterestMiner(databasePath: db)
        let lines = try InterestMiner.readLines([file])
        let result = try miner.benchmarkEmbedding(lines, repetitions: repetitions)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        print(String(decoding: try enc.encode(result), as: UTF8.self))
    }
}
