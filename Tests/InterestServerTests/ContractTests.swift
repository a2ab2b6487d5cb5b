import Foundation
import Hummingbird
import HummingbirdTesting
import InterestMiner
@testable import InterestServer
import Testing

/// docs/openapi.yaml and the service agree, for each kind of mismatch schemathesis found on the
/// old spec (Benchmarks/server/schemathesis.sh runs schemathesis itself): wrong methods, empty and
/// control-character ids, empty query parameters, empty event arrays, time bounds.
@Suite struct ContractTests {
    /// Every method a route does not have, on every path: 405 with `Allow` naming the ones it
    /// has (and HEAD beside GET), never 404.
    @Test func wrongMethodsGet405WithAllow() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .options, .trace, .head, HTTPRequest.Method("QUERY")!]
        let byPath = Dictionary(Routes.all.map { ($0.path, Set([$0.method])) }, uniquingKeysWith: { $0.union($1) })
        try await testApp(miner).test(.router) { client in
            for (template, declared) in byPath {
                let path = template.replacingOccurrences(of: "{id}", with: "nobody")
                let allowed = declared.union(declared.contains("GET") ? ["HEAD"] : [])
                for method in methods where !allowed.contains(method.rawValue) {
                    let r = try await client.send(method, path)
                    #expect(r.status == .methodNotAllowed, "\(method) \(path): \(r.status)")
                    let allow = Set((r.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                    #expect(allow == allowed, "\(method) \(path): Allow \(r.headers[.allow] ?? "none")")
                    if method != .head { #expect(r.object["error"] as? String == "method_not_allowed", "\(method) \(path)") }
                }
            }
            // HEAD answers a GET route with its headers and no body.
            let head = try await client.send(.head, "/healthz")
            #expect(head.status == .ok && head.body.readableBytes == 0)
            // A path no route has stays 404.
            #expect(try await client.send(.put, "/v1/nothing").status == .notFound)
            #expect(try await client.send(.get, "/v1/users/a/b/c/d").status == .notFound)
        }
    }

    /// A path with an empty segment is refused, not matched without it: `DELETE
    /// /v1/users//interests` must not forget a user named "interests".
    @Test func emptyPathSegmentsAre400() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        _ = try await miner.ingest([.bytes(name: "i", Array(#"{"type":"query","user":"interests","text":"tent","ts":1760000000}"#.utf8))])
        try await testApp(miner).test(.router) { client in
            for (method, path) in [(HTTPRequest.Method.get, "/v1/users//interests"), (.get, "/v1/users//recommendations"), (.delete, "/v1/users//interests"),
                                   (.delete, "/v1/users//"), (.get, "//healthz")] {
                let r = try await client.send(method, path)
                #expect(r.status == .badRequest && r.object["error"] as? String == "invalid_path", "\(method) \(path): \(r.status)")
            }
        }
        #expect(try miner.knowsUser("interests"))
    }

    /// The id rule (docs/openapi.yaml `Identifier`, the same as ingest's): 1–256 characters, not
    /// only whitespace, no control characters (C0, DEL, C1).
    @Test func userIDsFollowTheIdentifierRule() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let valid = ["u", "é", String(repeating: "é", count: 256), String(repeating: "x", count: 256), "a b", "a/b", "%", "中文", "😀", " x ", "-1"]
        let invalid = ["", " ", "\u{3000}", "\u{00A0}\u{2028}", "a\u{0}b", "a\u{1F}", "a\u{7F}", "a\u{85}b", "a\u{9F}", "\t", String(repeating: "x", count: 257)]
        try await testApp(miner).test(.router) { client in
            for id in valid {
                let encoded = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                for route in ["interests", "recommendations"] {
                    let r = try await client.send(.get, "/v1/users/\(encoded)/\(route)")
                    #expect(r.status == .ok && r.object["user"] as? String == id, "\(route) of \(id.debugDescription): \(r.status)")
                }
                #expect(try await client.send(.post, "/v1/rank", try Self.json(["user": id, "k": 2])).status == .ok, "rank of \(id.debugDescription)")
            }
            for id in invalid where !id.isEmpty {
                let encoded = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let r = try await client.send(.get, "/v1/users/\(encoded)/interests")
                #expect(r.status == .badRequest && r.object["error"] as? String == "invalid_user_id", "\(id.debugDescription): \(r.status)")
                #expect(try await client.send(.delete, "/v1/users/\(encoded)").status == .badRequest, "delete \(id.debugDescription)")
            }
            for id in invalid {
                #expect(try await client.send(.post, "/v1/rank", try Self.json(["user": id])).status == .badRequest, "rank of \(id.debugDescription)")
                #expect(try await client.send(.post, "/v1/rank", try Self.json(["user": "u000001", "items": [id]])).status == .badRequest,
                        "item \(id.debugDescription)")
            }
        }
        // The spec's pattern says the same as the rule, for every one of these.
        let pattern = try Self.identifierPattern()
        for id in valid + invalid {
            let matches = pattern.firstMatch(in: id, range: NSRange(id.startIndex..., in: id)) != nil
            let specValid = matches && (1...256).contains(id.unicodeScalars.count)
            #expect(specValid == (InterestMiner.identifierProblem(id) == nil), "\(id.debugDescription)")
        }
    }

    /// Empty query parameters are values the spec forbids, and the service refuses them.
    @Test func emptyAndBadQueryParameters() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        try await testApp(miner).test(.router) { client in
            for query in ["interests?since=", "interests?top=", "recommendations?query=", "recommendations?k=", "recommendations?k=1.0",
                          "recommendations?query=\(String(repeating: "a", count: 2001))"] {
                let r = try await client.send(.get, "/v1/users/u000001/\(query)")
                #expect(r.status == .badRequest && r.object["error"] as? String == "invalid_parameter", "\(query.prefix(40)): \(r.status)")
            }
            // 2000 characters of several bytes each are within the limit.
            #expect(try await client.send(.get, "/v1/users/u000001/recommendations?query=\(String(repeating: "%C3%A9", count: 2000))").status == .ok)
        }
    }

    /// `since`: Unix seconds, or an RFC 3339 date or date-time, any year; nothing looser.
    @Test func sinceTakesExactlyTheSpecsGrammar() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let valid = ["0", "-5", "1760000000", "2025-06-01", "0001-01-01", "2025-06-01T12:00:00Z", "2025-06-01t12:00:00.123456z",
                     "2025-06-01T12:00:00+02:00", "2024-02-29T23:59:60-23:59"]
        let invalid = ["2025-06-01T12:00", "2025-06-01T12:00:00", "2025-06-01 12:00:00Z", "2025-02-30", "2025-13-01", "1e5", "1.5",
                       "%202025-06-01", "2025-06-01T24:00:00Z", "2025-06-01T12:00:00+0200", "1234567890123456789", "yesterday"]
        try await testApp(miner).test(.router) { client in
            for since in valid {
                let r = try await client.send(.get, "/v1/users/u000001/interests?since=\(since.replacingOccurrences(of: "+", with: "%2B"))")
                #expect(r.status == .ok, "\(since): \(r.text)")
            }
            for since in invalid {
                let r = try await client.send(.get, "/v1/users/u000001/interests?since=\(since.replacingOccurrences(of: "+", with: "%2B"))")
                #expect(r.status == .badRequest && r.object["error"] as? String == "invalid_parameter", "\(since): \(r.status)")
            }
            // A bound counts: nothing of the user's is from 2099 on.
            let late = try await client.send(.get, "/v1/users/u000001/interests?since=2099-01-01")
            #expect(late.object["events"] as? Int == 0)
        }
    }

    /// An event batch is a non-empty array of objects (or JSON Lines); anything else is 400.
    @Test func emptyEventArraysAndNonObjectsAre400() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let before = try eventCounts(miner)
        try await testApp(miner).test(.router) { client in
            for body in ["[]", " [ ] ", "[1]", "[\"event\"]", "[null]", "[[]]", #"[{"type":"query","user":"x","text":"a","ts":1760000000}, true]"#] {
                let r = try await client.send(.post, "/v1/events", body)
                #expect(r.status == .badRequest, "\(body): \(r.status)")
            }
        }
        #expect(try eventCounts(miner) == before)
    }

    /// The media type says what the body is: application/json an array, application/x-ndjson
    /// JSON Lines; none, either; any other 415.
    @Test func contentTypesSayWhatTheBodyIs() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let line = #"{"type":"query","user":"ct","text":"tent","ts":1760000000}"#
        try await testApp(miner).test(.router) { client in
            func post(_ uri: String, _ body: String, _ contentType: String?) async throws -> TestResponse {
                var headers: HTTPFields = [:]
                if let contentType { headers[.contentType] = contentType }
                return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
            }
            #expect(try await post("/v1/events", "[\(line)]", "application/json; charset=utf-8").object["read"] as? Int == 1)
            #expect(try await post("/v1/events", line + "\n" + line, "application/x-ndjson").object["read"] as? Int == 2)
            #expect(try await post("/v1/events", line, nil).object["read"] as? Int == 1)
            #expect(try await post("/v1/events", "[\(line)]", nil).object["read"] as? Int == 1)
            // An object where the array belongs: not a batch.
            let object = try await post("/v1/events", line, "application/json")
            #expect(object.status == .badRequest && object.object["error"] as? String == "invalid_body")
            for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"] {
                let events = try await post("/v1/events", "[\(line)]", type)
                #expect(events.status == .unsupportedMediaType && events.object["error"] as? String == "unsupported_media_type", "\(type)")
                #expect(try await post("/v1/rank", #"{"user":"u000001"}"#, type).status == .unsupportedMediaType, "rank \(type)")
            }
            #expect(try await post("/v1/rank", #"{"user":"u000001"}"#, "application/json").status == .ok)
            #expect(try await post("/v1/rank", #"{"user":"u000001"}"#, nil).status == .ok)
        }
    }

    /// A search query with no word the text model knows is answered, ranked without it, and says so.
    @Test func queriesWithoutKnownWordsRankWithoutThem() async throws {
        let miner = try await TrainedTemplate.shared.copy()
        let plain = try miner.rank(user: "u000001", top: 5).items.map(\.item)
        try await testApp(miner).test(.router) { client in
            let recommendations = try await client.send(.get, "/v1/users/u000001/recommendations?k=5&query=%C2%A7%C2%A7%C2%A7%20%C2%B6%C2%B6")
            #expect(recommendations.status == .ok && (recommendations.object["note"] as? String)?.contains("ranked without it") == true)
            #expect((recommendations.object["items"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String } == plain)
            let rank = try await client.send(.post, "/v1/rank", #"{"user":"u000001","k":5,"query":"§§§ ¶¶"}"#)
            #expect(rank.status == .ok && (rank.object["note"] as? String)?.contains("ranked without it") == true)
            #expect((rank.object["items"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String } == plain)
        }
    }

    static func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// `components.schemas.Identifier.pattern` of docs/openapi.yaml.
    static func identifierPattern() throws -> NSRegularExpression {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex(of: "    Identifier:"))
        let line = try #require(lines[start...].first { $0.hasPrefix("      pattern: '") })
        let pattern = String(line.dropFirst("      pattern: '".count).dropLast())
        return try NSRegularExpression(pattern: pattern)
    }
}
