import Foundation
import Testing

@Suite(.serialized) struct RankCommandTests {
    @Test func rankRecommendAndEvalFromTheCommandLine() throws {
        let db = try TrainCommandTests.database()
        let train = try CLI.run(["train", "--db", db, "--vocab-size", "1500", "--epochs", "3", "--factors", "8", "--alpha", "10", "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        let rank = try CLI.run(["rank", "--db", db, "--user", "u000001", "--top", "3", "--explain"])
        #expect(rank.status == 0, "\(rank.stderr)")
        #expect(rank.stdout.contains("u000001 (") && rank.stdout.contains("matches"))
        let json = try CLI.run(["rank", "--db", db, "--user", "u000001", "--top", "2", "--query", "fly rod", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["items"] as? [[String: Any]])?.count == 2 && object?["query"] as? String == "fly rod")
        let users = CLI.temporaryDirectory().appendingPathComponent("u.txt")
        try "u000001\nu000002\n".write(to: users, atomically: true, encoding: .utf8)
        for method in ["fused", "popularity"] {
            let rec = try CLI.run(["recommend", "--db", db, "--method", method, "--top", "4", "--users", users.path])
            #expect(rec.status == 0, "\(rec.stderr)")
            #expect(rec.stdout.split(separator: "\n").count == 2)
            // Two users of 60 take the per-user path: no catalogue loaded up front.
            #expect(rec.stderr.contains("recommend: 2 users, models and signals loaded in"), "\(rec.stderr)")
        }
        let all = try CLI.run(["recommend", "--db", db, "--top", "1", "--all"])
        #expect(all.status == 0 && all.stderr.range(of: #"recommend: \d+ users over \d+ items, models and signals loaded in"#, options: .regularExpression) != nil,
                "\(all.stderr)")
        let quiet = try CLI.run(["recommend", "--db", db, "--top", "1", "--all", "--quiet"])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty && quiet.stdout == all.stdout)
        let report = CLI.temporaryDirectory().appendingPathComponent("eval").path
        let eval = try CLI.run(["eval", "--db", db, "--report", report, "--quiet", "--methods", "popularity,fused"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("fused") && FileManager.default.fileExists(atPath: report + "/report.md"))
    }

    @Test func badRankAndEvalOptionsAreExplained() throws {
        let db = CLI.temporaryDirectory().appendingPathComponent("x.sqlite").path
        for (args, mention) in [(["rank", "--user", "u", "--top", "0"], "--top"), (["rank", "--user", "u", "--items", ","], "--items"),
                                (["rank", "--user", "u", "--query", " "], "--query"), (["eval", "--methods", "magic"], "magic"),
                                (["eval", "--split", "/nonexistent"], "train.jsonl"), (["rank", "--user", "u"], "interests train")] {
            let r = try CLI.run(args + ["--db", db])
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains(mention), "\(args): \(r.stderr)")
        }
    }
}
