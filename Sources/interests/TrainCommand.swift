import ArgumentParser
import InterestMiner
import TextEmbedding
import Tokenization

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the models on the database's own data and store them in it.",
        discussion: """
            Trains the tokenizer on every item title and description, review and query (the bpe \
            recipe keeps Chinese and Japanese runs whole, so multi-character units like 口红 are \
            learned). Each run stores new model versions; older ones stay for reference.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("tokenizer-model"), help: "Tokenizer recipe: bpe or wordpiece.")
    var tokenizerModel: TokenizerRecipe = .bpe

    @Option(name: .customLong("vocab-size"), help: "Tokenizer vocabulary size.")
    var vocabSize: Int = 16_000

    @Option(name: .customLong("min-frequency"), help: "Tokenizer: pairs seen fewer times are not merged.")
    var minFrequency: Int = 2

    @Option(help: "Text vector dimension.")
    var dim: Int = 96

    @Option(help: "Skip-gram passes over the text (default: about 20 M token-updates, 5–200 passes).")
    var epochs: Int?

    @Option(help: "Random seed (training is bit-for-bit reproducible with --threads 1).")
    var seed: UInt64 = 1

    @Option(help: "Training threads (more than one trades bit-for-bit reproducibility for speed).")
    var threads: Int = 2

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "No progress lines.")
    var quiet = false

    func validate() throws {
        guard vocabSize >= 1 else { throw ValidationError("--vocab-size must be at least 1") }
        guard minFrequency >= 0 else { throw ValidationError("--min-frequency must not be negative") }
        guard (1...4096).contains(dim) else { throw ValidationError("--dim must be 1…4096") }
        if let epochs, !(1...1000).contains(epochs) { throw ValidationError("--epochs must be 1…1000") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() async throws {
        let miner = try database.open()
        let showProgress = !quiet && !json
        let options = TrainingOptions(
            tokenizer: TokenizerTrainingOptions(recipe: tokenizerModel, vocabularySize: vocabSize, minFrequency: minFrequency, threads: threads),
            embedding: EmbeddingTrainingOptions(
                skipGram: SkipGramConfiguration(dimension: dim, epochs: epochs ?? 5, minCount: 2, seed: seed, threads: threads),
                automaticEpochs: epochs == nil))
        let report = try miner.train(options) { message in
            if showProgress { Terminal.progress(message) }
        }
        if showProgress { Terminal.endProgress() }
        if json {
            try Terminal.printJSON(report)
            return
        }
        if let t = report.tokenizer {
            print("tokenizer v\(t.version): \(t.recipe), \(Terminal.count(t.vocabularySize)) tokens from \(Terminal.count(t.texts)) texts "
                + "(\(Terminal.count(t.distinctWords)) distinct words)" + String(format: " in %.2f s", t.seconds))
        }
    }
}
