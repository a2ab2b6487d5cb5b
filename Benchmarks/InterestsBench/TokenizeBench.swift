import ArgumentParser
import Foundation
import InterestMiner
import Tokenization

/// Encode throughput of one tokenizer.json on one text file, one thread, as HF's benchmark
/// measures it (encode every line, no special tokens), the median of N runs, plus per-query latency for
/// short texts. Prints JSON.
struct TokenizeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "Tokenizer encode MB/s and short-text latency.")

    @Option(help: "tokenizer.json") var tokenizer: String
    @Option(help: "Text file, one text a line.") var file: String
    @Option(name: .customLong("repeat"), help: "The median of this many runs.") var repetitions: Int = 3
    @Option(help: "Threads (1 = single-threaded).") var threads: Int = 1
    @Flag(help: "Measure per-text latency (for short queries) instead of throughput.") var latency = false

    struct Result: Codable {
        var tokenizer: String
        var file: String
        var lines: Int
        var bytes: Int
        var tokens: Int
        /// The median run.
        var seconds: Double
        var allSeconds: [Double]
        var megabytesPerSecond: Double
        var microsecondsPerText: Double?
    }

    func run() async throws {
        let tok = try InterestMiner.loadTokenizer(file: tokenizer)
        let lines = try InterestMiner.readLines([file])
        let bytes = lines.reduce(0) { $0 + $1.utf8.count }
        let clock = ContinuousClock()
        var times: [Double] = []
        var tokens = 0
        for _ in 0..<max(1, repetitions) {
            let start = clock.now
            if latency {
                // Each text encoded on its own, as a service encodes one query per request
                // (a fresh session: no word cache carried over between texts).
                var n = 0
                for l in lines { n += tok.encode(l).count }
                tokens = n
            } else if threads > 1 {
                tokens = tok.encodeBatch(lines, threads: threads).reduce(0) { $0 + $1.count }
            } else {
                let session = TokenizerSession(tok)
                var n = 0
                for l in lines { n += session.encode(l).count }
                tokens = n
            }
            let d = clock.now - start
            times.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
        let median = Median.of(times)
        let result = Result(tokenizer: tokenizer, file: file, lines: lines.count, bytes: bytes, tokens: tokens, seconds: median, allSeconds: times,
                            megabytesPerSecond: Double(bytes) / 1e6 / median,
                            microsecondsPerText: latency ? median / Double(max(1, lines.count)) * 1e6 : nil)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        print(String(decoding: try enc.encode(result), as: UTF8.self))
    }
}
