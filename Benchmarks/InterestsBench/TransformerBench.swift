import ArgumentParser
import Foundation
import InterestMiner
import TextEmbedding

/// Sentences per second of the pretrained transformer encoder on a file of texts: the whole
/// `encode` call (tokenizing, batching, forward pass, pooling), as sentence-transformers'
/// `encode` is timed (Benchmarks/minilm).
struct TransformerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transformer", abstract: "Sentences/s of the pretrained transformer encoder on a text file.")

    @Option(name: .customLong("model-dir"), help: "A sentence-transformers model directory.") var modelDir: String
    @Option(help: "Text file, one text a line (blank lines skipped).") var file: String
    @Option(help: "Worker threads.") var threads: Int = 2
    @Option(name: .customLong("max-length"), help: "Longest sequence in tokens (default: the model's).") var maxLength: Int?
    @Option(name: .customLong("batch-tokens"), help: "Tokens per batch.") var batchTokens: Int?
    @Option(name: .customLong("repeat"), help: "Best of this many runs (after one warm-up run).") var repetitions: Int = 3
    @Option(help: "Also write the vectors as raw little-endian Float32 rows to this file.") var vectors: String?

    struct Result: Codable {
        var texts: Int
        var tokens: Int
        var threads: Int
        var maxLength: Int
        var seconds: Double
        var textsPerSecond: Double
        var allSeconds: [Double]
        var blas: String
        var elementWise: String
        var loadSeconds: Double
    }

    func run() async throws {
        let clock = ContinuousClock()
        let loadStart = clock.now
        var encoder = try InterestMiner.loadPretrainedModel(directory: modelDir, maxLength: maxLength).encoder
        let loadSeconds = (clock.now - loadStart).seconds
        if let batchTokens { encoder.batchTokens = batchTokens }
        let texts = try InterestMiner.readLines([file])
        let tokens = encoder.tokenizer.encodeBatch(texts, addSpecialTokens: true, maxLength: encoder.maxLength, threads: threads)
            .reduce(0) { $0 + $1.count }
        _ = encoder.encode(Array(texts.prefix(64)), threads: threads)
        var times: [Double] = []
        var last: [TextVector] = []
        for _ in 0..<max(1, repetitions) {
            let start = clock.now
            last = encoder.encode(texts, threads: threads)
            times.append((clock.now - start).seconds)
        }
        if let vectors {
            let flat = last.flatMap(\.values)
            try flat.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: vectors)) }
        }
        let best = times.min() ?? 0
        let kernels = TransformerEncoder.kernels
        let result = Result(texts: texts.count, tokens: tokens, threads: threads, maxLength: encoder.maxLength, seconds: best,
                            textsPerSecond: best > 0 ? Double(texts.count) / best : 0, allSeconds: times, blas: kernels.blas,
                            elementWise: kernels.elementWise, loadSeconds: loadSeconds)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        print(String(decoding: try enc.encode(result), as: UTF8.self))
    }
}
