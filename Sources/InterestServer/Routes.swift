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
        ("GET", "/v1/users/{id}/history"),
        ("GET", "/v1/users/{id}/interests"),
        ("GET", "/v1/users/{id}/recommendations"),
        ("POST", "/v1/rank"),
        ("DELETE", "/v1/users/{id}"),
        ("POST", "/v1/train"),
        ("GET", "/v1/train"),
    ] + ConsoleRoutes.all

    /// The routes a server with this configuration has (`all` without the console's when it is off).
    static func enabled(_ configuration: ServerConfiguration) -> [(method: String, path: String)] {
        configuration.console ? all : all.filter { !ConsoleRoutes.covers($0.path) }
    }

    /// The methods of the route at `path` as the router matches it (empty segments skipped; a
    /// `{…}` segment matches any one segment), `HEAD` with every `GET`; empty when no route has
    /// the path. The `Allow` header of a 405.
    static func methods(at path: String, in routes: [(method: String, path: String)] = all) -> [String] {
        let segments = path.split(separator: "/")
        var methods: [String] = []
        for route in routes {
            let template = route.path.split(separator: "/")
            guard template.count == segments.count, zip(template, segments).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }) else { continue }
            methods.append(route.method)
            if route.method == "GET" { methods.append("HEAD") }
        }
        return methods
    }

    /// What the router cannot say by itself, for every request: a path with an empty segment
    /// (`//`, e.g. an empty user id) is refused rather than matched without it; a path with
    /// routes but none for the method gets 405 with `Allow` (RFC 9110 §15.5.6) instead of 404.
    /// `matched`: whether a route answered the path and method.
    static func refuseUnroutable(_ request: Request, matched: Bool, routes: [(method: String, path: String)] = all) throws(APIError) {
        let path = request.uri.path
        if path.contains("//") {
            throw APIError(.badRequest, "invalid_path", "the path has an empty segment ('//'): an id in a path is 1–256 characters, percent-encoded")
        }
        guard !matched else { return }
        let methods = methods(at: path, in: routes)
        guard !methods.isEmpty else { return }
        let allowed = methods.joined(separator: ", ")
        var error = APIError(.methodNotAllowed, "method_not_allowed", "\(path) answers \(allowed), not \(request.method.rawValue)")
        error.headers = [.allow: allowed]
        throw error
    }

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
            if request.uri.queryParameters.get("strict") != nil {
                // Refused rather than ignored: a client that asked for all-or-nothing must not
                // get a partial write without noticing.
                throw APIError.badParameter("strict", "the service has no all-or-nothing mode: every event is checked on its own and "
                                            + "reported in `errors`; fix those and send them again (ingest is idempotent)")
            }
            let format = try EventBody.format(mediaType: Parameters.mediaType(request))
            let buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
            return try JSONBody.response(try await service.ingest(Array(buffer.readableBytesView), as: format))
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
        router.get("/v1/users/{id}/history") { request, context in
            let user = try Parameters.userID(context)
            let limit = try Parameters.int(request, "limit", default: 500, max: 10_000)
            // Read straight from the events (SQLite or PostgreSQL), no model needed.
            guard let events = try service.miner.history(ofUser: user) else { throw APIError.unknownUser(user) }
            return try JSONBody.response(HistoryAnswer(user: user, events: events, limit: limit))
        }
        router.get("/v1/users/{id}/recommendations") { request, context in
            let user = try Parameters.userID(context)
            // As a form sends it: `+` is a space (Hummingbird's own parameters keep it a plus).
            let form = FormQuery(request)
            if form.malformed.contains("query") { throw APIError.badParameter("query", "is not valid percent-encoded UTF-8") }
            let query = form["query"]
            if let query { try Parameters.checkQuery(query) }
            let k = try Parameters.int(request, "k", default: 10, max: configuration.maxResults)
            let answer = try service.recommendations(for: user, k: k, query: query)
            // Plain recommendations count towards the items' audiences (the item pages).
            if query == nil { service.recommendedTo.record(user: user, items: answer.items.map(\.item)) }
            return try JSONBody.response(answer)
        }
        router.post("/v1/rank") { request, _ in
            if let media = Parameters.mediaType(request), media != "application/json" {
                throw APIError(.unsupportedMediaType, "unsupported_media_type", "Content-Type \(media): the question is a JSON object, sent as application/json")
            }
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
    /// The `{id}` path segment, percent-decoded: valid UTF-8 and a usable id (`checkUserID`).
    static func userID(_ context: some RequestContext) throws(APIError) -> String {
        guard let raw = context.parameters.get("id"), let id = raw.removingPercentEncoding else {
            throw APIError(.badRequest, "invalid_user_id", "the user id is not valid percent-encoded UTF-8")
        }
        try checkUserID(id)
        return id
    }

    /// The rule ingest applies to ids: 1–256 characters, not blank, no control characters.
    static func checkUserID(_ id: String) throws(APIError) {
        if let reason = InterestMiner.identifierProblem(id) {
            throw APIError(.badRequest, "invalid_user_id", "the user id: \(reason) (a user id is 1–256 characters, not blank, without control characters)")
        }
    }

    /// Search text: 1–2000 characters (Unicode scalars).
    static let maxQueryCharacters = 2000

    static func checkQuery(_ query: String) throws(APIError) {
        guard (1...maxQueryCharacters).contains(query.unicodeScalars.count) else {
            throw APIError.badParameter("query", "must be 1–\(maxQueryCharacters) characters")
        }
    }

    /// The media type of the `Content-Type` header, lowercased and without its parameters
    /// (`charset`…); nil when there is none.
    static func mediaType(_ request: Request) -> String? {
        request.headers[.contentType].map {
            ($0.split(separator: ";", maxSplits: 1).first.map(String.init) ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        }
    }

    static func int(_ request: Request, _ name: String, default value: Int, max: Int) throws(APIError) -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let n = Int(text), (1...max).contains(n) else { throw APIError.badParameter(name, "must be an integer from 1 to \(max)") }
        return n
    }
}
