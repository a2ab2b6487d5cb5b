import Foundation
import Testing

@Suite(.serialized) struct CorpusAndDemoTests {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func generatedCorpusIngestsCleanly() throws {
        let dir = CLI.temporaryDirectory()
        let gen = try CLI.run(["corpus", "generate", "--seed", "3", "--users", "60", "--items", "64", "--out", dir.path, "--json"])
        #expect(gen.status == 0, "\(gen.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(gen.stdout.utf8)) as? [String: Any]
        let events = (report?["summary"] as? [String: Any])?["events"] as? Int ?? 0
        #expect(events > 60 * 10)
        let ingest = try CLI.run(["ingest", "--db", dir.appendingPathComponent("c.sqlite").path, "--json", dir.appendingPathComponent("events.jsonl").path])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let ing = try JSONSerialization.jsonObject(with: Data(ingest.stdout.utf8)) as? [String: Any]
        #expect(ing?["inserted"] as? Int == events)
        #expect(ing?["rejected"] as? Int == 0)
    }

    @Test func badCorpusOptionsAreExplained() throws {
        let r = try CLI.run(["corpus", "generate", "--users", "0", "--out", CLI.temporaryDirectory().path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("users"))
    }

    /// The committed corpus is exactly what `interests corpus generate --seed 42 --users 800`
    /// writes, so Corpora/README.md's regenerate command reproduces it.
    @Test func committedCorpusMatchesTheGenerator() throws {
        let dir = CLI.temporaryDirectory()
        let gen = try CLI.run(["corpus", "generate", "--seed", "42", "--users", "800", "--out", dir.path])
        #expect(gen.status == 0, "\(gen.stderr)")
        for name in ["events.jsonl", "ground_truth.jsonl"] {
            let fresh = try Data(contentsOf: dir.appendingPathComponent(name))
            let committed = try Data(contentsOf: Self.checkout.appendingPathComponent("Corpora/default/\(name)"))
            #expect(fresh == committed, "Corpora/default/\(name) differs from the generator's output")
        }
    }

    @Test func demoBuildsADatabaseFromTheCorpus() throws {
        let db = CLI.temporaryDirectory().appendingPathComponent("demo.sqlite").path
        let r = try CLI.run(["demo", "--db", db, "--corpus", Self.checkout.appendingPathComponent("Corpora/default").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("inserted 43,907"))
        #expect(r.stdout.contains("users"))
        for section in ["== 3. Train", "== 4. What three users are into", "== 5. Their recommendations, explained",
                        "== 6. Personalised search", "== 7. Evaluation"] {
            #expect(r.stdout.contains(section), "\(section)")
        }
        #expect(r.stdout.contains("u000002 — ") && r.stdout.contains("fused "))
    }
}
