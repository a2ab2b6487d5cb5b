import ArgumentParser
import Foundation
import InterestMiner

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The end-to-end tour: build a database from Corpora/ and show what it holds.",
        discussion: "Rebuilds --db (default demo.sqlite) from scratch each run.")

    @Option(help: "The demo database (deleted and rebuilt).")
    var db: String = "demo.sqlite"

    @Option(help: "The corpus folder (default: Corpora/default of this checkout).")
    var corpus: String?

    func run() async throws {
        let folder = try corpus ?? Self.locateCorpus()
        let events = (folder as NSString).appendingPathComponent("events.jsonl")
        try InterestMiner.removeDatabase(at: db)
        let miner = try InterestMiner(databasePath: db)

        print("== 1. Ingest \(events)")
        let report = try await miner.ingest([.file(events)])
        print("read \(Terminal.count(report.read)) events, inserted \(Terminal.count(report.inserted)), "
            + "rejected \(report.rejected) in " + String(format: "%.2f s", report.seconds))
        print()
        print("== 2. What the database holds")
        print(StatsCommand.render(try miner.stats(), path: db))
        print()
        print("== 3. Train: tokenizer, text vectors, item and term vectors, collaborative factors")
        let trained = try miner.train(TrainingOptions())
        if let t = trained.tokenizer, let e = trained.embedding, let v = trained.vectors {
            print("tokenizer: \(Terminal.count(t.vocabularySize)) tokens; vectors: \(e.dimension)-d, \(e.epochs) epochs over "
                + "\(Terminal.count(e.trainedTokens)) tokens (\(Terminal.count(Int(e.wordsPerSecond))) words/s)"
                + "; \(Terminal.count(v.items)) items, \(Terminal.count(v.terms)) terms")
        }
        if let c = trained.cf {
            print("collaborative: \(c.method) \(Terminal.count(c.users)) users × \(Terminal.count(c.items)) items, "
                + (c.alpha.map { String(format: "alpha %g", $0) + (c.alphaTuning != nil ? " by validation, " : ", ") } ?? "")
                + String(format: "%d iterations in %.2f s", c.iterations, c.seconds))
        }
        print()
        for query in ["waterproof hiking boots", "哑光口红"] {
            print("== 4. Semantic search: \"\(query)\"")
            let result = try miner.similar(text: query, top: 5)
            print(Terminal.table(["item", "title", "score"], result.items.map { [$0.item, $0.title ?? "", String(format: "%.2f", $0.score)] }))
            print("terms: " + result.terms.map { $0.term }.joined(separator: ", "))
            print()
        }
    }

    /// Corpora/default in the working directory, or beside the checkout the binary was built in.
    static func locateCorpus() throws -> String {
        var candidates = [FileManager.default.currentDirectoryPath + "/Corpora/default"]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            dir = dir.deletingLastPathComponent()
            candidates.append(dir.appendingPathComponent("Corpora/default").path)
        }
        for c in candidates where FileManager.default.fileExists(atPath: c + "/events.jsonl") { return c }
        throw ValidationError("Corpora/default/events.jsonl not found (looked in \(candidates.joined(separator: ", "))); run from the checkout or pass --corpus DIR")
    }
}
