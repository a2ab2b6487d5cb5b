import CorpusGeneration
import Dispatch
import Foundation
import InterestCore
import InterestStore
import Synchronization
import Testing
import TextEmbedding
@testable import InterestMiner

/// A training run paused at one of its progress lines (the test acts meanwhile), on its own
/// thread so the test's task can ingest and forget while it waits.
final class PausedTraining: @unchecked Sendable {
    private let reached = DispatchSemaphore(value: 0)
    private let resume = DispatchSemaphore(value: 0)
    private var result: Result<TrainingReport, InterestMinerError>?
    private let done = DispatchSemaphore(value: 0)

    /// Starts `miner.train(options)`, pausing once at the first progress line starting with `at`.
    init(_ miner: InterestMiner, options: TrainingOptions, pauseAt at: String) {
        let paused = PausedFlag()
        Thread.detachNewThread { [self] in
            let r = Result { () throws(InterestMinerError) in
                try miner.train(options) { message in
                    if message.hasPrefix(at), paused.setOnce() {
                        self.reached.signal()
                        self.resume.wait()
                    }
                }
            }
            self.result = r
            self.done.signal()
        }
    }

    func waitUntilPaused() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { self.reached.wait(); c.resume() }
        }
    }

    func finish() async throws -> TrainingReport {
        resume.signal()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { self.done.wait(); c.resume() }
        }
        return try #require(result).get()
    }
}

final class PausedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    func setOnce() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if set { return false }
        set = true
        return true
    }
}

/// Events that arrive while a training run is paused (a new item with its review, a review and a
/// query of known users, a new user's purchase).
let lateLines = [
    #"{"type":"item","item":"LATE1","title":"Northfly graphite fly rod","text":"light rod for trout"}"#,
    #"{"type":"review","user":"u000001","item":"LATE1","rating":5,"text":"lovely fly rod for trout streams","ts":1767000000}"#,
    #"{"type":"review","user":"u000002","item":"P00010","rating":4,"text":"good graphite rod, casts well","ts":1767000100}"#,
    #"{"type":"query","user":"u000002","text":"trout fly reel","ts":1767000200}"#,
    #"{"type":"interaction","user":"late","item":"P00011","action":"purchase","ts":1767000300}"#,
]

@Suite(.serialized) struct GenerationTests {
    func close(_ a: [Float]?, _ b: [Float]?, _ tolerance: Float = 1e-5) -> Bool {
        guard let a, let b, a.count == b.count else { return false }
        return zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    /// Options of a second run whose encoder differs from the first's (another seed).
    var retrain: TrainingOptions {
        var o = fastTraining
        o.embedding.skipGram.seed = 11
        o.cf?.alphaGrid = nil
        return o
    }

    @Test func eventsIngestedAndUsersForgottenDuringARunAreInTheNewGeneration() async throws {
        let miner = try await trainedMiner()
        let before = try #require(try miner.serving.loadTextModel())
        let run = PausedTraining(miner, options: retrain, pauseAt: "neighbours:")
        await run.waitUntilPaused()
        // The new generation's vectors and profiles are built; ingest and forget now.
        let lines = lateLines
        let ingested = try await miner.ingest([.text("late.jsonl", lines)])
        #expect(ingested.inserted == 5)
        #expect(try miner.store.userEventVectors("u000001")?.first { $0.item == "LATE1" }?.vector == before.encoder.encode("lovely fly rod for trout streams").values,
                "until activation, ingest writes the active generation's vectors")
        let forgotten = try #require(try miner.forget(user: "u000003"))
        #expect(forgotten.reviews + forgotten.interactions + forgotten.queries > 0)
        let report = try await run.finish()
        #expect(report.catchUp?.rows ?? 0 >= 4, "the late events were caught up with")

        let after = try #require(try miner.serving.loadTextModel())
        #expect(after.version != before.version)
        // Vectors of events that arrived during the run are the new encoder's.
        let late = try miner.store.userEventVectors("u000001")?.first { $0.item == "LATE1" && $0.kind == .review }
        #expect(late?.vector == after.encoder.encode("lovely fly rod for trout streams").values)
        let query = try miner.store.userEventVectors("u000002")?.first { $0.kind == .query && $0.text == "trout fly reel" }
        #expect(query?.vector == after.encoder.encode("trout fly reel").values)
        #expect(try miner.store.profile(ofUser: "late") != nil, "a user created during the run has a profile")
        let stats = try miner.stats()
        #expect(stats.generations.map(\.state) == ["active", "retired"])
        #expect(stats.forgottenAwaitingRetrain == 1, "the new generation's models learnt from a snapshot that still had the user")
        // Item sums equal a batch computation over every review.
        let incremental = try ["LATE1", "P00010", "P00012"].map { try miner.store.itemVector($0) }
        try miner.recomputeTextTables(after, rule: after.profile?.rule ?? ProfileRule())
        let batch = try ["LATE1", "P00010", "P00012"].map { try miner.store.itemVector($0) }
        for (a, b) in zip(incremental, batch) {
            #expect(a?.reviewCount == b?.reviewCount)
            #expect(close(a?.vector, b?.vector) && close(a?.textVector, b?.textVector))
        }
        // The forgotten user is in no table of the new generation, and the run completed.
        #expect(try miner.history(ofUser: "u000003") == nil)
        #expect(try miner.store.profile(ofUser: "u000003") == nil)
        // A complete run that started after the forget clears it and drops the older generation.
        _ = try miner.train(retrain)
        let later = try miner.stats()
        #expect(later.forgottenAwaitingRetrain == 0)
        // (the batch recomputation above was a generation of its own)
        #expect(later.generations.map(\.state) == ["active", "dropped", "dropped", "dropped"])
        #expect(try miner.store.integrityCheck() == "ok")
    }

