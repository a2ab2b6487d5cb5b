import Foundation
import Testing

@Suite struct ForgetAndServeCommandTests {
    @Test func forgetDeletesTheUserAndExplainsUnknownOnes() throws {
        let db = CLI.temporaryDirectory().appendingPathComponent("f.sqlite").path
        let secret = "wombatquill-\(UUID().uuidString.prefix(6))"
        let lines = """
            {"type":"review","user":"gone","item":"I1","rating":5,"text":"\(secret) is great","ts":1760000000}
            {"type":"interaction","user":"gone","item":"I2","action":"view","ts":1760000100}
            {"type":"query","user":"kept","text":"tent","ts":1760000200}

            """
        #expect(try CLI.run(["ingest", "--db", db, "--quiet"], stdin: Data(lines.utf8)).status == 0)
        let r = try CLI.run(["forget", "--db", db, "--user", "gone", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(report["reviews"] as? Int == 1 && report["interactions"] as? Int == 1 && report["walTruncated"] as? Bool == true)
        for file in [db, db + "-wal"] where FileManager.default.fileExists(atPath: file) {
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)).range(of: Data(secret.utf8)) == nil, "\(file)")
        }
        let again = try CLI.run(["forget", "--db", db, "--user", "gone"])
        #expect(again.status == 1 && again.stderr.contains("'gone' is not in"))
        let stats = try CLI.run(["stats", "--db", db, "--json"])
        let counts = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(counts["users"] as? Int == 1 && counts["reviews"] as? Int == 0 && counts["queries"] as? Int == 1)
    }

    @Test func serveRefusesBadOptions() throws {
        for args in [["--port", "70000"], ["--token", ""], ["--max-body-bytes", "10"], ["--token", "w", "--read-token", ""]] {
            let r = try CLI.run(["serve", "--db", "/nonexistent/x.sqlite"] + args)
            #expect(r.status != 0, "\(args)")
        }
        // Token combinations that would protect less than they seem to stop before anything starts.
        for (args, reason) in [(["--read-token", "r"], "needs a write token"), (["--token", "t", "--read-token", "t"], "must differ"),
                               (["--token", "t", "--read-token", "r", "--public-reads"], "contradict"), (["--public-reads"], "--public-reads needs a token")] {
            let r = try CLI.run(["serve", "--db", "/nonexistent/x.sqlite"] + args)
            #expect(r.status != 0 && r.stderr.contains(reason), "\(args): \(r.stderr)")
        }
    }
}
