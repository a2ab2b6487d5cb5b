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
        // What needs SQLite says so, and exits non-zero.
        let train = try CLI.run(["train", "--db", db])
        #expect(train.status != 0 && train.stderr.contains("need an SQLite database"), "\(train.stderr)")
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
