import CorpusGeneration
import Foundation
import InterestCore
import InterestStore
import Testing
import TextEmbedding
@testable import InterestMiner

/// Where a test's miner keeps its data: a new SQLite file, or a new schema on the PostgreSQL
/// server `.ci/run` starts (INTERESTS_TEST_POSTGRES; without it only SQLite runs).
enum MinerBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    static let postgresURL = ProcessInfo.processInfo.environment["INTERESTS_TEST_POSTGRES"]
    static let available: [MinerBackend] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    var testDescription: String { rawValue }

    func location() throws -> String {
        switch self {
        case .sqlite:
            return temporaryDatabasePath()
        case .postgres:
            let url = try #require(Self.postgresURL)
            return url + (url.contains("?") ? "&" : "?") + "schema=m_" + UUID().uuidString.prefix(8).lowercased()
        }
    }
}

/// The text models — tokenizer, vectors, terms, profiles — on both backends: trained, caught
/// up with what arrives during a run, kept current at ingest and forget, and read back with the
/// same answers.
@Suite(.serialized) struct TextBackendsTests {
    func close(_ a: [Float]?, _ b: [Float]?, _ tolerance: Float = 1e-4) -> Bool {
        guard let a, let b, a.count == b.count else { return a == nil && b == nil }
        return zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    /// The 60-user shop of `trainedMiner`, ingested and trained with text on `backend` (at
    /// `location`, a new one by default).
    func trainedMiner(_ backend: MinerBackend, at location: String? = nil) async throws -> InterestMiner {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-tb-\(UUID().uuidString)")
        let report = try InterestMiner.generateCorpus(CorpusConfiguration(seed: 9, users: 60, items: 64), to: dir.path)
        let miner = try InterestMiner(databasePath: try location ?? backend.location())
        _ = try await miner.ingest([.file(report.eventsFile)])
        let trained = try miner.train(fastTraining)
        #expect(trained.textSkipped == nil && trained.vectors != nil && trained.ranker != nil)
        return miner
    }

    /// Each item's stored review sum and count against the sum of its stored review vectors
    /// (row order), and its combined vector against `ItemVectorRule`.
    func expectItemSumsExact(_ store: any ModelStore, _ items: [Int64], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let rows = try store.itemVectorRows()
        for item in items {
            let reviews = try store.reviewVectors(ofItems: [item])
            var sum: [Float]?
            for r in reviews { if sum == nil { sum = r.vector } else { sum?.add(r.vector) } }
            let stored = rows[item]
            #expect(stored?.reviewCount == reviews.count, "item \(item)", sourceLocation: sourceLocation)
            #expect(close(stored?.reviewSum, sum), "item \(item): review sum", sourceLocation: sourceLocation)
            let combined = ItemVectorRule.combine(text: stored?.textVector, reviewSum: sum, reviewCount: reviews.count)
            #expect(close(stored?.vector, combined), "item \(item): combined vector", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: MinerBackend.available)
    func aRunCatchesUpWithTextIngestedAndUsersForgottenMeanwhile(_ backend: MinerBackend) async throws {
        let miner = try await trainedMiner(backend)
        let store = miner.serving.store
        let before = try #require(try miner.serving.loadTextModel())
        var options = fastTraining
        options.embedding.skipGram.seed = 11
        let run = PausedTraining(miner, options: options, pauseAt: "neighbours:")
        await run.waitUntilPaused()
        // The run's vectors and profiles are built; ingest (with the active encoder) and forget now.
        let lines = lateLines
        #expect(try await miner.ingest([.text("late.jsonl", lines)]).inserted == 5)
        let review = "lovely fly rod for trout streams"
        #expect(try store.userEventVectors("u000001")?.first { $0.item == "LATE1" }?.vector == before.encoder.encode(review).values,
                "until activation, ingest writes the active generation's vectors")
        let ids = try store.externalIDs().items
        let watched = ids.filter { ["LATE1", "P00010", "P00012"].contains($0.value) }.map(\.key).sorted()
        try expectItemSumsExact(store, watched)
        #expect(try miner.forget(user: "u000003") != nil)
        let report = try await run.finish()
        #expect(report.catchUp?.rows ?? 0 >= 4, "the late events were caught up with")

        let after = try #require(try miner.serving.loadTextModel())
        #expect(after.version != before.version)
        // Vectors of what arrived during the run are the new encoder's; item sums are exact.
        #expect(try store.userEventVectors("u000001")?.first { $0.item == "LATE1" && $0.kind == .review }?.vector == after.encoder.encode(review).values)
        #expect(try store.userEventVectors("u000002")?.first { $0.kind == .query && $0.text == "trout fly reel" }?.vector
                == after.encoder.encode("trout fly reel").values)
        try expectItemSumsExact(store, watched)
        #expect(try store.userRankingState("late", after: nil, factorVersion: nil)?.profile?.version == after.version,
                "a user created during the run has a profile of the new encoder")
        #expect(try miner.history(ofUser: "u000003") == nil && store.userEventVectors("u000003") == nil)
        // Interest terms come from the new generation.
        #expect(try miner.terms(user: "u000002", options: TermsOptions(top: 5)).terms.isEmpty == false)
    }

    /// The same events, seed and one thread give the same text answers on both backends —
    /// after training, and after a second batch whose vectors and profiles ingest keeps (read
    /// by new processes: a running one reloads its models in the background after new items).
    @Test(.enabled(if: MinerBackend.postgresURL != nil, "needs INTERESTS_TEST_POSTGRES"))
    func bothBackendsGiveTheSameTextAnswers() async throws {
        let locations = [try MinerBackend.sqlite.location(), try MinerBackend.postgres.location()]
        var miners = [try await trainedMiner(.sqlite, at: locations[0]), try await trainedMiner(.postgres, at: locations[1])]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-tb2-\(UUID().uuidString)")
        let second = try InterestMiner.generateCorpus(CorpusConfiguration(seed: 13, users: 20, items: 70), to: dir.path)
        for phase in ["trained", "after a second ingest"] {
            if phase != "trained" {
                for m in miners { _ = try await m.ingest([.file(second.eventsFile)]) }
                miners = try locations.map { try InterestMiner(databasePath: $0) }
            }
            let (a, b) = (miners[0], miners[1])
            let users = try a.serving.store.userIDs()
            #expect(users == (try b.serving.store.userIDs()))
            for user in users.prefix(25) {
                #expect(try a.terms(user: user, options: TermsOptions(top: 8)).terms.map(\.term) == b.terms(user: user, options: TermsOptions(top: 8)).terms.map(\.term),
                        "\(phase): terms of \(user)")
                for method in [RecommendationMethod.text, .fused] {
                    #expect(try a.recommendation(forUser: user, top: 10, method: method)?.items == b.recommendation(forUser: user, top: 10, method: method)?.items,
                            "\(phase): \(method) list of \(user)")
                }
                #expect(try a.serving.store.userEventVectors(user) == b.serving.store.userEventVectors(user), "\(phase): vectors of \(user)")
            }
            let (ra, rb) = (try a.serving.store.itemVectorRows(), try b.serving.store.itemVectorRows())
            #expect(ra.keys.sorted() == rb.keys.sorted())
            for (item, row) in ra {
                #expect(row.vector == rb[item]?.vector && row.reviewCount == rb[item]?.reviewCount, "\(phase): item \(item)")
            }
            #expect(try a.serving.store.terms().map(\.term) == b.serving.store.terms().map(\.term))
        }
    }
}
