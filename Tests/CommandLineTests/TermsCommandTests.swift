import Foundation
import Testing

@Suite(.serialized) struct TermsCommandTests {
    @Test func termsForOneAndManyUsers() throws {
        let db = try TrainCommandTests.database()
        let train = try CLI.run(["train", "--db", db, "--vocab-size", "1500", "--epochs", "3", "--cf", "none", "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        let one = try CLI.run(["terms", "--db", db, "--user", "u000001", "--top", "5", "--explain"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.contains("u000001:") && one.stdout.contains("evidence"))
        let users = CLI.temporaryDirectory().appendingPathComponent("u.txt")
        try "u000001\nnobody\n\nu000002\n".write(to: users, atomically: true, encoding: .utf8)
        let many = try CLI.run(["terms", "--db", db, "--users", users.path, "--json", "--top", "3"])
        #expect(many.status == 0, "\(many.stderr)")
        let lines = many.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.map { $0["user"] as? String } == ["u000001", "nobody", "u000002"])
        let first = lines.first?["terms"] as? [[String: Any]] ?? []
        #expect(first.count == 3 && first.allSatisfy { $0["term"] is String && $0["score"] is Double && $0["evidence"] is Int && $0["cluster"] is Int })
        #expect((lines[1]["note"] as? String)?.hasPrefix("no evidence") == true)
        let nobody = try CLI.run(["terms", "--db", db, "--user", "nobody"])
        #expect(nobody.status == 0 && nobody.stdout.contains("no evidence"))
    }

    @Test func badTermsOptionsAreExplained() throws {
        let db = CLI.temporaryDirectory().appendingPathComponent("x.sqlite").path
        for (args, mention) in [(["--user", "u", "--since", "last tuesday"], "--since"), (["--users", "f.txt"], "--json"),
                                (["--user", "u", "--users", "f.txt", "--json"], "exactly one"), (["--user", "u", "--top", "0"], "--top")] {
            let r = try CLI.run(["terms", "--db", db] + args)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains(mention), "\(args): \(r.stderr)")
        }
        let untrained = try CLI.run(["terms", "--db", db, "--user", "u"])
        #expect(untrained.status != 0 && untrained.stderr.contains("interests train"))
    }
}