    @Test func oldGenerationsAreDeletedAndTheirSpaceReused() async throws {
        let miner = try await trainedMiner()
        var options = retrain
        options.keepGenerations = 2
        // Steady state: the active and the kept generation, plus a build during a run.
        for _ in 0..<2 { _ = try miner.train(options) }
        let pages = try miner.store.pageCounts()
        for _ in 0..<3 { _ = try miner.train(options) }
        let generations = try miner.stats().generations
        #expect(generations.map(\.state) == ["active", "retired", "dropped", "dropped", "dropped", "dropped"])
        let tables = try miner.store.tableNames()
        #expect(tables.filter { $0.hasSuffix("_build") }.isEmpty)
        let kept = Set(generations.prefix(2).map(\.id))
        for name in tables where name.range(of: "_g[0-9]+$", options: .regularExpression) != nil {
            #expect(kept.contains(Int(name.split(separator: "g").last ?? "") ?? -1), "\(name) belongs to a dropped generation")
        }
        #expect(try miner.store.modelVersions(kind: ModelKind.textEncoder).count == 2, "payloads of dropped generations are deleted")
        let now = try miner.store.pageCounts()
        #expect(now.total <= pages.total + pages.total / 10, "freed pages are reused: \(pages) → \(now)")
        #expect(now.free > 0)
    }

    @Test func aRunThatDiedLeavesTheActiveGenerationAndTheNextRunTakesOver() async throws {
        let miner = try await trainedMiner()
        let active = try miner.store.latestVersions()
        let recommendations = try miner.recommendation(forUser: "u000001", top: 5, method: .cf)
        // A run that died after creating its build tables.
        let dead = try miner.store.beginGeneration(parts: DerivedTable.allCases)
        #expect(try miner.store.latestVersions() == active)
        #expect(try miner.recommendation(forUser: "u000001", top: 5, method: .cf) == recommendations)
        #expect(throws: InterestMinerError.self) { try miner.train(retrain) }
        var takeOver = retrain
        takeOver.takeOver = true
        let report = try miner.train(takeOver)
        #expect(report.generation == dead.id + 1)
        #expect(try miner.stats().generations.first { $0.id == dead.id }?.state == "failed")
        #expect(try miner.store.latestVersions() != active)
    }

