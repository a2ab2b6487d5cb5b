import CorpusGeneration
import Foundation
import InterestCore
import InterestStore
import SequenceModel
import Testing
import TextEmbedding
@testable import InterestMiner

/// A small trained database: a 60-user synthetic world, small fast settings.
func trainedMiner(users: Int = 60, options: TrainingOptions = fastTraining) async throws -> InterestMiner {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-tv-\(UUID().uuidString)")
    let report = try InterestMiner.generateCorpus(CorpusConfiguration(seed: 9, users: users, items: 64), to: dir.path)
    let miner = try InterestMiner(databasePath: dir.appendingPathComponent("db.sqlite").path)
    _ = try await miner.ingest([.file(report.eventsFile)])
    _ = try miner.train(options)
    return miner
}

/// Small, fast training; the terms' "what next" keeps its fallback (NextTermsTests choose it).
let fastTraining = {
    var o = TrainingOptions(
        tokenizer: TokenizerTrainingOptions(vocabularySize: 800, minFrequency: 2, threads: 1),
        embedding: EmbeddingTrainingOptions(skipGram: SkipGramConfiguration(dimension: 16, epochs: 3, minCount: 2, seed: 4, threads: 1),
                                            automaticEpochs: false))
    o.tuneNextTerms = false
    o.sequence = smallSequence
    return o
}()

/// A small sequence model (the default trains up to 200 epochs): a few passes, narrow.
let smallSequence = {
    var s = SequenceSettings()
    s.dimension = 16
    s.maxLength = 12
    s.epochs = 3
    s.threads = 1
    return s
}()

@Suite(.serialized) struct TextVectorTests {
    @Test func skipGramPassesFollowTheTokenBudget() {
        // ceil(20 M / tokens), within 1…200.
        #expect(EmbeddingTrainingOptions.epochs(forCorpusTokens: 90_000_000) == 1)
        #expect(EmbeddingTrainingOptions.epochs(forCorpusTokens: 8_977_229) == 3)
        #expect(EmbeddingTrainingOptions.epochs(forCorpusTokens: 1_000_000) == 20)
        #expect(EmbeddingTrainingOptions.epochs(forCorpusTokens: 1_000) == 200)
        #expect(EmbeddingTrainingOptions.epochs(forCorpusTokens: 20_000_001) == 1)
    }

    @Test func incrementalVectorsEqualAFullPass() async throws {
        let miner = try await trainedMiner()
        guard let model = try miner.serving.loadTextModel() else {
            Issue.record("no text model")
            return
        }
        let lines = [
            #"{"type":"item","item":"NEW1","title":"Northfly graphite fly rod","text":"light rod for trout"}"#,
            #"{"type":"review","user":"u000001","item":"NEW1","rating":5,"text":"lovely fly rod for trout streams","ts":1760000000}"#,
            #"{"type":"review","user":"u000002","item":"NEW1","rating":4,"text":"good graphite rod","ts":1760000100}"#,
            #"{"type":"query","user":"u000001","text":"trout fly reel","ts":1760000200}"#,
        ]
        _ = try await miner.ingest([.text("new.jsonl", lines)])
        // Review and query vectors written at ingest are the encoder's vectors.
        let events = try miner.store.userEventVectors("u000001") ?? []
        let review = events.first { $0.kind == .review && $0.item == "NEW1" }
        #expect(review?.vector == model.encoder.encode("lovely fly rod for trout streams").values)
        let query = events.first { $0.kind == .query && $0.text == "trout fly reel" }
        #expect(query?.vector == model.encoder.encode("trout fly reel").values)
        // The incrementally maintained item vector equals a full recomputation.
        let incremental = try miner.store.itemVector("NEW1")
        try miner.recomputeTextTables(model)
        let full = try miner.store.itemVector("NEW1")
        #expect(incremental?.reviewCount == 2)
        #expect(full?.reviewCount == 2)
        if let a = incremental?.vector, let b = full?.vector {
            #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-5 })
        } else {
            Issue.record("item vector missing")
        }
    }

    @Test func similarAndTextRecommendationsWork() async throws {
        let miner = try await trainedMiner()
        let result = try miner.similar(text: "fly rod trout", top: 5)
        #expect(result.understood)
        #expect(result.items.count == 5)
        #expect(result.terms.count == 5)
        #expect(result.items.map(\.score) == result.items.map(\.score).sorted(by: >))
        let nothing = try miner.similar(text: "§§§", top: 5)
        #expect(!nothing.understood)
        var recs: [Recommendation] = []
        try miner.recommend(method: .text, users: ["u000001", "u000002", "nobody"], top: 20, threads: 1) { recs.append($0) }
        #expect(recs.map(\.user) == ["u000001", "u000002", "nobody"])
        #expect(recs[0].items.count == 20)
        #expect(recs[2].items.isEmpty)
        let seen = try miner.store.userItems()["u000001"] ?? []
        #expect(Set(recs[0].items).isDisjoint(with: seen), "seen items are excluded")
    }

    @Test func commandsExplainMissingModels() async throws {
        let miner = try freshMiner()
        #expect(throws: InterestMinerError.self) { try miner.similar(text: "x") }
        #expect(throws: InterestMinerError.self) { try miner.train(fastTraining) }
    }
}
