import Foundation
import HummingbirdTesting
import InterestMiner
@testable import InterestServer
import Testing

@Suite struct AuthTests {
    static let token = "s3cret-token-for-tests"
    static let body = #"[{"type":"query","user":"auth1","text":"hiking boots","ts":1760000000}]"#

    @Test func writesNeedTheTokenReadsDoNot() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let before = try eventCounts(miner)
        try await testApp(miner, token: Self.token).test(.router) { client in
            for token in [nil, "wrong", Self.token + "x", String(Self.token.dropLast()), ""] as [String?] {
                let r = try await client.send(.post, "/v1/events", Self.body, token: token)
                #expect(r.status == .unauthorized, "token \(token ?? "none")")
                #expect(r.object["error"] as? String == "unauthorized")
                #expect(r.headers[.wwwAuthenticate] == "Bearer")
                #expect(try await client.send(.delete, "/v1/users/u000001", token: token).status == .unauthorized)
                #expect(try await client.send(.post, "/v1/train", token: token).status == .unauthorized)
            }
            #expect(try eventCounts(miner) == before, "nothing written without the token")
            #expect(try miner.knowsUser("u000001"), "nothing deleted without the token")
            #expect(try await client.send(.get, "/v1/users/u000001/recommendations").status == .ok)
            #expect(try await client.send(.get, "/healthz").status == .ok)
            #expect(try await client.send(.post, "/v1/rank", #"{"user":"u000001","k":3}"#).status == .ok, "ranking is a read")
            let ok = try await client.send(.post, "/v1/events", Self.body, token: Self.token)
            #expect(ok.status == .ok && ok.object["inserted"] as? Int == 1)
            // The scheme is case-insensitive, the token is not.
            let lower = try await client.execute(uri: "/v1/users/u000001", method: .delete, headers: [.authorization: "bearer \(Self.token)"])
            #expect(lower.status == .ok)
        }
    }

    @Test func tokenComparison() {
        let secret = Array("abc123".utf8)
        #expect(ServiceMiddleware<BasicRequestContextAlias>.constantTimeEquals(secret, secret))
        for guess in ["", "abc12", "abc1234", "abc124", "ABC123", "xbc123"] {
            #expect(!ServiceMiddleware<BasicRequestContextAlias>.constantTimeEquals(Array(guess.utf8), secret), "\(guess)")
        }
    }
}

import Hummingbird
typealias BasicRequestContextAlias = BasicRequestContext
