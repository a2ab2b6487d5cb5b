import Foundation
import Testing

@Suite(.serialized) struct IngestCommandTests {
    static func lines(_ n: Int, offset: Int = 0) -> String {
        (0..<n).map { k in
            let i = k + offset
            return #"{"type":"review","user":"u\#(i % 97)","item":"P\#(i % 31)","rating":\#(1 + i % 5),"text":"review number \#(i) 口红 🎣","ts":\#(1_700_000_000 + i)}"#
        }.joined(separator: "\n") + "\n"
    }

    static func stats(_ db: String) throws -> [String: Any] {
        let r = try CLI.run(["stats", "--db", db, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        return (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func stdinIngestPrintsASummaryAndIsIdempotent() throws {
        let db = CLI.temporaryDirectory().appendingPathComponent("s.sqlite").path
        let input = Data(Self.lines(300).utf8)
        let first = try CLI.run(["ingest", "--db", db], stdin: input)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("read 300, inserted 300, duplicates 0, updated 0, rejected 0"))
        let second = try CLI.run(["ingest", "--db", db, "--json"], stdin: input)
        let report = try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any]
        #expect(report?["inserted"] as? Int == 0)
        #expect(report?["duplicates"] as? Int == 300)
        #expect(try Self.stats(db)["reviews"] as? Int == 300)
    }

    @Test func rejectedLinesAreListedAsFileLineReasonAndExitNonZero() throws {
        let dir = CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("mixed.jsonl")
        var text = Self.lines(3)
        for k in 0..<25 { text += "{\"type\":\"review\",\"user\":\"u\",\"item\":\"i\",\"text\":\"x\",\"ts\":\(k)}\n" }
        try Data(text.utf8).write(to: file)
        let r = try CLI.run(["ingest", "--db", dir.appendingPathComponent("m.sqlite").path, file.path])
        #expect(r.status == 1)
        let errLines = r.stderr.split(separator: "\n").filter { $0.hasPrefix(file.path) }
        #expect(errLines.count == 20)
        #expect(errLines.first == "\(file.path):4: 'ts' 0 is out of range: before 1980-01-01 (a 0 or negative ts is usually a missing value)")
        #expect(r.stderr.contains("… and 5 more rejected lines"))
        #expect(r.stdout.contains("inserted 3,"))
    }

    @Test func badArgumentsFailWithAOneLineReason() throws {
        let r = try CLI.run(["ingest", "--db", CLI.temporaryDirectory().appendingPathComponent("x.sqlite").path, "--map", "user"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("invalid --map entry 'user'"))
        let missing = try CLI.run(["ingest", "--db", CLI.temporaryDirectory().appendingPathComponent("y.sqlite").path, "/no/such/file.jsonl"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("cannot read /no/such/file.jsonl"))
    }

    /// kill -9 in the middle of an ingest leaves a sound database, and running the same ingest
    /// again gives exactly the state of an uninterrupted run. (Both databases hold an event
    /// first, so the big input goes the chunked way, not as a first load.)
    @Test func killedIngestResumesExactly() throws {
        let dir = CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("big.jsonl")
        try Data(Self.lines(200_000).utf8).write(to: file)
        let seed = dir.appendingPathComponent("seed.jsonl")
        try Data(#"{"type":"query","user":"seed","text":"first","ts":1600000000}"#.utf8).write(to: seed)
        let killedDB = dir.appendingPathComponent("killed.sqlite").path
        let cleanDB = dir.appendingPathComponent("clean.sqlite").path
        for db in [killedDB, cleanDB] { #expect(try CLI.run(["ingest", "--db", db, "--quiet", seed.path]).status == 0) }

        let p = try CLI.start(["ingest", "--db", killedDB, "--quiet", file.path])
        // Wait until at least one chunk is committed (the WAL has content), then kill. The
        // polling blocks its thread rather than awaiting: a sleeping task can resume late when
        // other tests keep the cooperative pool busy, and miss the whole ingest.
        let wal = killedDB + "-wal"
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, p.isRunning {
            let size = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
            if size > 1_000_000 { break }
            Thread.sleep(forTimeInterval: 0.002)
        }
        let wasRunning = p.isRunning
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(wasRunning, "the ingest finished before it could be killed; make the input larger")

        let check = try CLI.run(["stats", "--db", killedDB, "--json"])
        #expect(check.status == 0, "\(check.stderr)")
        let partial = try Self.stats(killedDB)["reviews"] as? Int ?? -1
        #expect(partial < 200_000)

        let resumed = try CLI.run(["ingest", "--db", killedDB, "--quiet", "--json", file.path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let clean = try CLI.run(["ingest", "--db", cleanDB, "--quiet", file.path])
        #expect(clean.status == 0)
        try Self.expectSameStats(killedDB, cleanDB, reviews: 200_000)
        let integrity = try CLI.run(["stats", "--db", killedDB, "--integrity"])
        #expect(integrity.stdout.contains("integrity ok"))
    }

    /// A first load is one transaction: kill -9 during it leaves an empty, sound database with
    /// its indexes, and running it again gives the state of an uninterrupted run.
    @Test func killedFirstLoadLeavesNothing() async throws {
        let dir = CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("big.jsonl")
        // Large enough that a sleep overshooting on a busy machine still finds it running.
        try Data(Self.lines(200_000).utf8).write(to: file)
        let killedDB = dir.appendingPathComponent("killed.sqlite").path
        let cleanDB = dir.appendingPathComponent("clean.sqlite").path

        let p = try CLI.start(["ingest", "--db", killedDB, "--quiet", file.path])
        try await Task.sleep(for: .milliseconds(300))
        let wasRunning = p.isRunning
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(wasRunning, "the first load finished before it could be killed; make the input larger")
        #expect(try Self.stats(killedDB)["reviews"] as? Int == 0)
        let integrity = try CLI.run(["stats", "--db", killedDB, "--integrity"])
        #expect(integrity.stdout.contains("integrity ok"))

        let resumed = try CLI.run(["ingest", "--db", killedDB, "--json", file.path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains(#""firstLoad":true"#))
        #expect(try CLI.run(["ingest", "--db", cleanDB, "--quiet", file.path]).status == 0)
        try Self.expectSameStats(killedDB, cleanDB, reviews: 200_000)
    }

    /// The two databases' `stats --json` agree (but for the file size), with `reviews` reviews.
    static func expectSameStats(_ one: String, _ other: String, reviews: Int) throws {
        var a = try stats(one)
        var b = try stats(other)
        a["fileBytes"] = nil
        b["fileBytes"] = nil
        #expect(NSDictionary(dictionary: a) == NSDictionary(dictionary: b))
        #expect(a["reviews"] as? Int == reviews)
    }
}