    @Test func aServiceIngestsRightAfterAnotherProcessActivatesAGeneration() async throws {
        let trainer = try await trainedMiner()
        // The "service": its text model is cached when another process activates a generation.
        let service = try InterestMiner(databasePath: trainer.databasePath)
        let before = try #require(try service.serving.loadTextModel())
        _ = try trainer.train(retrain)
        // Its first write meets the new encoder: it waits for that encoder (not the cached one
        // a background load would still hand out) and writes with it.
        _ = try await service.ingest([.text("q.jsonl", [#"{"type":"query","user":"u000002","text":"fly line","ts":1767000000}"#])])
        let now = try #require(try trainer.serving.loadTextModel())
        #expect(now.version != before.version)
        let stored = try service.store.userEventVectors("u000002")?.first { $0.text == "fly line" }
        #expect(stored?.vector == now.encoder.encode("fly line").values)
    }

    @Test func vectorsOfAReplacedEncoderAreRefused() async throws {
        let miner = try await trainedMiner()
        let old = try #require(try miner.serving.loadTextModel())
        _ = try miner.train(retrain)
        var cache = IdentityCache()
        let event = Event.query(SearchQuery(user: "u000001", text: "trout reel", timestamp: 1_767_000_000))
        #expect(throws: StoreError.self) {
            _ = try miner.store.write([event], vectors: EventVectors(version: old.version, vectors: [[Float](repeating: 0.1, count: old.encoder.dimension)]),
                                      cache: &cache)
        }
        // Ingest through the façade re-encodes with the active model.
        _ = try await miner.ingest([.text("q.jsonl", [#"{"type":"query","user":"u000001","text":"trout reel","ts":1767000000}"#])])
        let now = try #require(try miner.serving.loadTextModel())
        let stored = try miner.store.userEventVectors("u000001")?.first { $0.text == "trout reel" }
        #expect(stored?.vector == now.encoder.encode("trout reel").values)
    }
}

@Suite(.serialized) struct ServingUnderChangeTests {
    @Test func concurrentFirstRequestsLoadTheModelOnce() async throws {
        let trained = try await trainedMiner()
        let miner = try InterestMiner(databasePath: trained.databasePath)
        let users = (1...16).map { String(format: "u%06d", $0) }
        let answers = try await withThrowingTaskGroup(of: Recommendation?.self) { group in
            for user in users { group.addTask { try miner.fusedRecommendation(forUser: user, top: 5) } }
            var out: [Recommendation?] = []
            for try await a in group { out.append(a) }
            return out
        }
        #expect(answers.count == 16 && answers.allSatisfy { $0 != nil })
        #expect(try miner.serving.models.rankerSlot.loads == 1)
    }

    @Test func aRetrainInThisProcessSwapsLoadedModelsBeforeItReturns() async throws {
        let miner = try await trainedMiner()
        let before = try miner.serving.requireRanker().version
        let loads = try miner.serving.models.rankerSlot.loads
        _ = try miner.train(fastTraining)
        // The run loaded the new ranker itself; the next request uses it without a load.
        #expect(try miner.serving.models.rankerSlot.loads == loads + 1)
        let after = try miner.serving.requireRanker().version
        #expect(after > before)
        #expect(try miner.serving.models.rankerSlot.loads == loads + 1)
    }

    @Test func aFreshLoadLeavesOtherCallersOnThePreviousModel() throws {
        let slot = CachedModel<String>()
        #expect(try slot.get(key: { [1] }, load: { "first" }) == "first")
        let release = DispatchSemaphore(value: 0), started = DispatchSemaphore(value: 0)
        let fresh = Mutex<String?>(nil)
        let warm = Thread {
            let got = try? slot.get(key: { [2] }, fresh: true) { () throws(InterestMinerError) -> String? in
                started.signal()
                release.wait()
                return "second"
            }
            fresh.withLock { $0 = got ?? nil }
        }
        warm.start()
        started.wait()
        // While the fresh load runs, callers at the new key get the previous model at once.
        #expect(try slot.get(key: { [2] }, load: { Issue.record("loaded twice"); return "again" }) == "first")
        release.signal()
        while fresh.withLock({ $0 }) == nil { Thread.sleep(forTimeInterval: 0.001) }
        #expect(fresh.withLock { $0 } == "second")
        #expect(try slot.get(key: { [2] }, load: { Issue.record("loaded twice"); return "again" }) == "second")
        #expect(slot.loads == 2)
    }

    @Test func dailyCountsFollowIngestAndForget() async throws {
        let miner = try await trainedMiner()
        _ = try await miner.ingest([.text("more.jsonl", [
            #"{"type":"interaction","user":"u000001","item":"P00010","action":"purchase","ts":1767000000}"#,
            #"{"type":"review","user":"u000002","item":"P00010","rating":5,"text":"great rod","ts":1767000100}"#,
            #"{"type":"review","user":"u000002","item":"P00011","rating":0,"text":"broke at once","ts":1767000200}"#,
        ])])
        _ = try miner.forget(user: "u000004")
        // The counters equal a count over the events now stored.
        let (rows, _) = try miner.store.eventsByUser()
        var expected: [Int64: [Int64: Int]] = [:]
        for r in rows where r.rating.map({ $0 >= 1 }) ?? true { expected[r.item, default: [:]][UnixDay.of(r.timestamp), default: 0] += 1 }
        let stored = try miner.store.itemDays()
        #expect(stored.mapValues { Dictionary(uniqueKeysWithValues: $0.map { ($0.day, $0.count) }) } == expected)
    }
}
