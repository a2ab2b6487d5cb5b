import ArgumentParser
import Foundation
import InterestMiner

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Leave-last-out evaluation: popularity, text, CF, sequence and fused side by side.",
        discussion: """
            Holds out each user's last positive item (users with ≥ 3), trains on the rest in a temporary
            database, ranks the whole catalogue (seen items excluded) and reports Recall@K, NDCG@K, MRR@K,
            AUC, coverage and the cold-start slice — the protocol and formulas of ../shared/peers, so
            `--report DIR` lists re-scored by evaluate_lists.py give the same numbers. --split DIR evaluates
            a prepared train.jsonl/test.jsonl pair instead of the database's own events. A method whose model
            the training part could not give (text in a shop without text, sequence without ordered histories)
            is left out and named.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Cut-off of the top-k metrics.") var k: Int = 10
    @Option(help: "Write report.md, methods.svg, report.json and the ranked lists here.") var report: String?
    @Option(help: "A prepared split folder (train.jsonl + test.jsonl) instead of the database's events.") var split: String?
    @Option(help: "Methods, comma-separated (default popularity,text,cf,sequence,fused).") var methods: String = "popularity,text,cf,sequence,fused"
    @Option(help: "Threads of training and ranking (1: bit-for-bit reproducible).") var threads: Int = 2
    @Option(help: "Random seed of every trained model (as `interests train --seed`).") var seed: UInt64 = 1
    @Option(help: "The sequence model (a `sequence` method and fused feature): auto (when the histories have an order), sasrec or none.")
    var sequence: String = "auto"
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "No progress lines.") var quiet = false

    func validate() throws {
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
        guard ["auto", "sasrec", "none"].contains(sequence) else { throw ValidationError("--sequence must be auto, sasrec or none, got '\(sequence)'") }
        for m in methods.split(separator: ",") where RecommendationMethod(rawValue: String(m)) == nil {
            throw ValidationError("unknown method '\(m)' in --methods; use popularity, text, cf, sequence, fused")
        }
        if let split {
            for f in ["train.jsonl", "test.jsonl"] where !FileManager.default.fileExists(atPath: split + "/" + f) {
                throw ValidationError("--split \(split) has no \(f)")
            }
        }
    }

    func run() async throws {
        let miner = try database.open()
        var options = EvaluationOptions()
        options.k = k
        options.split = split
        options.threads = threads
        // Training too: with --threads 1 an evaluation is bit-for-bit reproducible.
        options.training.threads = threads
        options.training.embedding.skipGram.seed = seed
        options.training.cf?.als.seed = seed
        options.training.cf?.bpr.seed = seed
        options.training.ranker?.seed = seed
        options.training.sequence?.seed = seed
        if sequence == "none" { options.training.sequence = nil }
        options.training.sequenceNeedsOrder = sequence == "auto"
        options.methods = methods.split(separator: ",").compactMap { RecommendationMethod(rawValue: String($0)) }
        let showProgress = !quiet && !json
        let result = try await miner.evaluate(options) { message in if showProgress { Terminal.progress(message) } }
        if showProgress { Terminal.endProgress() }
        if let report { try result.write(to: report) }
        if json {
            var summary = result
            summary.lists = [:]
            try Terminal.printJSON(summary)
            return
        }
        print("\(result.split): \(result.testUsers) test users (\(result.coldUsers) cold), \(result.catalogue) items")
        for (method, why) in result.skipped.sorted(by: { $0.key < $1.key }) { print("\(method): left out — \(why)") }
        print(Terminal.table(["method", "Recall@\(k)", "NDCG@\(k)", "MRR@\(k)", "AUC", "coverage", "cold NDCG@\(k)"],
                             result.methods.map { m in
                                 [m.method, f(m.all.recall), f(m.all.ndcg), f(m.all.mrr), f(m.all.auc), f(m.coverage), m.cold.users > 0 ? f(m.cold.ndcg) : "–"]
                             }))
        if let report { print("report: \(report)/report.md") }
    }

    private func f(_ x: Double) -> String { String(format: "%.4f", x) }
}
