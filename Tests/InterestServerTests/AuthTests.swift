import Foundation
import Hummingbird
import HummingbirdTesting
import InterestMiner
@testable import InterestServer
import Testing

/// Who may call what, for each configuration of tokens (`AccessPolicy`).
@Suite struct AuthTests {
    static let token = "s3cret-token-for-tests"
    static let readToken = "read-only-token-for-tests"
    static let body = #"[{"type":"query","user":"auth1","text":"hiking boots","ts":1760000000}]"#

    /// Reads of every kind: the per-user routes, ranking (a POST that reads), training status,
    /// and a path no route has (a token-protected server does not tell which routes exist).
    static let reads: [(HTTPRequest.Method, String, String?)] = [
        (.get, "/v1/users/u000001/recommendations", nil), (.get, "/v1/users/u000001/recommendations?query=tent", nil),
        (.get, "/v1/users/u000001/interests", nil), (.post, "/v1/rank", #"{"user":"u000001","k":3,"explain":true}"#),
        (.get, "/v1/train", nil),
    ]

    /// The statuses of the reads, in order.
    static func readStatuses(_ client: some TestClientProtocol, token: String?) async throws -> [Int] {
        var statuses: [Int] = []
        for (method, uri, body) in reads { statuses.append(try await client.send(method, uri, body, token: token).status.code) }
        return statuses
    }

    /// /healthz and /metrics answer without a token whatever the configuration.
    static func openRoutesAnswer(_ client: some TestClientProtocol) async throws {
        #expect(try await client.send(.get, "/healthz").status == .ok)
        #expect(try await client.send(.get, "/metrics").status == .ok)
    }

    @Test func withoutATokenEverythingIsOpen() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        try await testApp(miner).test(.router) { client in
            #expect(try await Self.readStatuses(client, token: nil) == [200, 200, 200, 200, 200])
            #expect(try await client.send(.post, "/v1/events", Self.body).status == .ok)
            #expect(try await client.send(.delete, "/v1/users/u000001").status == .ok)
            try await Self.openRoutesAnswer(client)
        }
    }

