import Foundation
import Hummingbird
import InterestCore

/// Wraps every route (and the not-found answer): checks the bearer token (`AccessPolicy`),
/// refuses paths with empty segments and answers a known path's wrong method with 405
/// (`Routes.refuseUnroutable`), turns every error into a JSON `{"error","detail"}` answer, and
/// records the request in the metrics. A console page's error (a `GET` or `HEAD` under
/// `/console` while the console is on) is an HTML page with the same status, code and headers.
/// It logs nothing about bodies: review text never reaches a log.
struct ServiceMiddleware<Context: RequestContext>: RouterMiddleware {
    let access: AccessPolicy
    let metrics: ServerMetrics
    /// The routes this server has (`Routes.enabled`), for its 405 answers.
    let routes: [(method: String, path: String)]
    /// Whether the console is on: its pages' errors are then HTML.
    let console: Bool

    init(access: AccessPolicy, metrics: ServerMetrics, routes: [(method: String, path: String)] = Routes.all, console: Bool = true) {
        self.access = access
        self.metrics = metrics
        self.routes = routes
        self.console = console
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        metrics.begin()
        var response: Response
        do {
            try access.authorize(AccessPolicy.level(of: request, route: context.endpointPath), header: request.headers[.authorization])
            try Routes.refuseUnroutable(request, matched: context.endpointPath != nil, routes: routes)
            response = try await next(request, context)
        } catch {
            let apiError = APIError.from(any: error)
            if console && (request.method == .get || request.method == .head) && ConsoleRoutes.covers(request.uri.path) {
                response = ConsoleRoutes.errorPage(apiError)
            } else {
                response = (try? apiError.response(from: request, context: context)) ?? Response(status: apiError.status)
            }
        }
        let elapsed = ContinuousClock.now - start
        let seconds = elapsed.seconds
        metrics.record(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code, seconds: seconds)
        return response
    }
}

/// Who may call what. `/healthz` and `/metrics` are open (load balancers and scrapers; neither
/// holds a user id or any text). Every other route is a read (`GET`, `HEAD`, `OPTIONS`, and
/// `POST /v1/rank`, which takes its question as a body) or a write (every other method). With
/// no token configured everything is open; with a write token every read and write needs it —
/// a read may present the read token instead, and with `publicReads` reads need nothing.
/// Missing or wrong token: 401 with `WWW-Authenticate: Bearer` (RFC 6750: `error="invalid_token"`
/// when one was given); the read token on a write: 403 (`error="insufficient_scope"`).
/// A read token without a write token (refused by `interests serve`, see
/// `ServerConfiguration.accessProblem`) leaves writes refused, never open.
struct AccessPolicy: Sendable {
    enum Level: Sendable { case open, read, write }

    let writeToken: [UInt8]?
    let readToken: [UInt8]?
    let publicReads: Bool

    init(_ configuration: ServerConfiguration) {
        writeToken = configuration.token.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        readToken = configuration.readToken.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        publicReads = configuration.publicReads
    }

    static let openPaths: Set<String> = ["/healthz", "/metrics"]

    /// `route`: the matched route template (nil when no route matched: the request's path).
    static func level(of request: Request, route: String?) -> Level {
        let path = route ?? request.uri.path
        if openPaths.contains(path) { return .open }
        switch request.method {
        case .get, .head, .options: return .read
        case .post where path == "/v1/rank": return .read
        default: return .write
        }
    }

    func authorize(_ level: Level, header: String?) throws(APIError) {
        guard level != .open, writeToken != nil || readToken != nil else { return }
        if level == .read && publicReads { return }
        let given = Self.bearer(header)
        // Both secrets are compared every time, each in time that depends only on its length.
        let isWrite = writeToken.map { Self.constantTimeEquals(given ?? [], $0) } ?? false
        let isRead = readToken.map { Self.constantTimeEquals(given ?? [], $0) } ?? false
        if isWrite || (isRead && level == .read) { return }
        if isRead {
            var error = APIError(.forbidden, "forbidden", "the read token grants reads only; this write needs the write token ('Authorization: Bearer <token>')")
            error.headers = [.wwwAuthenticate: #"Bearer error="insufficient_scope""#]
            throw error
        }
        let needed = level == .read ? "the server's read or write token" : "the server's write token"
        var error = APIError(.unauthorized, "unauthorized",
                             (given == nil ? "no token was given" : "the token is not valid")
                             + "; this \(level == .read ? "read" : "write") needs the header 'Authorization: Bearer <token>' with \(needed)")
        error.headers = [.wwwAuthenticate: given == nil ? "Bearer" : #"Bearer error="invalid_token""#]
        throw error
    }

    /// The credentials of `Authorization: Bearer <token>` (the scheme case-insensitive), or nil.
    static func bearer(_ header: String?) -> [UInt8]? {
        guard let header, header.utf8.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return Array(header.utf8.dropFirst(7))
    }

    /// Compares a presented token with the secret in time that depends only on the secret's
    /// length: every byte of the secret is compared, whatever and however long the guess.
    static func constantTimeEquals(_ given: [UInt8], _ secret: [UInt8]) -> Bool {
        var difference: UInt8 = given.count == secret.count ? 0 : 1
        for k in 0..<secret.count {
            difference |= secret[k] ^ (k < given.count ? given[k] : 0)
        }
        return difference == 0
    }
}
