import Foundation
import Hummingbird

/// Wraps every route (and the not-found answer): checks the bearer token on writes, turns every
/// error into a JSON `{"error","detail"}` answer, and records the request in the metrics. It logs
/// nothing about bodies: review text never reaches a log.
struct ServiceMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]?
    let metrics: ServerMetrics

    init(token: String?, metrics: ServerMetrics) {
        self.token = token.map { Array($0.utf8) }
        self.metrics = metrics
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        metrics.begin()
        var response: Response
        do {
            try authorize(request)
            response = try await next(request, context)
        } catch {
            let apiError = APIError.from(any: error)
            response = (try? apiError.response(from: request, context: context)) ?? Response(status: apiError.status)
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        metrics.record(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code, seconds: seconds)
        return response
    }

    /// Writes and deletes need `Authorization: Bearer <token>` when a token is configured;
    /// `POST /v1/rank` is a read that takes its question as a body, so it needs none.
    private func authorize(_ request: Request) throws(APIError) {
        guard let token, !Self.isRead(request.method), !(request.method == .post && request.uri.path == "/v1/rank") else { return }
        let header = request.headers[.authorization] ?? ""
        let prefix = "bearer "
        let given: [UInt8] = header.lowercased().hasPrefix(prefix) ? Array(header.utf8.dropFirst(prefix.utf8.count)) : []
        guard Self.constantTimeEquals(given, token) else {
            var error = APIError(.unauthorized, "unauthorized", "this write needs the header 'Authorization: Bearer <token>' with the server's token")
            error.headers = [.wwwAuthenticate: "Bearer"]
            throw error
        }
    }

    static func isRead(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
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
