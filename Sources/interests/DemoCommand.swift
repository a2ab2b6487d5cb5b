import ArgumentParser
import Foundation
import InterestMiner

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The end-to-end tour: ingest Corpora/, train, show interests, recommendations, search and an evaluation.",
        discussion: "Rebuilds --db (default demo.sqlite) from scratch each run.")

    @Option(help: "The demo database (deleted and rebuilt).")
    var db: String = "demo.sqlite"

    @Option(help: "The corpus folder (default: Corpora/default of this checkout).")
    var corpus: String?

    @Flag(name: .customLong("no-eval"), help: "Skip the evaluation (step 7).")
    var noEval = false

    /// Three users of Corpora/default: one interest (English), several interests, Chinese.
    static let users = ["u000001", "u000005", "u000002"]

    func run() async throws {
        let folder = try corpus ?? Self.locateCorpus()
        let events = (folder as NSString).appendingPathComponent("events.jsonl")
        try InterestMiner.removeDatabase(at: db)
        let miner = try InterestMiner(databasePath: db)

        section("1. Ingest \(events)")
        let report = try await miner.ingest([.file(events)])
        print("read \(Terminal.count(report.read)) events, inserted \(Terminal.count(report.inserted)), "
            + "rejected \(report.rejected) in " + String(format: "%.2f s", report.seconds))

        section("2. What the database holds")
        print(StatsCommand.render(try miner.stats(), path: db))

        section("3. Train: tokenizer, text vectors, profiles, collaborative factors, sequence model, fused ranker")
        let trained = try miner.train(Self.training)
        if let t = trained.tokenizer, let e = trained.embedding, let v = trained.vectors {
            print("tokenizer: \(Terminal.count(t.vocabularySize)) tokens; vectors: \(e.dimension)-d, \(e.epochs) epochs over "
                + "\(Terminal.count(e.trainedTokens)) tokens; \(Terminal.count(v.items)) items, \(Terminal.count(v.terms)) terms, "
                + "\(Terminal.count(v.profiles)) profiles")
        }
        if let c = trained.cf {
            print("collaborative: \(c.method) \(Terminal.count(c.users)) users × \(Terminal.count(c.items)) items, "
                + (c.alpha.map { String(format: "alpha %g", $0) + (c.alphaTuning != nil ? " by validation, " : ", ") } ?? "")
                + String(format: "%d iterations in %.2f s", c.iterations, c.seconds))
        }
        if let q = trained.sequence {
            print("sequence: \(q.textAware ? "text-aware" : "ID-only") Transformer over \(Terminal.count(q.trainingSequences)) histories, "
                + "\(q.epochs) epochs" + (q.validationNDCG.map { String(format: ", validation NDCG@10 %.3f", $0) } ?? "")
                + String(format: " in %.1f s", q.seconds))
        }
        if let r = trained.ranker {
            print("ranker: " + zip(r.features, r.warmWeights).map { String(format: "%@ %.2f", $0, $1) }.joined(separator: ", ")
                + " (fitted on \(r.validationUsers) validation users"
                + (r.heldOutNDCG["fused"].map { String(format: "; NDCG@10 %.3f on %d held out from a second fit)", $0, r.heldOutUsers) } ?? ")"))
        }

        section("4. What three users are into")
        for user in Self.users {
            let answer = try miner.terms(user: user, options: TermsOptions(top: 8))
            if let note = answer.note {
                print("\(user): \(note)")
                continue
            }
            let shares = answer.interests.map { "#\($0.cluster + 1) \(Int(($0.share * 100).rounded()))%: " + $0.terms.prefix(3).joined(separator: ", ") }
            print("\(user) — \(answer.interests.count) interest\(answer.interests.count == 1 ? "" : "s"): " + shares.joined(separator: " | "))
            print("  " + answer.terms.map { "\($0.term) (\($0.evidence))" }.joined(separator: ", "))
        }

        section("5. Their recommendations, explained")
        for user in Self.users {
            let ranked = try miner.rank(user: user, top: 4, explain: true)
            print("\(user) (\(ranked.segment) user):")
            print(Terminal.table(["item", "title", "score", "matches", "like"], ranked.items.map {
                [$0.item, String(($0.title ?? "").prefix(44)), String(format: "%.2f", $0.score), ($0.terms ?? []).prefix(3).joined(separator: ", "), $0.like ?? ""]
            }))
        }

        section("6. Personalised search: \"sleeping bag\" for two users")
        for user in ["u000005", "u000003"] {
            let ranked = try miner.rank(user: user, query: "sleeping bag", top: 3, explain: true)
            print("\(user):")
            print(Terminal.table(["item", "title", "score", "query", "matches"], ranked.items.map {
                [$0.item, String(($0.title ?? "").prefix(44)), String(format: "%.2f", $0.score), String(format: "%.2f", $0.query ?? 0),
                 ($0.terms ?? []).prefix(3).joined(separator: ", ")]
            }))
        }

        for query in ["waterproof hiking boots", "哑光口红"] {
            section("Semantic search: \"\(query)\"")
            let result = try miner.similar(text: query, top: 3)
            print(Terminal.table(["item", "title", "score"], result.items.map { [$0.item, $0.title ?? "", String(format: "%.2f", $0.score)] }))
            print("terms: " + result.terms.map { $0.term }.joined(separator: ", "))
        }

        if !noEval {
            section("7. Evaluation: each user's last item held out, models retrained on the rest")
            var options = EvaluationOptions()
            options.training = Self.training
            let result = try await miner.evaluate(options)
            print("\(result.testUsers) test users (\(result.coldUsers) cold), \(result.catalogue) items")
            print(Terminal.table(["method", "Recall@10", "NDCG@10", "MRR@10", "AUC", "coverage", "cold NDCG@10"], result.methods.map { m in
                [m.method, f(m.all.recall), f(m.all.ndcg), f(m.all.mrr), f(m.all.auc), f(m.coverage), m.cold.users > 0 ? f(m.cold.ndcg) : "–"]
            }))
        }
    }

    /// The default training, with the sequence model held to 20 epochs so the tour stays short
    /// (on Corpora/default early stopping ends it at about 40).
    static let training = {
        var o = TrainingOptions()
        o.sequence?.epochs = 20
        return o
    }()

    private func section(_ title: String) {
        print()
        print("== \(title)")
    }

    private func f(_ x: Double) -> String { String(format: "%.4f", x) }

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
