import Foundation
import Hummingbird
import HummingbirdTesting
import InterestServer
import Testing

/// docs/openapi.yaml describes exactly the routes the service has, and each one answers.
@Suite struct OpenAPITests {
    static func specRoutes() throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        var routes: [String] = []
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if !line.isEmpty && !line.hasPrefix(" ") { break }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("  /") && !line.hasPrefix("   ") && trimmed.hasSuffix(":") {
                path = String(trimmed.dropLast())
            } else if line.hasPrefix("    ") && !line.hasPrefix("     "), let path,
                      let method = ["get:", "post:", "delete:", "put:", "patch:"].first(where: { trimmed == $0 }) {
                routes.append("\(method.dropLast().uppercased()) \(path)")
            }
        }
        return routes
    }

    @Test func specListsExactlyTheRoutes() throws {
        let spec = try Self.specRoutes()
        #expect(!spec.isEmpty)
        #expect(Set(spec) == Set(Routes.all.map { "\($0.method) \($0.path)" }))
        #expect(spec.count == Set(spec).count)
    }

    @Test func everyRouteInTheSpecAnswers() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        try await testApp(miner).test(.router) { client in
            for route in try Self.specRoutes() {
                let parts = route.split(separator: " ")
                let method = HTTPRequest.Method(String(parts[0]))!
                let uri = parts[1].replacingOccurrences(of: "{id}", with: "u000001")
                let bodies = ["/v1/events": #"[{"type":"query","user":"oa","text":"tent","ts":1760000000}]"#, "/v1/rank": #"{"user":"u000001"}"#]
                let body = method == .post ? bodies[uri] : nil
                let r = try await client.send(method, uri, body)
                #expect(r.object["error"] as? String != "not_found", "\(route) exists")
                #expect(r.status.code < 500, "\(route): \(r.status)")
                if uri == "/v1/rank" { #expect(r.status == .ok) }
                if method == .post && uri == "/v1/train" {
                    for _ in 0..<1000 where try await client.send(.get, "/v1/train").object["state"] as? String == "running" {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
            }
        }
    }
}
