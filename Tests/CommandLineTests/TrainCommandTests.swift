import Foundation
import Testing

@Suite(.serialized) struct TrainCommandTests {
    /// A small generated database, ingested.
    static func database() throws -> String {
        let dir = CLI.temporaryDirectory()
        let gen = try CLI.run(["corpus", "generate", "--seed", "5", "--users", "60", "--items", "64", "--out", dir.path])
        #expect(gen.status == 0, "\(gen.stderr)")
        let db = dir.appendingPathComponent("t.sqlite").path
        let ingest = try CLI.run(["ingest", "--db", db, "--quiet", dir.appendingPathComponent("events.jsonl").path])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        return db
    }

    @Test func collaborativeTrainingAndRecommendations() throws {
        let db = try Self.database()
        let train = try CLI.run(["train", "--db", db, "--no-text", "--cf", "als", "--factors", "8", "--iterations", "5", "--alpha", "10"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("cf v1: als, alpha 10,"))
        #expect(train.stdout.contains("ranker v1:") && train.stdout.contains("warm weights: cf "), "the fitted fusion is reported")
        #expect(train.stderr.contains("ALS iteration 5/5, loss"), "progress per iteration with loss")
        let users = CLI.temporaryDirectory().appendingPathComponent("users.txt")
        try "u000001\nu000002\n".write(to: users, atomically: true, encoding: .utf8)
        let rec = try CLI.run(["recommend", "--db", db, "--method", "cf", "--top", "7", "--users", users.path])
        #expect(rec.status == 0, "\(rec.stderr)")
        let lines = rec.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.map { $0["user"] as? String } == ["u000001", "u000002"])
        #expect(lines.allSatisfy { ($0["items"] as? [String])?.count == 7 })
        let bpr = try CLI.run(["train", "--db", db, "--no-text", "--cf", "bpr", "--factors", "8", "--iterations", "5", "--quiet"])
        #expect(bpr.status == 0, "\(bpr.stderr)")
        #expect(bpr.stdout.contains("cf v2: bpr"))
        let noRanker = try CLI.run(["train", "--db", db, "--no-text", "--factors", "8", "--iterations", "3", "--alpha", "10", "--ranker", "none"])
        #expect(noRanker.status == 0 && !noRanker.stdout.contains("ranker v"), "\(noRanker.stderr)")
        let fused = try CLI.run(["recommend", "--db", db, "--top", "3", "--users", users.path])
        #expect(fused.status == 0, "the ranker of the earlier run still ranks: \(fused.stderr)")
    }

    /// Users without reviews or queries get a `text` list from the vectors of the items they
    /// touched: the same in every process and in both paths (all users at once, or one by one).
    /// (Their sum once followed a set's order, which changes from process to process.)
    @Test func textListsOfUsersWithoutTextAreTheSameInEveryRun() throws {
        let dir = CLI.temporaryDirectory()
        var lines: [String] = []
        let titles = ["trail running shoes", "merino hiking socks", "camping stove", "sleeping bag down", "rain jacket light", "tent two person",
                      "headlamp rechargeable", "trekking poles carbon"]
        for (k, title) in titles.enumerated() { lines.append(#"{"type":"item","item":"I\#(k)","title":"\#(title)"}"#) }
        for u in 0..<12 {
            for j in 0..<5 { lines.append(#"{"type":"interaction","user":"u\#(u)","item":"I\#((u * 3 + j * 5) % titles.count)","action":"view","ts":\#(1_700_000_000 + u * 100 + j)}"#) }
        }
        let events = dir.appendingPathComponent("e.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: events, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("t.sqlite").path
        #expect(try CLI.run(["ingest", "--db", db, "--quiet", events.path]).status == 0)
        let train = try CLI.run(["train", "--db", db, "--dim", "8", "--epochs", "2", "--vocab-size", "120", "--cf", "none", "--sequence", "none",
                                 "--ranker", "none", "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        let users = dir.appendingPathComponent("users.txt")
        try (0..<12).map { "u\($0)" }.joined(separator: "\n").write(to: users, atomically: true, encoding: .utf8)
        let runs = try (0..<3).map { _ in try CLI.run(["recommend", "--db", db, "--method", "text", "--all", "--top", "5"]).stdout }
        #expect(!runs[0].isEmpty && runs.allSatisfy { $0 == runs[0] }, "the batch's lists change between runs")
        let one = try CLI.run(["recommend", "--db", db, "--method", "text", "--top", "5", "--users", users.path]).stdout
        #expect(one == runs[0], "one by one differs from all at once")
    }

    @Test func badCollaborativeOptionsAreExplained() throws {
        let db = try Self.database()
        for (args, mention) in [
            (["--alpha", "-3"], "--alpha"), (["--alpha", "ten"], "--alpha"), (["--alpha", "10,,20"], "--alpha"),
            (["--star-weights", "1,2,3"], "--star-weights"), (["--cf", "svd"], "--cf"), (["--cf-weights", "loud"], "--cf-weights"),
            (["--factors", "0"], "--factors"), (["--ranker", "learned"], "--ranker"),
        ] {
            let r = try CLI.run(["train", "--db", db, "--no-text"] + args)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains(mention), "\(args): \(r.stderr)")
        }
        let nothing = try CLI.run(["recommend", "--db", CLI.temporaryDirectory().appendingPathComponent("empty.sqlite").path, "--method", "cf", "--all"])
        #expect(nothing.status != 0)
        #expect(nothing.stderr.contains("interests train"))
    }
}
