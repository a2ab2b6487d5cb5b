import Foundation
import InterestCore
import InterestMiner

/// What the user page shows, gathered by `ConsoleReads.userPage`.
struct UserPageData: Sendable {
    let user: String
    /// Every event of the user, oldest first.
    let history: [Event]
    /// Timeline entries shown (the newest ones).
    let limit: Int
    /// Interest terms and the weekly weight of each interest; nil without a text model (`profileNote`).
    let profile: UserInterestProfile?
    let profileNote: String?
    /// The fused ranker's top items with their explanations; nil without one (`fallback`).
    let recommendations: RankResult?
    /// Without a fused ranker: what the service answers (collaborative filtering, else text).
    let fallback: [(item: String, score: Float)]
    let fallbackMethod: String?
    let recommendationNote: String?
    /// The personalised search asked for (`?query=`), and its answer.
    let query: String?
    let search: RankResult?
    let searchNote: String?
}

/// The user page: who they are in numbers, their interests (terms, clusters, charts), what we
/// recommend and why, a personalised search, and their history as a timeline.
enum UserPage {
    static func render(_ d: UserPageData) -> HTML {
        let content: HTML = """
            <h1>User <code>\(d.user)</code></h1>
            \(summary(d))
            \(InterestsView.render(d.profile, note: d.profileNote))
            \(recommendations(d))
            \(search(d))
            \(timeline(d))
            """
        return ConsoleLayout.page(title: "User \(d.user)", content: content, userQuery: d.user)
    }

    static func summary(_ d: UserPageData) -> HTML {
        var reviews = 0, queries = 0
        var actions: [Action: Int] = [:]
        for e in d.history {
            switch e {
            case .review: reviews += 1
            case .query: queries += 1
            case .interaction(let x): actions[x.action, default: 0] += 1
            case .item: break
            }
        }
        let times = d.history.compactMap(\.time)
        var cells: [HTML] = ["<tr><th>events</th><td class=\"num\">\(Format.count(d.history.count))</td></tr>",
                             "<tr><th>reviews</th><td class=\"num\">\(Format.count(reviews))</td></tr>",
                             "<tr><th>queries</th><td class=\"num\">\(Format.count(queries))</td></tr>"]
        for action in Action.allCases {
            cells.append("<tr><th>interactions: \(action.rawValue)</th><td class=\"num\">\(Format.count(actions[action] ?? 0))</td></tr>")
        }
        if let first = times.min(), let last = times.max() {
            cells.append("<tr><th>active</th><td class=\"num\">\(Format.time(first)) – \(Format.time(last))</td></tr>")
        }
        return "<section id=\"summary\"><h2>Activity</h2><table class=\"compact\">\(cells)</table></section>"
    }

    static func recommendations(_ d: UserPageData) -> HTML {
        var body: HTML
        if let ranked = d.recommendations {
            body = RankedTable.render(ranked, caption: "Top \(ranked.items.count) by the fused ranker (\(ranked.segment) user), seen items left out")
        } else if !d.fallback.isEmpty {
            let rows = d.fallback.enumerated().map { k, r -> HTML in
                "<tr><td class=\"num\">\(k + 1)</td><td><a href=\"\(ConsoleLink.item(r.item))\">\(r.item)</a></td><td class=\"num\">\(Double(r.score), decimals: 3)</td></tr>"
            }
            body = """
                <p class="muted">No fused ranker is trained: ranked by \(d.fallbackMethod ?? "the stored model") alone, without explanation parts.</p>
                <table><thead><tr><th class="num">#</th><th>item</th><th class="num">score</th></tr></thead><tbody>\(rows)</tbody></table>
                """
        } else {
            body = "<p class=\"note\">No recommendations.</p>"
        }
        if let note = d.recommendationNote { body = "\(body)<p class=\"note\">\(note)</p>" }
        return "<section id=\"recommendations\"><h2>Recommendations</h2>\(body)</section>"
    }

    static func search(_ d: UserPageData) -> HTML {
        var body: HTML = """
            <form class="search" method="get" action="\(ConsoleLink.user(d.user))">
            <label for="query">Search as this user</label> <input id="query" name="query" value="\(d.query ?? "")" maxlength="2000" required>
            <button type="submit">Search</button>
            </form>
            """
        if let result = d.search, let query = d.query {
            body = "\(body)\(RankedTable.render(result, caption: "Personalised search for “\(query)”: query relevance ×2 plus the fused score"))"
        }
        if let note = d.searchNote { body = "\(body)<p class=\"note\">\(note)</p>" }
        return "<section id=\"search\"><h2>Personalised search</h2>\(body)</section>"
    }

    static func timeline(_ d: UserPageData) -> HTML {
        let shown = d.history.reversed().prefix(d.limit)
        let items = shown.map { e -> HTML in
            let when: HTML = e.time.map { "<time>\(Format.time($0))</time>" } ?? ""
            switch e {
            case .review(let r):
                let rating: HTML = r.rating.map { (x: Double) -> HTML in " <span class=\"tag\">rating \(x, decimals: 1)</span>" } ?? ""
                return "<li class=\"review\">\(when)<span class=\"kind\">review</span> of <a href=\"\(ConsoleLink.item(r.item))\">\(r.item)</a>\(rating)<div class=\"text\">\(r.text)</div></li>"
            case .query(let q):
                return "<li class=\"query\">\(when)<span class=\"kind\">query</span> <span class=\"text\">\(q.text)</span></li>"
            case .interaction(let x):
                let rating: HTML = x.rating.map { (value: Double) -> HTML in " <span class=\"tag\">rating \(value, decimals: 1)</span>" } ?? ""
                return "<li class=\"interaction\">\(when)<span class=\"kind\">\(x.action.rawValue)</span> <a href=\"\(ConsoleLink.item(x.item))\">\(x.item)</a>\(rating)</li>"
            case .item(let i):
                return "<li>\(when)<span class=\"kind\">item</span> <a href=\"\(ConsoleLink.item(i.item))\">\(i.item)</a></li>"
            }
        }
        var more: HTML = ""
        if d.history.count > d.limit {
            var link = ConsoleLink.user(d.user) + "?limit=\(min(ConsoleReads.maxTimeline, d.limit * 4))"
            if let q = d.query { link += "&query=" + Format.queryValue(q) }
            more = d.limit < ConsoleReads.maxTimeline
                ? "<p><a class=\"more\" href=\"\(link)#history\">more (\(Format.count(d.history.count - d.limit)) older events)</a></p>"
                : "<p class=\"muted\">\(Format.count(d.history.count - d.limit)) older events not shown (the API's /v1/users/{id}/history has them all).</p>"
        }
        return """
            <section id="history"><h2>History, newest first</h2>
            <p class="muted">\(Format.count(min(d.limit, d.history.count))) of \(Format.count(d.history.count)) events.</p>
            <ol class="timeline">\(Array(items))</ol>\(more)</section>
            """
    }
}

extension Event {
    /// The event's time (nil for an item record, which has none).
    var time: Int64? {
        switch self {
        case .review(let r): r.timestamp
        case .query(let q): q.timestamp
        case .interaction(let x): x.timestamp
        case .item: nil
        }
    }
}
