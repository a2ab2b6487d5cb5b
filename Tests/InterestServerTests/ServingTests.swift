import Foundation
import InterestMiner
import Testing

/// The per-user recommendations the service answers equal the batch API's one pass over every
/// user, for each method, for trained users, users with events since training (folded in) and
/// users without vectors; so does the batch API given a few users (it then reads each by index).
@Suite struct ServingTests {
    @Test(arguments: [RecommendationMethod.cf, .text, .fused, .popularity])
    func perUserEqualsBatch(method: RecommendationMethod) async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let lines = [
            #"{"type":"interaction","user":"u000005","item":"ITEMX","action":"purchase","ts":1800000000}"#,
            #"{"type":"query","user":"newbie","text":"fly rod","ts":1800000001}"#,
            #"{"type":"interaction","user":"clicker","item":"ITEMX","action":"click","ts":1800000002}"#,
        ]
        _ = try await miner.ingest([.bytes(name: "n.jsonl", Array(lines.joined(separator: "\n").utf8))])
        let users = ["u000001", "u000002", "u000005", "u000017", "newbie", "clicker"]
        var batch: [Recommendation] = []
        try miner.recommend(method: method, users: nil, top: 10, threads: 1) { if users.contains($0.user) { batch.append($0) } }
        #expect(batch.map(\.user).sorted() == users.sorted())
        var few: [Recommendation] = []
        try miner.recommend(method: method, users: users, top: 10, threads: 2) { few.append($0) }
        #expect(few.map(\.user) == users)
        for expected in batch {
            let listed = try #require(few.first { $0.user == expected.user })
            #expect(listed.items == expected.items, "\(method) \(expected.user), a few users")
            let single = try #require(try miner.recommendation(forUser: expected.user, top: 10, method: method))
            #expect(single.items == expected.items, "\(method) \(expected.user)")
            #expect(zip(single.scores, expected.scores).allSatisfy { abs($0 - $1) < 1e-4 })
        }
        #expect(try miner.recommendation(forUser: "nobody", top: 10, method: method) == nil)
    }
}
