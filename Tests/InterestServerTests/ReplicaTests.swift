import CorpusGeneration
import Foundation
import Hummingbird
import HummingbirdTesting
import InterestMiner
import InterestServer
import Testing

/// A service replica on a shared PostgreSQL database, with a training worker as another process
/// (another miner over the same schema): the replica answers recommendations from the worker's
/// generation, picks up the worker's next generation without a restart, and its forget is seen
/// by the worker. Needs the server `.ci/run` starts (INTERESTS_TEST_POSTGRES); the schema is
/// left in that throw-away cluster.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["INTERESTS_TEST_POSTGRES"] != nil,
                "needs INTERESTS_TEST_POSTGRES=postgres://… (.ci/run sets it)"))
struct ReplicaTests {
    @Test func aReplicaServesTheGenerationsAWorkerTrains() async throws {
        let base = try #require(ProcessInfo.processInfo.environment["INTERESTS_TEST_POSTGRES"])
        let url = base + (base.contains("?") ? "&" : "?") + "schema=replica_" + UUID().uuidString.prefix(8).lowercased()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("im-replica-\(UUID().uuidString)")
        let corpus = try InterestMiner.generateCorpus(CorpusConfiguration(seed: 21, users: 40, items: 48), to: dir.path)
        let worker = try InterestMiner(databasePath: url)
        _ = try await worker.ingest([.file(corpus.eventsFile)])
        let first = try worker.train(serverTestTraining)
        // Every stage trains on PostgreSQL, the text models too.
        #expect(first.textSkipped == nil && first.vectors != nil && first.cf != nil && first.ranker != nil && first.sequence != nil)

        let replica = try InterestMiner(databasePath: url)
        try await testApp(replica).test(.router) { client in
            let before = try await client.send(.get, "/v1/users/u000001/recommendations")
            #expect(before.status == .ok, "\(before.text)")
            let beforeItems = (before.object["items"] as? [[String: Any]])?.compactMap { $0["item"] as? String }
            let kinds = ["cf", "ranker", "sequence", "tokenizer", "text-encoder", "profile", "next-terms"]
            let started = try await client.send(.get, "/healthz").object["models"] as? [String: Int]
            #expect(started.map { m in kinds.allSatisfy { m[$0] == 1 } } == true, "\(String(describing: started))")
            // The replica reads the worker's text models: the user's interest terms.
            let terms = try await client.send(.get, "/v1/users/u000001/interests")
            #expect(terms.status == .ok && (terms.object["terms"] as? [Any])?.isEmpty == false, "\(terms.text)")

            // The worker trains again (another seed): the replica moves to generation 2 by itself.
            var options = serverTestTraining
            options.cf?.als.seed = 99
            _ = try worker.train(options)
            var models: [String: Int]?
            for _ in 0..<100 {
                models = try await client.send(.get, "/healthz").object["models"] as? [String: Int]
                if models?["cf"] == 2 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(models.map { m in kinds.allSatisfy { m[$0] == 2 } } == true, "\(String(describing: models))")
            // The new generation loads in the background (the previous one answers meanwhile);
            // then the replica's lists are the worker's own.
            let expected = try #require(try worker.recommendation(forUser: "u000001", top: 10, method: .fused))
            #expect(beforeItems != expected.items, "the two generations rank alike: the switch would not show")
            var items: [String]?
            for _ in 0..<100 {
                let after = try await client.send(.get, "/v1/users/u000001/recommendations")
                #expect(after.status == .ok)
                items = (after.object["items"] as? [[String: Any]])?.compactMap { $0["item"] as? String }
                if items == expected.items { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(items == expected.items, "the replica never answered from the new generation")

            // A forget through the replica is seen by the worker.
            #expect(try await client.send(.delete, "/v1/users/u000002").status == .ok)
            #expect(try worker.history(ofUser: "u000002") == nil)
        }
    }
}
