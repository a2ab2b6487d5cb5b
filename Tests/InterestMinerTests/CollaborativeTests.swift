import CollaborativeFiltering
import CorpusGeneration
import Foundation
import InterestCore
import InterestStore
import Testing
@testable import InterestMiner

@Suite(.serialized) struct CollaborativeTests {
    static func ingestedMiner() async throws -> InterestMiner {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-cf-\(UUID().uuidString)")
        let report = try InterestMiner.generateCorpus(CorpusConfiguration(seed: 11, users: 80, items: 64), to: dir.path)
        let miner = try InterestMiner(databasePath: dir.appendingPathComponent("db.sqlite").path)
        _ = try await miner.ingest([.file(report.eventsFile)])
        return miner
    }

    static let options = {
        var o = TrainingOptions(
            cf: CFTrainingOptions(als: ALSConfiguration(factors: 8, iterations: 8, seed: 5, threads: 2), alphaGrid: [2.5, 10, 40]), text: false)
        o.sequence = smallSequence
        return o
    }()

    @Test func shardsSplitABatchJobWithoutChangingAnyList() async throws {
        let miner = try await Self.ingestedMiner()
        _ = try miner.train(Self.options)
        var whole: [String: Recommendation] = [:]
        try miner.recommend(method: .cf, users: nil, top: 5, threads: 2) { whole[$0.user] = $0 }
        #expect(whole.count == 80)
        // Two parts take the one-pass batch path, eight the per-user one (few of many): either
        // way every user is in one part, with the list the whole job gives.
        for n in [2, 8] {
            var seen: [String: Recommendation] = [:]
            for i in 1...n {
                try miner.recommend(method: .cf, users: nil, shard: UserShard(index: i, count: n), top: 5, threads: 2) { rec in
                    #expect(seen[rec.user] == nil && UserShard.part(of: rec.user, count: n) == i)
                    seen[rec.user] = rec
                }
            }
            #expect(seen == whole)
        }
        // A shard of a given list keeps that list's users of the part, in order.
        var listed: [String] = []
        try miner.recommend(method: .cf, users: ["u000003", "u000001", "u000002"], shard: UserShard(index: 1, count: 2), top: 5) { listed.append($0.user) }
        #expect(listed == ["u000003", "u000001", "u000002"].filter { UserShard.part(of: $0, count: 2) == 1 })
    }

    @Test func alphaTuningLearnsFromASeededSampleOfUsers() async throws {
        let miner = try await Self.ingestedMiner()
        let data = CFData(events: try miner.store.eventsByUser().table)
        let cf = try #require(Self.options.cf)
        let held = try miner.training.validationSplit(data)
        let everyone = try #require(try miner.training.tuneAlpha(data, held: held, grid: [2.5, 10, 40], options: cf, progress: { _ in }))
        // A limit above the users changes nothing; below it, ALS learns from a sample (the scored
        // users among it), the same one every time.
        #expect(try miner.training.tuneAlpha(data, held: held, grid: [2.5, 10, 40], options: cf, trainingUsers: 1_000, progress: { _ in })?.ndcg == everyone.ndcg)
        let sampled = try #require(try miner.training.tuneAlpha(data, held: held, grid: [2.5, 10, 40], options: cf, trainingUsers: 50, progress: { _ in }))
        #expect(sampled.validationUsers == everyone.validationUsers && sampled.ndcg.count == 3)
        #expect(sampled.ndcg != everyone.ndcg, "learnt from fewer users")
        #expect(try miner.training.tuneAlpha(data, held: held, grid: [2.5, 10, 40], options: cf, trainingUsers: 50, progress: { _ in })?.ndcg == sampled.ndcg)
    }

    @Test func trainsTunesStoresAndRecommends() async throws {
        let miner = try await Self.ingestedMiner()
        let report = try miner.train(Self.options)
        let cf = try #require(report.cf)
        #expect(cf.method == "als" && cf.iterations == 8 && cf.losses.count == 8)
        #expect(zip(cf.losses.dropFirst(), cf.losses).allSatisfy { $0 <= $1 * (1 + 1e-5) }, "loss never increases")
        let tuning = try #require(cf.alphaTuning)
        #expect(tuning.grid == [2.5, 10, 40] && tuning.ndcg.count == 3 && tuning.validationUsers > 0)
        #expect(tuning.ndcg[tuning.grid.firstIndex(of: tuning.chosen)!] == tuning.ndcg.max())
        #expect(cf.alpha == Double(tuning.chosen))
        #expect(report.tokenizer == nil, "--no-text trains only the collaborative model")

        var recs: [Recommendation] = []
        try miner.recommend(method: .cf, users: ["u000001", "u000002", "nobody"], top: 10, threads: 2) { recs.append($0) }
        #expect(recs.map(\.user) == ["u000001", "u000002", "nobody"])
        #expect(recs[0].items.count == 10 && recs[1].items.count == 10)
        #expect(recs[2].items.isEmpty)
        #expect(recs[0].scores == recs[0].scores.sorted(by: >))
        let seen = try miner.store.userItems()["u000001"] ?? []
        #expect(Set(recs[0].items).isDisjoint(with: seen))
    }

