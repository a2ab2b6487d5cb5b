import Foundation
import Hummingbird
import HummingbirdTesting
import InterestMiner
import InterestServer
import Testing

/// Every per-user read answers a user without events — never seen, or forgotten — with the
/// answer of a new user (200, the cold start), never 404: the same answer for both, in the same
/// shape as a known user's.
@Suite struct UnknownUserTests {
    static let routes: [(method: HTTPRequest.Method, uri: String, body: String?)] = [
        (.get, "/v1/users/{id}/interests?top=5", nil),
        (.get, "/v1/users/{id}/interests?since=2025-01-01", nil),
        (.get, "/v1/users/{id}/recommendations?k=6", nil),
        (.get, "/v1/users/{id}/recommendations?k=4&query=tent", nil),
        (.post, "/v1/rank", #"{"user":"{id}","k":5}"#),
        (.post, "/v1/rank", #"{"user":"{id}","k":5,"explain":true,"query":"warm sleeping bag"}"#),
    ]

    /// The answer as JSON with the user's id replaced by a placeholder wherever it appears.
    static func answer(_ client: some TestClientProtocol, _ route: (method: HTTPRequest.Method, uri: String, body: String?), user: String) async throws -> (Int, String, Set<String>) {
        let r = try await client.send(route.method, route.uri.replacingOccurrences(of: "{id}", with: user),
                                      route.body?.replacingOccurrences(of: "{id}", with: user))
        return (r.status.code, r.text.replacingOccurrences(of: user, with: "{id}"), Set(r.object.keys))
    }

    @Test func unknownAndForgottenUsersGetTheColdStartAnswer() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        #expect(try miner.forget(user: "u000006") != nil)
        try await testApp(miner).test(.router) { client in
            for route in Self.routes {
                let (status, unknown, keys) = try await Self.answer(client, route, user: "nobody-at-all")
                #expect(status == 200, "\(route.uri): \(unknown)")
                let (forgottenStatus, forgotten, _) = try await Self.answer(client, route, user: "u000006")
                #expect(forgottenStatus == 200 && forgotten == unknown, "\(route.uri): the same answer for a forgotten user")
                let (knownStatus, _, knownKeys) = try await Self.answer(client, route, user: "u000001")
                #expect(knownStatus == 200 && keys.isSubset(of: knownKeys.union(["note"])), "\(route.uri): the shape of a known user's answer")
            }
            // What the cold start is: no terms and a note; the fused ranker's new-user ranking.
            let interests = try await client.send(.get, "/v1/users/nobody-at-all/interests").object
            #expect((interests["terms"] as? [Any])?.isEmpty == true && (interests["interests"] as? [Any])?.isEmpty == true)
            #expect(interests["events"] as? Int == 0 && (interests["note"] as? String)?.contains("no evidence") == true)
            let recommendations = try await client.send(.get, "/v1/users/nobody-at-all/recommendations?k=6").object
            #expect((recommendations["items"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String }
                    == (try miner.rank(user: "nobody-at-all", top: 6).items.map(\.item)))
            let rank = try await client.send(.post, "/v1/rank", #"{"user":"nobody-at-all","explain":true}"#).object
            #expect(rank["segment"] as? String == "cold" && (rank["items"] as? [Any])?.count == 10)
        }
    }
}
