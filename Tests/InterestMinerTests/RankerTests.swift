import Foundation
import Testing
import InterestCore
import Ranking
@testable import InterestMiner

@Suite(.serialized) struct RankerTests {
    @Test func rankAgreesWithFusedRecommendationsAndExplains() async throws {
        let miner = try await trainedMiner()
        let ranked = try miner.rank(user: "u000003", top: 10, explain: true)
        #expect(ranked.items.count == 10 && ranked.note == nil)
        #expect(ranked.items.map(\.score) == ranked.items.map(\.score).sorted(by: >))
        var recs: [Recommendation] = []
        try miner.recommend(method: .fused, users: ["u000003"], top: 10, threads: 1) { recs.append($0) }
        #expect(recs.first?.items == ranked.items.map(\.item), "one scorer behind rank and recommend")
        let seen = try miner.store.userItems()["u000003"] ?? []
        #expect(Set(ranked.items.map(\.item)).isDisjoint(with: seen))
        #expect(ranked.items.contains { !($0.terms ?? []).isEmpty }, "explanations name matched interest terms")
        #expect(ranked.items.allSatisfy { $0.like != nil })
        let withSeen = try miner.rank(user: "u000003", top: 500, includeSeen: true)
        #expect(!Set(withSeen.items.map(\.item)).isDisjoint(with: seen))
    }

    @Test func aOneShotRankReadsItsDaysWindowAndAnswersTheSame() async throws {
        let miner = try await trainedMiner()
        let oneShot = try InterestMiner(databasePath: miner.databasePath)
        oneShot.itemActivityInMemory = false
        let whole = try miner.serving.requireRanker(), windowed = try oneShot.serving.requireRanker()
        #expect(whole.activityInMemory && !windowed.activityInMemory && windowed.catalogue.activity.allSatisfy { $0.days.isEmpty })
        for user in ["u000003", "u000010", "u000021", "nobody"] {
            let a = try miner.rank(user: user, top: 10), b = try oneShot.rank(user: user, top: 10)
            #expect(a == b, "\(user)")
            guard let time = try miner.serving.userSignals(user, whole)?.0.time else { continue }
            #expect(windowed.catalogue.knowsRecentPopularity(at: time))
            #expect(whole.catalogue.recentPopularity(at: time) == windowed.catalogue.recentPopularity(at: time))
            // By hand: the window's positives of every item from the per-item daily counts.
            let day = UnixDay.of(time)
            let counts = try miner.store.itemPositives(fromDay: day - 29, throughDay: day, rowOf: whole.row, rows: whole.catalogue.count)
            #expect(counts == whole.catalogue.activity.map { $0.count(from: day - 29, through: day) })
            #expect(counts.contains { $0 > 0 })
        }
    }

    @Test func queriesCandidatesAndUnknownsAreHandled() async throws {
        let miner = try await trainedMiner()
        let plain = try miner.rank(user: "u000004", top: 5)
        let searched = try miner.rank(user: "u000004", query: "fly rod trout", top: 5)
        #expect(searched.items.allSatisfy { $0.query != nil })
        #expect(searched.items.map(\.item) != plain.items.map(\.item))
        let some = Array(plain.items.map(\.item).reversed())
        let subset = try miner.rank(user: "u000004", items: some, top: 10)
        #expect(Set(subset.items.map(\.item)) == Set(some))
        do {
            _ = try miner.rank(user: "u000004", items: ["NOPE", some[0], "NADA"], top: 3)
            Issue.record("unknown candidates were ranked")
        } catch .unknownItems(let unknown) {
            #expect(unknown == ["NOPE", "NADA"])
        } catch {
            Issue.record("\(error)")
        }
        // A query with no word the text model knows ranks as if none were given, and says so.
        let unknownQuery = try miner.rank(user: "u000004", query: "§§§ ¶¶", top: 5)
        #expect(unknownQuery.items.map(\.item) == plain.items.map(\.item) && unknownQuery.note?.contains("ranked without it") == true)
        #expect(unknownQuery.items.allSatisfy { $0.query == nil })
        let stranger = try miner.rank(user: "nobody", top: 3)
        #expect(stranger.items.count == 3 && stranger.note?.contains("unknown user") == true && stranger.segment == "cold")
    }

    @Test func evaluationScoresItsOwnListsLikeTheSharedEvaluator() async throws {
        let miner = try await trainedMiner()
        var options = EvaluationOptions()
        options.training = fastTraining
        let report = try await miner.evaluate(options)
        #expect(report.methods.map(\.method) == ["popularity", "text", "cf", "sequence", "fused"])
        #expect(report.testUsers > 20)
        for m in report.methods {
            #expect((0...1).contains(m.all.ndcg) && (0...1).contains(m.all.auc) && m.all.users == report.testUsers)
            #expect(m.all.recall >= m.all.ndcg - 1e-12, "NDCG@k never exceeds Recall@k with one relevant item")
        }
        let fused = try #require(report.methods.first { $0.method == "fused" })
        let popularity = try #require(report.methods.first { $0.method == "popularity" })
        #expect(fused.all.ndcg > popularity.all.ndcg, "the synthetic world rewards personalisation")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-eval-\(UUID().uuidString)").path
        try report.write(to: dir)
        for f in ["report.md", "methods.svg", "report.json", "lists/fused.jsonl"] { #expect(FileManager.default.fileExists(atPath: dir + "/" + f), "\(f)") }
        let md = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
        #expect(md.contains("| fused |") && md.contains("methods.svg"))
        let svg = try String(contentsOfFile: dir + "/methods.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("fused"))
        // The database keeps the report (without its lists) for the console's shop page.
        let kept = try #require(try miner.latestEvaluation())
        #expect(abs(kept.time - Int64(Date().timeIntervalSince1970)) < 600)
        #expect(kept.report.lists.isEmpty && kept.report.split == report.split && kept.report.testUsers == report.testUsers)
        #expect(kept.report.methods.map(\.method) == report.methods.map(\.method))
        #expect(kept.report.methods.map(\.all) == report.methods.map(\.all))
        #expect(kept.report.training.ranker?.heldOutNDCG == report.training.ranker?.heldOutNDCG)
    }
}
