import CorpusGeneration
import Foundation
import InterestStore
import Testing
@testable import InterestMiner

/// Forget's guarantee end to end (README "Forgetting a user"): the user's rows go at once; what
/// training learnt from them (tokenizer vocabulary, word vectors, terms, item vectors,
/// neighbours, factors, ranker) goes at the next complete training run, with every older
/// generation, whatever the retention setting.
@Suite(.serialized) struct ForgetRetrainTests {
    @Test func aForgottenUsersWordLeavesTheFileAtTheNextTrain() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-forget-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try InterestMiner.generateCorpus(CorpusConfiguration(seed: 9, users: 60, items: 64), to: dir.path)
        let path = dir.appendingPathComponent("db.sqlite").path
        let miner = try InterestMiner(databasePath: path)
        _ = try await miner.ingest([.file(corpus.eventsFile)])
        // One user writes a word nobody else uses, often enough for every model to learn it.
        let word = "quxwobble"
        let user = "leaver-\(UUID().uuidString.prefix(8))"
        let lines = (0..<16).map { k in
            #"{"type":"review","user":"\#(user)","item":"P000\#(10 + k)","rating":5,"text":"\#(word) \#(word) rod and \#(word) reel, the \#(word) kind","ts":\#(1_767_000_000 + k)}"#
        }
        #expect(try await miner.ingest([.bytes(name: "leaver.jsonl", Array(lines.joined(separator: "\n").utf8))]).inserted == 16)
        var options = fastTraining
        options.keepGenerations = 3
        _ = try miner.train(options)
        let learnt = try miner.store.modelVersions(kind: ModelKind.tokenizer)
        #expect(!learnt.isEmpty)

        let forgotten = try #require(try miner.forget(user: user))
        #expect(forgotten.reviews == 16 && forgotten.walTruncated == true)
        #expect(try miner.stats().forgottenAwaitingRetrain == 1)
        // The user's own rows are gone; the trained models still hold the word (so the search
        // below can find it: the test would catch a retrain that kept them).
        #expect(try Self.fileContains(path, word), "the active generation's models learnt the word")
        #expect(try !Self.fileContains(path, user), "no row names the user any more (kept generations' tables included)")

        _ = try miner.train(options)
        #expect(try miner.stats().forgottenAwaitingRetrain == 0)
        #expect(try miner.stats().generations.map(\.state) == ["active", "dropped"],
                "the older generation learnt from the forgotten user: dropped although 3 are kept")
        #expect(try !Self.fileContains(path, word), "no byte of the word is left in the file or its WAL")
        #expect(try miner.store.integrityCheck() == "ok")
    }

    /// Whether the database file, its WAL or its journal holds `needle` as bytes.
    static func fileContains(_ path: String, _ needle: String) throws -> Bool {
        let pattern = Data(needle.utf8)
        for file in [path, path + "-wal", path + "-journal"] where FileManager.default.fileExists(atPath: file) {
            if try Data(contentsOf: URL(fileURLWithPath: file)).range(of: pattern) != nil { return true }
        }
        return false
    }
}
