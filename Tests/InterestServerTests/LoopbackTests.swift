import Foundation
import HummingbirdTesting
import InterestServer
import Testing

/// The one test over a real socket: the service bound to a loopback port.
@Suite struct LoopbackTests {
    @Test func servesOverLoopback() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        try await testApp(miner, token: "t0ken").test(.live) { client in
            #expect(client.port != nil)
            #expect(try await client.send(.get, "/healthz").status == .ok)
            let body = #"[{"type":"interaction","user":"live1","item":"LIVEITEM","action":"view","ts":1760000000}]"#
            #expect(try await client.send(.post, "/v1/events", body).status == .unauthorized)
            let r = try await client.send(.post, "/v1/events", body, token: "t0ken")
            #expect(r.status == .ok && r.object["inserted"] as? Int == 1)
            let refused = try await client.send(.get, "/v1/users/u000001/recommendations?k=3")
            #expect(refused.status == .unauthorized && refused.headers[.wwwAuthenticate] == "Bearer")
            let recs = try await client.send(.get, "/v1/users/u000001/recommendations?k=3", token: "t0ken")
            #expect(recs.status == .ok && (recs.object["items"] as? [Any])?.count == 3)
        }
    }
}
