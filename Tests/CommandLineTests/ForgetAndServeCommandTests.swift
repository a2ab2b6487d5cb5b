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

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `interests serve --no-console` as a process: the console's paths answer 404, the API goes on.
@Suite struct ServeConsoleFlagTests {
    /// The status of a GET, or nil when nothing answered.
    static func status(_ url: String) -> Int? {
        guard let url = URL(string: url) else { return nil }
        let done = DispatchSemaphore(value: 0)
        let box = StatusBox()
        URLSession.shared.dataTask(with: url) { _, response, _ in
            box.status = (response as? HTTPURLResponse)?.statusCode
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 10)
        return box.status
    }

    final class StatusBox: @unchecked Sendable { var status: Int? }

    /// Starts `serve` on a free port (tries a few), waits for `/healthz`; returns it and its base URL.
    static func serve(_ db: String, _ extra: [String]) throws -> (Process, String)? {
        for _ in 0..<5 {
            let port = Int.random(in: 20_000...60_000)
            let p = try CLI.start(["serve", "--db", db, "--port", String(port)] + extra)
            let base = "http://127.0.0.1:\(port)"
            for _ in 0..<100 {
                if status(base + "/healthz") == 200 { return (p, base) }
                if !p.isRunning { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
            p.terminate()
            p.waitUntilExit()
        }
        return nil
    }

    @Test func noConsoleTakesThePagesAwayAndKeepsTheAPI() throws {
        let db = CLI.temporaryDirectory().appendingPathComponent("c.sqlite").path
        let line = #"{"type":"query","user":"kept","text":"tent","ts":1760000200}"# + "\n"
        #expect(try CLI.run(["ingest", "--db", db, "--quiet"], stdin: Data(line.utf8)).status == 0)
        for (flags, console) in [([String](), 200), (["--no-console"], 404)] {
            let (p, base) = try #require(try Self.serve(db, flags), "serve \(flags) never answered /healthz")
            defer {
                p.terminate()
                p.waitUntilExit()
            }
            #expect(Self.status(base + "/console") == console, "\(flags)")
            #expect(Self.status(base + "/console/users/kept") == (console == 200 ? 200 : 404), "\(flags)")
            #expect(Self.status(base + "/v1/users/kept/history") == 200, "\(flags)")
        }
    }
}
