import Foundation
import Testing

/// The command line on a PostgreSQL URL (needs the server `.ci/run` starts: INTERESTS_TEST_POSTGRES).
@Suite struct PostgresCommandTests {
    static let server = ProcessInfo.processInfo.environment["INTERESTS_TEST_POSTGRES"]

    @Test(.enabled(if: server != nil, "needs INTERESTS_TEST_POSTGRES=postgres://… (.ci/run sets it)"))
    func ingestStatsAndForgetRunOnPostgres() throws {
        let base = try #require(Self.server)
        let schema = "cli_" + UUID().uuidString.prefix(8).lowercased()
        let db = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
        defer { Self.dropSchema(schema, on: base) }
        let lines = """
            {"type":"item","item":"I1","title":"Tent","text":"两人帐篷"}
            {"type":"review","user":"gone","item":"I1","rating":5,"text":"great\\ttent","ts":1760000000}
            {"type":"interaction","user":"gone","item":"I2","action":"view","ts":1760000100}
            {"type":"query","user":"kept","text":"tent","ts":1760000200}
            {"type":"query","user":"kept","ts":1760000300}

            """
        let ingest = try CLI.run(["ingest", "--db", db, "--json"], stdin: Data(lines.utf8))
        // Exit status 1: a line was rejected (as on SQLite).
        #expect(ingest.status == 1, "\(ingest.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(ingest.stdout.utf8)) as? [String: Any] ?? [:]
        // The bad line is reported as on SQLite; the good ones are written.
        #expect(report["inserted"] as? Int == 4 && report["rejected"] as? Int == 1, "\(ingest.stdout)")
        let stats = try CLI.run(["stats", "--db", db])
        #expect(stats.status == 0 && stats.stdout.contains("tables on server") && stats.stdout.contains("schema=\(schema)"), "\(stats.stdout)")
        let forget = try CLI.run(["forget", "--db", db, "--user", "gone", "--json"])
        let forgot = try JSONSerialization.jsonObject(with: Data(forget.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(forget.status == 0 && forgot["reviews"] as? Int == 1 && forgot["interactions"] as? Int == 1 && forgot["walTruncated"] == nil)
        // The leave-last-out evaluation runs on an SQLite file: it says so, and exits non-zero.
        let eval = try CLI.run(["eval", "--db", db])
        #expect(eval.status != 0 && eval.stderr.contains("runs on an SQLite database"), "\(eval.stderr)")
    }

    /// The behaviour models trained on PostgreSQL give the lists the SQLite file gives, for the
    /// same events, seed and one thread: collaborative, sequence, popularity and fused.
    @Test(.enabled(if: server != nil, "needs INTERESTS_TEST_POSTGRES=postgres://… (.ci/run sets it)"))
    func bothBackendsTrainAndRecommendTheSame() throws {
        let base = try #require(Self.server)
        let schema = "cli_" + UUID().uuidString.prefix(8).lowercased()
        let pg = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
        defer { Self.dropSchema(schema, on: base) }
        let dir = CLI.temporaryDirectory()
        let gen = try CLI.run(["corpus", "generate", "--seed", "5", "--users", "120", "--items", "64", "--out", dir.path])
        #expect(gen.status == 0, "\(gen.stderr)")
        let events = dir.appendingPathComponent("events.jsonl").path
        let file = dir.appendingPathComponent("same.sqlite").path
        var lists: [[String]] = []
        for db in [file, pg] {
            let ingest = try CLI.run(["ingest", "--db", db, "--quiet", events])
            #expect(ingest.status == 0, "\(ingest.stderr)")
            let train = try CLI.run(["train", "--db", db, "--no-text", "--factors", "8", "--alpha", "10", "--threads", "1", "--seed", "7",
                                     "--sequence", "sasrec", "--sequence-epochs", "3", "--quiet"])
            #expect(train.status == 0, "\(train.stderr)")
            var answers: [String] = []
            for method in ["cf", "sequence", "popularity", "fused"] {
                let run = try CLI.run(["recommend", "--db", db, "--method", method, "--all", "--top", "10", "--threads", "1"])
                #expect(run.status == 0, "\(method): \(run.stderr)")
                answers.append(run.stdout)
            }
            lists.append(answers)
        }
        #expect(lists[0].allSatisfy { $0.split(separator: "\n").count == 120 }, "every user gets a list")
        for (k, method) in ["cf", "sequence", "popularity", "fused"].enumerated() {
            #expect(lists[0][k] == lists[1][k], "\(method): the backends' lists differ")
        }
    }

    /// Best effort, with psql when it is installed (the CI cluster is thrown away anyway).
    static func dropSchema(_ schema: String, on url: String) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/psql") else { return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        p.arguments = [url, "-q", "-c", "DROP SCHEMA IF EXISTS \(schema) CASCADE"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try? p.run()
        p.waitUntilExit()
    }
}
