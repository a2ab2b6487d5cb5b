import Foundation
import Testing

@Suite(.serialized) struct EmbedCommandTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TextEmbeddingTests/Fixtures/tiny-bert").path

    @Test func embedPrintsTheModelsVectors() throws {
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.fixture + "/expected.json"))) as? [String: Any]
        let texts = expected?["texts"] as? [String] ?? []
        let vectors = expected?["vectors"] as? [[Double]] ?? []
        try #require(texts.count >= 5 && vectors.count >= 5, "the fixture's expected.json")
        let one = try CLI.run(["embed", "--model-dir", Self.fixture, "--text", texts[0]])
        #expect(one.status == 0, "\(one.stderr)")
        let values = one.stdout.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        #expect(values.count == 32)
        #expect(zip(values, vectors[0]).allSatisfy { abs($0 - $1) < 2e-5 })

        let file = CLI.temporaryDirectory().appendingPathComponent("texts.txt")
        try (texts[1] + "\n\n" + texts[4] + "\n").write(to: file, atomically: true, encoding: .utf8)
        let many = try CLI.run(["embed", "--model-dir", Self.fixture, "--file", file.path, "--threads", "2"])
        #expect(many.status == 0, "\(many.stderr)")
        let lines = many.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        try #require(lines.map { $0["text"] as? String } == [texts[1], "", texts[4]])
        #expect((lines[0]["vector"] as? [Double])?.count == 32)
        #expect(lines[1]["vector"] is NSNull, "a blank line has no vector")
        if let v = lines[2]["vector"] as? [Double] { #expect(zip(v, vectors[4]).allSatisfy { abs($0 - $1) < 2e-5 }) }
    }

    @Test func trainWithThePretrainedEncoder() throws {
        let db = try TrainCommandTests.database()
        let missing = try CLI.run(["train", "--db", db, "--encoder", "minilm"])
        #expect(missing.status != 0 && missing.stderr.contains("--model-dir"))
        let nowhere = try CLI.run(["train", "--db", db, "--encoder", "minilm", "--model-dir", "/nonexistent/model", "--cf", "none"])
        #expect(nowhere.status != 0 && nowhere.stderr.contains("no model directory at /nonexistent/model"), "\(nowhere.stderr)")
        let train = try CLI.run(["train", "--db", db, "--encoder", "minilm", "--model-dir", Self.fixture, "--cf", "none", "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("32-d, pretrained minilm from"))
        let fromDB = try CLI.run(["embed", "--db", db, "--text", "great shampoo", "--json"])
        let fromDir = try CLI.run(["embed", "--model-dir", Self.fixture, "--text", "great shampoo", "--json"])
        #expect(fromDB.status == 0 && !fromDB.stdout.isEmpty && fromDB.stdout == fromDir.stdout, "\(fromDB.stderr)")
        let both = try CLI.run(["embed", "--db", db, "--model-dir", Self.fixture, "--text", "x"])
        #expect(both.status != 0)
    }
}
