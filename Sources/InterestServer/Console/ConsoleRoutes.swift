import Foundation
import Hummingbird
import InterestMiner

/// The web console's routes (`GET /console…`): each handler validates its parameters, reads
/// through `ConsoleReads` and renders a page template; errors are thrown as `APIError`s, which
/// `ServiceMiddleware` renders as an HTML error page (same status and code as the API's JSON)
/// for a console GET. Reads: the same access rule as the API's reads (`AccessPolicy`).
enum ConsoleRoutes {
    static let all: [(method: String, path: String)] = [
        ("GET", "/console"),
        ("GET", "/console/users/{id}"),
        ("GET", "/console/items/{id}"),
    ]

    static let prefix = "/console"

    /// Whether `path` is one of the console's (for HTML error pages).
    static func covers(_ path: String) -> Bool { path == prefix || path.hasPrefix(prefix + "/") }

    static func register(on router: Router<BasicRequestContext>, service: InterestService) {
        let reads = ConsoleReads(service: service)
        router.get("/console") { request, _ in
            // The id boxes' plain GET forms land here and are sent on to the page.
            let form = FormQuery(request)
            if let user = form["user"] {
                try Parameters.checkUserID(user)
                return redirect(to: ConsoleLink.user(user))
            }
            if let item = form["item"] {
                try checkItemID(item)
                return redirect(to: ConsoleLink.item(item))
            }
            return page(ShopPage.render(try reads.shopPage()))
        }
        router.get("/console/users/{id}") { request, context in
            let user = try Parameters.userID(context)
            let form = FormQuery(request)
            var limit = ConsoleReads.defaultTimeline
            if let text = form["limit"] {
                guard let n = Int(text), (1...ConsoleReads.maxTimeline).contains(n) else {
                    throw APIError.badParameter("limit", "must be an integer from 1 to \(ConsoleReads.maxTimeline)")
                }
                limit = n
            }
            // An empty search box is no search.
            let query = form["query"].flatMap { $0.isEmpty ? nil : $0 }
            if let query { try Parameters.checkQuery(query) }
            return page(UserPage.render(try reads.userPage(user, limit: limit, query: query)))
        }
        router.get("/console/items/{id}") { _, context in
            guard let raw = context.parameters.get("id"), let item = raw.removingPercentEncoding else {
                throw APIError(.badRequest, "invalid_item_id", "the item id is not valid percent-encoded UTF-8")
            }
            try checkItemID(item)
            let (overview, audience) = try reads.itemPage(item)
            return page(ItemPage.render(overview, audience: audience))
        }
    }

    static func checkItemID(_ id: String) throws(APIError) {
        if let reason = InterestMiner.identifierProblem(id) {
            throw APIError(.badRequest, "invalid_item_id", "the item id: \(reason) (an item id is 1–256 characters, not blank, without control characters)")
        }
    }

    /// A page answer: HTML in UTF-8, no script allowed to run, not cached (it shows live data).
    static func page(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status,
                 headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: HTMLBody.policy,
                           .xContentTypeOptions: "nosniff", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: html.raw)))
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// An error as an HTML page, with the error's own headers (`WWW-Authenticate`, `Allow`…).
    static func errorPage(_ error: APIError) -> Response {
        var response = page(ErrorPage.render(status: error.status.code, code: error.code, detail: error.detail), status: error.status)
        for field in error.headers { response.headers.append(field) }
        return response
    }
}