    @Test func aTokenProtectsReadsAndWrites() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let before = try eventCounts(miner)
        try await testApp(miner, token: Self.token).test(.router) { client in
            for token in [nil, "wrong", Self.token + "x", String(Self.token.dropLast()), ""] as [String?] {
                #expect(try await Self.readStatuses(client, token: token) == [401, 401, 401, 401, 401], "token \(token ?? "none")")
                let read = try await client.send(.get, "/v1/users/u000001/interests", token: token)
                #expect(read.object["error"] as? String == "unauthorized")
                #expect((read.object["detail"] as? String)?.contains("read or write token") == true)
                let r = try await client.send(.post, "/v1/events", Self.body, token: token)
                #expect(r.status == .unauthorized && r.object["error"] as? String == "unauthorized")
                #expect(try await client.send(.delete, "/v1/users/u000001", token: token).status == .unauthorized)
                #expect(try await client.send(.post, "/v1/train", token: token).status == .unauthorized)
                #expect(try await client.send(.get, "/v1/no-such-route", token: token).status == .unauthorized)
                // RFC 6750: a bare challenge without credentials, invalid_token with wrong ones.
                let challenge = token?.isEmpty == false ? #"Bearer error="invalid_token""# : "Bearer"
                #expect(read.headers[.wwwAuthenticate] == challenge && r.headers[.wwwAuthenticate] == challenge, "token \(token ?? "none")")
            }
            // Another scheme carries no bearer token.
            let basic = try await client.execute(uri: "/v1/users/u000001/interests", method: .get, headers: [.authorization: "Basic \(Self.token)"])
            #expect(basic.status == .unauthorized && basic.headers[.wwwAuthenticate] == "Bearer")
            #expect(try eventCounts(miner) == before, "nothing written without the token")
            #expect(try miner.knowsUser("u000001"), "nothing deleted without the token")
            try await Self.openRoutesAnswer(client)
            #expect(try await Self.readStatuses(client, token: Self.token) == [200, 200, 200, 200, 200])
            #expect(try await client.send(.get, "/v1/no-such-route", token: Self.token).status == .notFound)
            let ok = try await client.send(.post, "/v1/events", Self.body, token: Self.token)
            #expect(ok.status == .ok && ok.object["inserted"] as? Int == 1)
            // The scheme is case-insensitive, the token is not.
            let lower = try await client.execute(uri: "/v1/users/u000001", method: .delete, headers: [.authorization: "bearer \(Self.token)"])
            #expect(lower.status == .ok)
            let upper = try await client.execute(uri: "/v1/users/u000002", method: .delete, headers: [.authorization: "Bearer \(Self.token.uppercased())"])
            #expect(upper.status == .unauthorized)
        }
    }

    @Test func publicReadsLeaveWritesProtected() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let before = try eventCounts(miner)
        let app = buildApplication(miner: miner, configuration: ServerConfiguration(port: 0, token: Self.token, publicReads: true,
                                                                                    training: serverTestTraining))
        try await app.test(.router) { client in
            #expect(try await Self.readStatuses(client, token: nil) == [200, 200, 200, 200, 200])
            #expect(try await Self.readStatuses(client, token: "wrong") == [200, 200, 200, 200, 200], "a read ignores a token it does not need")
            for token in [nil, "wrong"] as [String?] {
                #expect(try await client.send(.post, "/v1/events", Self.body, token: token).status == .unauthorized)
                #expect(try await client.send(.delete, "/v1/users/u000001", token: token).status == .unauthorized)
                #expect(try await client.send(.post, "/v1/train", token: token).status == .unauthorized)
            }
            #expect(try eventCounts(miner) == before)
            try await Self.openRoutesAnswer(client)
            #expect(try await client.send(.post, "/v1/events", Self.body, token: Self.token).status == .ok)
        }
    }

    @Test func aReadTokenReadsButNeverWrites() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let before = try eventCounts(miner)
        let app = buildApplication(miner: miner, configuration: ServerConfiguration(port: 0, token: Self.token, readToken: Self.readToken,
                                                                                    training: serverTestTraining))
        try await app.test(.router) { client in
            #expect(try await Self.readStatuses(client, token: Self.readToken) == [200, 200, 200, 200, 200])
            #expect(try await Self.readStatuses(client, token: Self.token) == [200, 200, 200, 200, 200], "the write token reads too")
            #expect(try await Self.readStatuses(client, token: nil) == [401, 401, 401, 401, 401])
            #expect(try await Self.readStatuses(client, token: Self.readToken + "x") == [401, 401, 401, 401, 401])
            for (method, uri, body) in [(HTTPRequest.Method.post, "/v1/events", Self.body), (.delete, "/v1/users/u000001", nil), (.post, "/v1/train", nil)] {
                let r = try await client.send(method, uri, body, token: Self.readToken)
                #expect(r.status == .forbidden, "\(method) \(uri)")
                #expect(r.object["error"] as? String == "forbidden")
                #expect((r.object["detail"] as? String)?.contains("reads only") == true)
                #expect(r.headers[.wwwAuthenticate] == #"Bearer error="insufficient_scope""#)
                #expect(try await client.send(method, uri, body).status == .unauthorized)
            }
            #expect(try eventCounts(miner) == before, "nothing written with the read token")
            #expect(try miner.knowsUser("u000001"))
            #expect(try await client.send(.get, "/v1/train", token: Self.readToken).object["state"] as? String == "idle", "no training started")
            try await Self.openRoutesAnswer(client)
            #expect(try await client.send(.post, "/v1/events", Self.body, token: Self.token).status == .ok)
            #expect(try await client.send(.delete, "/v1/users/u000001", token: Self.token).status == .ok)
        }
    }

    /// A configuration `interests serve` refuses (a read token without a write token), built
    /// anyway, fails closed: reads with the read token, writes never.
    @Test func aReadTokenAloneRefusesEveryWrite() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let before = try eventCounts(miner)
        let configuration = ServerConfiguration(port: 0, readToken: Self.readToken, training: serverTestTraining)
        #expect(configuration.accessProblem?.contains("needs a write token") == true)
        let app = buildApplication(miner: miner, configuration: configuration)
        try await app.test(.router) { client in
            let reads = try await Self.readStatuses(client, token: Self.readToken)
            #expect(reads == [200, 200, 200, 200, 200])
            #expect(try await Self.readStatuses(client, token: nil) == [401, 401, 401, 401, 401])
            #expect(try await client.send(.post, "/v1/events", Self.body).status == .unauthorized)
            #expect(try await client.send(.post, "/v1/events", Self.body, token: Self.readToken).status == .forbidden)
        }
        #expect(try eventCounts(miner) == before)
    }

    @Test func refusedConfigurations() {
        func problem(_ token: String?, _ read: String?, _ publicReads: Bool) -> String? {
            ServerConfiguration(token: token, readToken: read, publicReads: publicReads).accessProblem
        }
        #expect(problem(nil, nil, false) == nil)
        #expect(problem("w", nil, false) == nil)
        #expect(problem("w", nil, true) == nil)
        #expect(problem("w", "r", false) == nil)
        #expect(problem(nil, "r", false)?.contains("needs a write token") == true)
        #expect(problem("same", "same", false)?.contains("must differ") == true)
        #expect(problem("w", "r", true)?.contains("contradict") == true)
        #expect(problem(nil, nil, true)?.contains("--public-reads needs a token") == true)
        #expect(problem("", nil, false) != nil && problem("w", "", false) != nil)
    }

    @Test func tokenComparison() {
        let secret = Array("abc123".utf8)
        #expect(AccessPolicy.constantTimeEquals(secret, secret))
        for guess in ["", "abc12", "abc1234", "abc124", "ABC123", "xbc123"] {
            #expect(!AccessPolicy.constantTimeEquals(Array(guess.utf8), secret), "\(guess)")
        }
        #expect(AccessPolicy.bearer("Bearer abc") == Array("abc".utf8) && AccessPolicy.bearer("BEARER abc") == Array("abc".utf8))
        #expect(AccessPolicy.bearer("Bearer ") == nil && AccessPolicy.bearer("Basic abc") == nil && AccessPolicy.bearer(nil) == nil)
    }
}
