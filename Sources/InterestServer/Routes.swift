import Foundation
import Hummingbird
import InterestMiner

/// The service's routes. `all` lists them (method and path template) for `docs/openapi.yaml`'s
/// test; each handler is a thin call into `InterestService`.
public enum Routes {
    public static let all: [(method: String, path: String)] = [
        ("GET", "/healthz"),
        ("GET", "/metrics"),
        ("POST", "/v1/events"),
        ("GET", "/v1/users/{id}/interests"),
        ("GET", "/v1/users/{id}/recommendations"),
        ("POST", "/v1/rank"),
        ("DELETE", "/v1/users/{id}"),
        ("POST", "/v1/train"),
        ("GET", "/v1/train"),
    ]

    static func register(on router: Router<BasicRequestContext>, service: InterestService) {
        let configuration = service.configuration
        router.get("/healthz") { _, _ in
            do {
                return try JSONBody.response(Health(status: "ok", models: try service.miner.modelVersions()))
            } catch {
                throw APIError(.serviceUnavailable, "unhealthy", "the database cannot be read: \(error)")
            }
        }
        router.get("/metrics") { _, _ in
            let text = service.metrics.render(modelVersions: (try? service.miner.modelVersions()) ?? [:])
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.post("/v1/events") { request, _ in
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > configuration.maxBodyBytes {
                throw APIError(.contentTooLarge, "body_too_large", "the body is \(length) bytes; the limit is \(configuration.maxBodyBytes)")
            }
            let buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
            let strict = try Parameters.flag(request, "strict")
            return try JSONBody.response(try await service.ingest(Array(buffer.readableBytesView), strict: strict))
        }
        router.get("/v1/users/{id}/interests") { request, context in
            let user = try Parameters.userID(context)
            let top = try Parameters.int(request, "top", default: 10, max: configuration.maxResults)
            let since = try request.uri.queryParameters.get("since").map { text throws(APIError) in
                do throws(InterestMinerError) { return try InterestMiner.parseTime(text) } catch { throw APIError.badParameter("since", error.description) }
            }
            // A user without events (never seen, or forgotten) gets the answer of one without
            // evidence: no terms, and a note saying why.
            return try JSONBody.response(try service.miner.terms(user: user, options: TermsOptions(top: top, since: since)))
        }
        router.get("/v1/users/{id}/recommendations") { request, context in
            let user = try Parameters.userID(context)
            let query = request.uri.queryParameters.get("query").map { String($0) }
            if let query, !(1...2000).contains(query.utf8.count) { throw APIError.badParameter("query", "must be 1–2000 bytes") }
            let k = try Parameters.int(request, "k", default: 10, max: configuration.maxResults)
            return try JSONBody.response(try service.recommendations(for: user, k: k, query: query))
        }
        router.post("/v1/rank") { request, _ in
            let buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let body: RankRequest
            do { body = try decoder.decode(RankRequest.self, from: Data(buffer.readableBytesView)) } catch {
                throw APIError(.badRequest, "invalid_body", "expected {\"user\": string, \"items\"?: [string], \"query\"?: string, \"k\"?: int, "
                               + "\"explain\"?: bool, \"include_seen\"?: bool}: \(JSONBody.describe(error))")
            }
            try body.validate(maxResults: configuration.maxResults)
            return try JSONBody.response(try service.rank(body))
        }
        router.delete("/v1/users/{id}") { _, context in
            let user = try Parameters.userID(context)
            guard let report = try await service.forget(user) else { throw APIError.unknownUser(user) }
            return try JSONBody.response(report)
        }
        router.post("/v1/train") { _, _ in
            guard let status = service.training.start() else {
                throw APIError(.conflict, "training_running", "a training run is going on; see GET /v1/train")
            }
            return try JSONBody.response(status, status: .accepted)
        }
        router.get("/v1/train") { _, _ in
            try JSONBody.response(service.training.current)
        }
    }

    struct Health: Codable {
        let status: String
        let models: [String: Int]
    }
}

/// Request parameters, validated: bad values are 400s that say what is accepted.
enum Parameters {
    /// The `{id}` path segment, percent-decoded: 1–256 bytes of valid UTF-8 without control characters.
    static func userID(_ context: some RequestContext) throws(APIError) -> String {
        guard let raw = context.parameters.get("id"), let id = raw.removingPercentEncoding else {
            throw APIError(.badRequest, "invalid_user_id", "the user id is not valid percent-encoded UTF-8")
        }
        try checkUserID(id)
        return id
    }

    static func checkUserID(_ id: String) throws(APIError) {
        guard (1...256).contains(id.utf8.count), !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw APIError(.badRequest, "invalid_user_id", "a user id is 1–256 bytes without control characters")
        }
    }

    static func int(_ request: Request, _ name: String, default value: Int, max: Int) throws(APIError) -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let n = Int(text), (1...max).contains(n) else { throw APIError.badParameter(name, "must be an integer from 1 to \(max)") }
        return n
    }

    static func flag(_ request: Request, _ name: String) throws(APIError) -> Bool {
        switch request.uri.queryParameters.get(name) {
        case nil, "false", "0": return false
        case "true", "1", "": return true
        default: throw APIError.badParameter(name, "must be true or false")
        }
    }
}
