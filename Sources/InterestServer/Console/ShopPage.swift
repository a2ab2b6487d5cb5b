import Foundation
import InterestCore
import InterestMiner

/// What the shop page shows, gathered by `ConsoleReads.shopPage`.
struct ShopPageData: Sendable {
    let database: String
    let counts: ShopCounts.View
    /// Newest first, with their training reports.
    let generations: [GenerationInfo]
    let metrics: ServerMetrics.Snapshot
    /// The last `interests eval` report kept in the database.
    let evaluation: (time: Int64, report: EvaluationReport)?
    let onPostgres: Bool
}

/// The shop page: what the database holds, the model generations (when, with what, how long,
/// validation figures), the last evaluation, and the service's own ingest and latency figures
/// since it started.
enum ShopPage {
    static func render(_ d: ShopPageData) -> HTML {
        let content: HTML = """
            <h1>Shop</h1>
            <p class="muted">Database <code>\(d.database)</code>. Open a user or an item with the boxes above.</p>
            \(counts(d.counts))
            \(GenerationsView.render(d.generations))
            \(EvaluationView.render(d.evaluation, onPostgres: d.onPostgres))
            \(service(d.metrics))
            """
        return ConsoleLayout.page(title: "Shop", content: content)
    }

    static func counts(_ view: ShopCounts.View) -> HTML {
        guard let taken = view.taken else {
            let state: HTML = view.countingSince.map { since in
                "Counting the database (started \(Format.time(Int64(since.timeIntervalSince1970)))): reload in a few seconds."
            } ?? "The database could not be counted: \(view.failure ?? "unknown error"). Reload to try again."
            return "<section id=\"counts\"><h2>What the database holds</h2><p>\(state)</p></section>"
        }
        let s = taken.stats
        let again = view.countingSince != nil ? "counting again now."
            : "counted again at most once every \(Format.duration(view.maxAge.seconds)), when this page is opened."
        let failed = view.failure.map { " The last recount failed: \($0)." } ?? ""
        let age: HTML = "Counted at \(Format.time(Int64(taken.at.timeIntervalSince1970))) in \(Format.duration(taken.seconds)); \(again)\(failed)"
        var rows: [HTML] = [
            "<tr><th>users</th><td class=\"num\">\(Format.count(s.users))</td></tr>",
            "<tr><th>items</th><td class=\"num\">\(Format.count(s.items)) (\(Format.count(s.describedItems)) described)</td></tr>",
            "<tr><th>events</th><td class=\"num\">\(Format.count(s.reviews + s.queries + s.interactions))</td></tr>",
        ]
        if let a = s.firstTimestamp, let b = s.lastTimestamp {
            rows.append("<tr><th>time range</th><td class=\"num\">\(Format.time(a)) – \(Format.time(b))</td></tr>")
        }
        for (kind, version) in s.models.sorted(by: { $0.key < $1.key }) {
            rows.append("<tr><th>model \(kind)</th><td class=\"num\">v\(version)</td></tr>")
        }
        if s.forgottenAwaitingRetrain > 0 {
            rows.append("<tr><th>forgotten users</th><td class=\"num\">\(Format.count(s.forgottenAwaitingRetrain)) still in trained models until the next complete train</td></tr>")
        }
        var bars = [SVGChart.Bar(label: "reviews", value: Double(s.reviews)), SVGChart.Bar(label: "queries", value: Double(s.queries), colour: 1)]
        for (k, action) in Action.allCases.enumerated() {
            bars.append(SVGChart.Bar(label: "interactions: \(action.rawValue)", value: Double(s.interactionsByAction[action.rawValue] ?? 0), colour: 2 + k))
        }
        return """
            <section id="counts"><h2>What the database holds</h2>
            <p class="muted">\(age)</p><div class="grid2">
            <table>\(rows)</table>
            <div>\(SVGChart.bars(bars, title: "Events by type", unit: "events", decimals: 0))</div>
            </div></section>
            """
    }

    static func service(_ m: ServerMetrics.Snapshot) -> HTML {
        let inserted = m.events["inserted"] ?? 0
        let received = m.events.values.reduce(0, +)
        let rate = m.uptimeSeconds > 0 ? Double(inserted) / m.uptimeSeconds : 0
        let ingest = m.routes.first { $0.route == "/v1/events" }
        let ingestLatency: HTML = ingest.map { r in
            "\(Format.count(r.count)) requests, mean \(Format.duration(r.meanSeconds)), median ≤ \(bound(r.p50Seconds)), 95th percentile ≤ \(bound(r.p95Seconds))"
        } ?? "no POST /v1/events request since the start"
        let routes = m.routes.map { r -> HTML in
            """
            <tr><td><code>\(r.route)</code></td><td class="num">\(Format.count(r.count))</td><td class="num">\(Format.duration(r.meanSeconds))</td>\
            <td class="num">≤ \(bound(r.p50Seconds))</td><td class="num">≤ \(bound(r.p95Seconds))</td></tr>
            """
        }
        var outcomes: [HTML] = []
        for (outcome, n) in m.events.sorted(by: { $0.key < $1.key }) {
            outcomes.append("<span class=\"tag\">\(outcome) \(Format.count(n))</span>")
        }
        return """
            <section id="service"><h2>This service since it started</h2>
            <table>
            <tr><th>up for</th><td>\(Format.duration(m.uptimeSeconds))</td></tr>
            <tr><th>events received (POST /v1/events)</th><td>\(Format.count(received)): \(outcomes)</td></tr>
            <tr><th>ingest rate</th><td>\(rate, decimals: 2) events inserted per second, averaged over the uptime</td></tr>
            <tr><th>ingest latency</th><td>\(ingestLatency)</td></tr>
            </table>
            <h3>Answers by route</h3>
            <p class="muted">Times from the request histogram (<code>/metrics</code>); percentiles are the bucket bounds that hold them.</p>
            <table><thead><tr><th>route</th><th class="num">requests</th><th class="num">mean</th><th class="num">median</th><th class="num">95th pct.</th></tr></thead>
            <tbody>\(routes)</tbody></table>
            </section>
            """
    }

    private static func bound(_ seconds: Double?) -> String { seconds.map { Format.duration($0) } ?? "over 10 s" }
}
