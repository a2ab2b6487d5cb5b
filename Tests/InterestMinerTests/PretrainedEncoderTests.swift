import Foundation
import InterestStore
import Testing
import TextEmbedding
@testable import InterestMiner

/// A copy of the committed tiny-BERT fixture in a temporary folder (so a test may change it).
func tinyBERTCopy() throws -> String {
    let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TextEmbeddingTests/Fixtures/tiny-bert")
    let target = FileManager.default.temporaryDirectory.appendingPathComponent("im-bert-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: source, to: target)
    return target.path
}

@Suite(.serialized) struct PretrainedEncoderTests {
    static func options(_ directory: String) -> TrainingOptions {
        var options = fastTraining
        options.embedding.encoder = .pretrained(directory: directory, maxLength: nil)
        options.cf = nil
        return options
    }

    @Test func everyTextVectorComesFromTheTransformer() async throws {
        let dir = try tinyBERTCopy()
        let miner = try await trainedMiner(options: Self.options(dir))
        guard let model = try miner.serving.loadTextModel(), case .transformer(let encoder, _) = model.encoder else {
            Issue.record("the stored text model is not the transformer")
            return
        }
        #expect(model.encoder.dimension == 32)
        let direct = try InterestMiner.loadPretrainedModel(directory: dir).encoder
        // Stored review vectors are the model's vectors of the review texts.
        let events = try miner.store.userEventVectors("u000001") ?? []
        let reviews = events.filter { $0.kind == .review }
        #expect(!reviews.isEmpty)
        for e in reviews {
            guard let text = e.text, let stored = e.vector else { continue }
            let fresh = direct.encode([text], threads: 1)[0].values
            #expect(zip(stored, fresh).allSatisfy { abs($0 - $1) < 1e-5 })
        }
        // Terms have transformer vectors; `similar` and `embed` use the same model.
        #expect(try miner.store.terms().contains { $0.vector?.count == 32 })
        #expect(try miner.similar(text: "fly rod", top: 3).items.count == 3)
        #expect(try miner.embed(["fly rod"])[0] == encoder.encode(["fly rod"], threads: 1)[0].values)
        // Texts ingested after training get transformer vectors too.
        _ = try await miner.ingest([.text("new.jsonl", [#"{"type":"query","user":"u000001","text":"trout fly reel","ts":1760000200}"#])])
        let query = (try miner.store.userEventVectors("u000001") ?? []).first { $0.text == "trout fly reel" }
        #expect(query?.vector == direct.encode(["trout fly reel"], threads: 1)[0].values)
    }

    @Test func aChangedWeightsFileIsDetected() async throws {
        let dir = try tinyBERTCopy()
        let miner = try await trainedMiner(options: Self.options(dir))
        let path = URL(fileURLWithPath: dir).appendingPathComponent("model.safetensors")
        var bytes = [UInt8](try Data(contentsOf: path))
        bytes[bytes.count - 1] ^= 0x01
        try Data(bytes).write(to: path)
        let reopened = try InterestMiner(databasePath: miner.databasePath)
        do {
            _ = try reopened.similar(text: "fly rod")
            Issue.record("a changed model.safetensors went unnoticed")
        } catch {
            #expect(error.description.contains("changed since the text model was trained"), "\(error)")
        }
    }

    @Test func missingModelFilesAreNamed() throws {
        let dir = try tinyBERTCopy()
        try FileManager.default.removeItem(atPath: dir + "/1_Pooling/config.json")
        do {
            _ = try InterestMiner.loadPretrainedModel(directory: dir)
            Issue.record("loaded without 1_Pooling/config.json")
        } catch {
            #expect(error.description.contains("has no 1_Pooling/config.json"), "\(error)")
        }
        #expect(throws: InterestMinerError.self) { try InterestMiner.loadPretrainedModel(directory: dir + "/nowhere") }
    }
}