    @Test func storedFactorsRoundTripAndTrainingIsDeterministic() async throws {
        let miner = try await Self.ingestedMiner()
        _ = try miner.train(Self.options)
        let first = try #require(try miner.serving.loadCFModel())
        _ = try miner.train(Self.options)
        let second = try #require(try miner.serving.loadCFModel())
        #expect(second.version == first.version + 1)
        #expect(first.model == second.model, "same seed, same factors")
        #expect(first.itemIDs == second.itemIDs)
        let reopened = try InterestMiner(databasePath: miner.databasePath)
        #expect(try reopened.serving.loadCFModel()?.model == second.model)
    }

    @Test func newUsersAndItemsAreFoldedInWithoutRetraining() async throws {
        let miner = try await Self.ingestedMiner()
        _ = try miner.train(Self.options)
        let before = try #require(try miner.serving.loadCFModel())
        let items = Array(before.itemIDs.prefix(3))
        var lines = items.enumerated().map { k, item in
            #"{"type":"interaction","user":"newcomer","item":"\#(item)","action":"purchase","ts":\#(1_800_000_000 + k)}"#
        }
        // A brand-new product bought by users the model knows.
        lines.append(#"{"type":"item","item":"BRANDNEW","title":"brand new thing"}"#)
        let trainedUsers = try miner.store.allUserFactors(version: before.version)
        let buyers = Array(trainedUsers.keys.sorted().prefix(5))
        for (k, user) in buyers.enumerated() {
            lines.append(#"{"type":"interaction","user":"\#(user)","item":"BRANDNEW","action":"purchase","ts":\#(1_800_000_100 + k)}"#)
        }
        _ = try await miner.ingest([.text("new.jsonl", lines)])

        let after = try #require(try miner.serving.loadCFModel())
        #expect(after.version == before.version, "no retraining")
        #expect(after.foldedItems == 1 && after.itemIDs.last == "BRANDNEW")
        // The newcomer's vector is the exact fold-in of their three purchases.
        let vector = try #require(try miner.serving.cfVector("newcomer", after, trained: nil, stale: true))
        let cols = items.map { Int32(after.itemRow($0)) }
        let expected = try #require(after.foldIn).solve(cols.map { ($0, after.weights.weight(action: .purchase, rating: nil)) })
        #expect(vector == expected)
        // The new item's factors: the fold-in against every trained user (the full Gram matrix
        // computed here) equals the one from the stored Gram matrix and only its buyers' rows.
        let names = trainedUsers.keys.sorted()
        let full = FactorModel(factors: before.model.factors, userFactors: names.flatMap { trainedUsers[$0] ?? [] }, itemFactors: [])
        let itemsFold = try #require(after.foldIn)
        let fold = ALSFoldIn(usersOf: full, alpha: itemsFold.alpha, regularization: itemsFold.regularization)
        let w = after.weights.cell(after.weights.weight(action: .purchase, rating: nil))
        let column = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.element, Int32($0.offset)) })
        let brandNew = fold.solve(buyers.compactMap { column[$0] }.sorted().map { ($0, w) })
        let stored = after.model.item(after.itemRow("BRANDNEW"))
        #expect(zip(brandNew, stored).allSatisfy { abs($0 - $1) < 1e-4 }, "\(brandNew) vs \(stored)")
        var recs: [Recommendation] = []
        try miner.recommend(method: .cf, users: ["newcomer"], top: 5, threads: 1) { recs.append($0) }
        #expect(recs.first?.items.count == 5)
        let recommended = Set(recs.first?.items ?? [])
        #expect(recommended.isDisjoint(with: items))
    }

    @Test func trainingWithoutInteractionsExplainsWhatToDo() async throws {
        let miner = try freshMiner()
        #expect(throws: InterestMinerError.self) { try miner.train(Self.options) }
    }
}

extension LoadedCFModel {
    func itemRow(_ external: String) -> Int { itemIDs.firstIndex(of: external) ?? -1 }
}
